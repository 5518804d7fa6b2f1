async def search(session: AsyncSession) -> Page:
    rows = (await session.scalars(select(Product).limit(20))).all()
    total = await session.scalar(select(func.count()).select_from(Product))
    return Page(items=rows, total=total)
