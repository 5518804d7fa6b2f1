async def search(session: AsyncSession, q: str) -> dict[str, object]:
    products = (await session.scalars(select(Product).where(Product.name.icontains(q)))).all()
    return {"total": len(products), "items": products[:20]}  # expect: DOJO110
