async def search(session: AsyncSession, q: str) -> tuple[int, list[Product]]:
    query = select(Product).where(Product.name.icontains(q))
    total = (await session.execute(select(func.count()).select_from(Product))).scalar_one()  # expect: DOJO107
    return total, list((await session.scalars(query.limit(20))).all())
