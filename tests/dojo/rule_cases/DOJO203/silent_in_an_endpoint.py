@app.get("/items/{item_id}")
async def get_item(item_id: int) -> ItemOut:
    raise HTTPException(status.HTTP_404_NOT_FOUND)
