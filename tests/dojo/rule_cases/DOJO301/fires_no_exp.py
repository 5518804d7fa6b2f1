def issue(username: str, secret: str) -> str:
    return jwt.encode({"sub": username, "iat": utc_now()}, secret, algorithm="HS256")  # expect: DOJO301
