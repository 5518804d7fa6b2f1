@app.get("/rates/{currency}")
async def rate(currency: str, client: ClientDep) -> dict[str, object]:
    response = await client.get(f"/rates/{currency}")
    return response.json()  # expect: DOJO208
