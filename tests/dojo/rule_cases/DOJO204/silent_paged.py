@router.get("/products")
async def list_products(session: SessionDep, limit: Limit = 20, offset: Offset = 0) -> list[ProductOut]:
    rows = (await session.scalars(select(Product).order_by(Product.id).limit(limit).offset(offset))).all()
    return [ProductOut.model_validate(row) for row in rows]
