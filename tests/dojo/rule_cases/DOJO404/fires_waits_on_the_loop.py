async def digests(executor: Executor, texts: list[str]) -> list[str]:
    futures = [executor.submit(stretch, text) for text in texts]
    return [future.result() for future in futures]  # expect: DOJO404
