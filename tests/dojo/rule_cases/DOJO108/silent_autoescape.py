def matching(q: str) -> Select[tuple[Product]]:
    return select(Product).where(Product.name.icontains(q, autoescape=True))
