def client_ip(request: Request) -> str:
    return request.headers.get("X-Forwarded-For", "") or "unknown"  # expect: DOJO210
