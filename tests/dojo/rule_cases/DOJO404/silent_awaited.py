async def digests(executor: Executor, texts: list[str]) -> list[str]:
    loop = asyncio.get_running_loop()
    return list(await asyncio.gather(*(loop.run_in_executor(executor, stretch, text) for text in texts)))
