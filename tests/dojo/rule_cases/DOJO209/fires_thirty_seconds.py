@app.get("/weather")
async def weather(city: str) -> dict[str, object]:
    async with httpx.AsyncClient() as client:
        response = await client.get(WEATHER_URL, params={"city": city}, timeout=30)  # expect: DOJO209
    return Weather.model_validate_json(response.content).model_dump()
