@app.get("/items")
async def list_items(limit: Annotated[int, Query(ge=1)] = 20) -> list[ItemOut]:  # expect: DOJO205
    return await fetch(limit)
