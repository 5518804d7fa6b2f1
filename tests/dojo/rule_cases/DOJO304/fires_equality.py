def check(user: User, credentials: Credentials) -> bool:
    return user.password == credentials.password  # expect: DOJO304
