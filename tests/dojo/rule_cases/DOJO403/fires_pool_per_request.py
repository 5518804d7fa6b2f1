@app.post("/digests")
async def digests(body: BatchIn) -> list[str]:
    with ProcessPoolExecutor() as pool:  # expect: DOJO403
        return list(pool.map(stretch, body.texts))
