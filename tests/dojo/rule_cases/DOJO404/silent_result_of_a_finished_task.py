async def first_answers(jobs: list[Coroutine[None, None, int]]) -> list[int]:
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(job) for job in jobs]
    return [task.result() for task in tasks]
