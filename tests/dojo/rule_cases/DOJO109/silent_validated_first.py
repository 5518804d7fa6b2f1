async def import_rows(session: AsyncSession, payload: object) -> None:
    products = Batch.validate_python(payload)
    session.add_all([Product(**product.model_dump()) for product in products])
