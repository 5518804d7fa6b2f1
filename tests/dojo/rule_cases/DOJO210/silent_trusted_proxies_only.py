def client_ip(scope: Scope, trusted_proxies: frozenset[str]) -> str:
    peer = scope["client"][0] if scope.get("client") else "unknown"
    if peer not in trusted_proxies:
        return peer
    hops = Headers(scope=scope).getlist("x-forwarded-for")
    return next((hop for hop in reversed(hops) if hop not in trusted_proxies), peer)
