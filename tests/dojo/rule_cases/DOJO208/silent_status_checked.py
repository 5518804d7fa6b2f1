@app.get("/rates/{currency}")
async def rate(currency: str, client: ClientDep) -> dict[str, object]:
    response = await client.get(f"/rates/{currency}")
    response.raise_for_status()
    return response.json()
