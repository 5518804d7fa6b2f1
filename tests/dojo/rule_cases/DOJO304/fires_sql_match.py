def find(username: str, password: str) -> TextClause:
    return text("SELECT id FROM users WHERE username = :username AND password = :password")  # expect: DOJO304
