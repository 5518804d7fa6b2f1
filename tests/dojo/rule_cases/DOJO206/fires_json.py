@app.post("/events")
async def events(request: Request) -> dict[str, int]:
    payload = await request.json()  # expect: DOJO206
    return {"events": len(payload)}
