def make_logger(prefix: str) -> Callable[..., None]:
    def log(*args: object, **kwargs: object) -> None:
        print(prefix, *args, **kwargs)

    return log
