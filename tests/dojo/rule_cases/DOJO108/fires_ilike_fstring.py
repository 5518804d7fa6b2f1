def matching(q: str) -> Select[tuple[Product]]:
    return select(Product).where(Product.name.ilike(f"%{q}%"))  # expect: DOJO108
