async def rate(client: httpx.AsyncClient, currency: str) -> Rate:
    response = await client.get(f"/rates/{currency}")
    if response.status_code == 404:
        raise UnknownCurrency(currency)
    return Rate.model_validate_json(response.content)
