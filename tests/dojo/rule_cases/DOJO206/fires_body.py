@app.post("/upload")
async def upload(request: Request) -> dict[str, int]:
    body = await request.body()  # expect: DOJO206
    return {"bytes": len(body)}
