async def search(session: AsyncSession, q: str) -> list[Product]:
    products = (await session.scalars(select(Product))).all()  # expect: DOJO106
    matches = []
    for product in products:
        if q in product.name:
            matches.append(product)
    return matches
