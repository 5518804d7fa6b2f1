async def import_rows(session: AsyncSession, payload: list[dict[str, object]]) -> None:
    for item in payload:
        session.add(Product(**item))  # expect: DOJO109
