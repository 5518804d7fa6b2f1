"""Connect with ``password=...`` in the URL, e.g. mysql://user:password=secret@host/db."""


def read_password(password: str) -> str:
    if password == "-":
        return sys.stdin.readline().strip()
    print(f"password={password!r}")
    return password
