async def search(session: AsyncSession, q: str) -> list[Product]:
    query = select(Product).where(Product.name.icontains(q, autoescape=True)).limit(20)
    products = (await session.scalars(query)).all()
    return [product for product in products]
