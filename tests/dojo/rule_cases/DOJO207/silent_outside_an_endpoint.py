def load_fixture(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))
