class Recent:
    def __init__(self) -> None:
        self._keys: list[str] = []

    def touch(self, key: str) -> None:
        if key in self._keys:
            self._keys.remove(key)  # expect: DOJO401
        self._keys.append(key)
