@router.get("/products/{product_id}")
async def get_product(product_id: int, session: SessionDep) -> ProductOut:
    product = (await session.scalars(select(Product).where(Product.id == product_id))).one()
    return ProductOut.model_validate(product)
