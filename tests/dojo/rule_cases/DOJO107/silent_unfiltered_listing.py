async def page(session: AsyncSession) -> tuple[int, list[Product]]:
    total = (await session.execute(select(func.count()).select_from(Product))).scalar_one()
    return total, list((await session.scalars(select(Product).limit(20))).all())
