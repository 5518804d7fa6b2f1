class Registry:
    def __init__(self) -> None:
        self._ids: set[int] = set()

    def forget(self, item_id: int) -> None:
        self._ids.remove(item_id)
