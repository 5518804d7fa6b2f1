def matching(q: str) -> Select[tuple[Product]]:
    return select(Product).where(Product.name.ilike(f"%{escape_like(q)}%", escape="\\"))
