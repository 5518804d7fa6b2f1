@app.get("/weather")
async def weather(city: str, client: ClientDep) -> Weather:
    response = await client.get(WEATHER_URL, params={"city": city}, timeout=3.0)
    return Weather.model_validate_json(response.content)
