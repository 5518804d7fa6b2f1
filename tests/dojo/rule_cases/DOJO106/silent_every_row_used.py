async def export(session: AsyncSession) -> list[str]:
    products = (await session.scalars(select(Product).order_by(Product.id))).all()
    return [product.name for product in products]
