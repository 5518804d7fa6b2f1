class Retry:
    def __init__(self) -> None:
        self.attempts = 0

    def again(self) -> None:
        self.attempts += 1


total = 0


def add(value: int) -> None:
    global total
    total += value
