_seen: dict[str, int] = {}  # expect: DOJO405


async def count_visit(request: Request) -> int:
    client = request.client.host if request.client else "unknown"
    _seen[client] = _seen.get(client, 0) + 1
    return _seen[client]
