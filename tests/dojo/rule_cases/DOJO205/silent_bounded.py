@app.get("/items")
async def list_items(limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[ItemOut]:
    return await fetch(limit)
