def logged(func: Callable[P, R]) -> Callable[P, R]:
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:  # expect: DOJO501
        logger.info("calling %s", func.__name__)
        return func(*args, **kwargs)

    return wrapper
