def long_enough(password: str) -> bool:
    return len(password) >= 12
