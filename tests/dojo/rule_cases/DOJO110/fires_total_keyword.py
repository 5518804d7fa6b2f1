async def search(session: AsyncSession) -> Page:
    rows = (await session.scalars(select(Product).limit(20))).all()
    return Page(items=rows, total=len(rows))  # expect: DOJO110
