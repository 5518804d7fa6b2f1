class Pool:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_use = 0
        self._in_use += 0

    def checkout(self) -> None:
        with self._lock:
            self._in_use += 1

    def release(self) -> None:
        with self._lock:
            if self._in_use:
                self._in_use -= 1
