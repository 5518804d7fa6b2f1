async def load(scope: Scope, data: bytes) -> None:
    scope["session"] = Session(json.loads(data))
