def check(user: User, credentials: Credentials) -> bool:
    return hmac.compare_digest(hash_password(credentials.password, user.salt), user.password_hash)
