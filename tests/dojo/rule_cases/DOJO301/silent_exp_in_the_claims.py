def issue(username: str, secret: str, now: datetime) -> str:
    return jwt.encode({"sub": username, "exp": now + TOKEN_TTL}, secret, algorithm="HS256")
