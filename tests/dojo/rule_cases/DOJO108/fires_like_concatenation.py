def starting_with(q: str) -> Select[tuple[Product]]:
    return select(Product).where(Product.sku.like(q + "%"))  # expect: DOJO108
