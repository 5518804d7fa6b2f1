async def fetch_rate(client: httpx.AsyncClient) -> Rate:
    response = await client.get("/rates/EUR")
    return Rate.model_validate(response.json())
