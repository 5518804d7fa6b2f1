def logged(func: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        logger.info("calling %s", func.__name__)
        return func(*args, **kwargs)

    return wrapper
