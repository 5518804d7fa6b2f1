class Url:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Url) and self.password == other.password


def docs() -> None:
    """Runs ``SELECT id FROM users WHERE password = :password`` on the legacy table."""
