@router.get("/products")
async def list_products(session: SessionDep) -> list[ProductOut]:  # expect: DOJO204
    rows = (await session.scalars(select(Product).order_by(Product.id))).all()
    return [ProductOut.model_validate(row) for row in rows]
