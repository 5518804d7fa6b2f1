Limit = Annotated[int, Query(ge=1, le=100)]


@app.get("/items")
async def list_items(limit: Limit = 20) -> list[ItemOut]:
    return await fetch(limit)


async def fetch(limit: int = 20) -> list[ItemOut]:
    return []
