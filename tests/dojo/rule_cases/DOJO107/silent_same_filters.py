async def search(session: AsyncSession, q: str) -> tuple[int, list[Product]]:
    filters = [Product.name.icontains(q)]
    query = select(Product).where(*filters)
    total = (await session.execute(select(func.count()).select_from(Product).where(*filters))).scalar_one()
    return total, list((await session.scalars(query.limit(20))).all())
