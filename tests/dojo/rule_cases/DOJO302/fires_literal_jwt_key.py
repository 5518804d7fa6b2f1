def issue(claims: dict[str, object]) -> str:
    return jwt.encode(claims, "change-me", algorithm="HS256")  # expect: DOJO302
