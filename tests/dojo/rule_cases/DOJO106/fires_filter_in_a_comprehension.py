async def cheap(session: AsyncSession) -> list[Product]:
    rows = (await session.scalars(select(Product))).all()  # expect: DOJO106
    return [row for row in rows if row.price < 10]
