@app.get("/items")
async def list_items(page_size: int = 50) -> list[ItemOut]:  # expect: DOJO205
    return await fetch(page_size)
