def issue(claims: dict[str, object], settings: Settings) -> str:
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")
