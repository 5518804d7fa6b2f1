def run_all(jobs: list[Callable[..., None]]) -> None:
    def call(*args: object, **kwargs: object) -> None:
        for job in jobs:
            job(*args, **kwargs)

    call()
