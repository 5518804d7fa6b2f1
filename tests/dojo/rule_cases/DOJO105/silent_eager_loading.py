async def list_orders(session: AsyncSession) -> list[Order]:
    query = select(Order).options(joinedload(Order.customer), selectinload(Order.lines))
    return list((await session.scalars(query)).all())
