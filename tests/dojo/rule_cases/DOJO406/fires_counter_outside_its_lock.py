class HitCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def hit(self) -> None:
        self.hits += 1  # expect: DOJO406

    def miss(self) -> None:
        with self._lock:
            self.misses += 1
