def paginate(rows: Sequence[Row], limit: int, offset: int) -> Page:
    total = len(rows)
    return Page(items=list(rows[offset : offset + limit]), total=total)
