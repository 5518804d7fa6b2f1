"""placeholder"""
from __future__ import annotations
from contextlib import AsyncExitStack
from typing import Any
from dojo.bench.context import Context

async def loader(ctx: Context, stack: AsyncExitStack) -> list[Any]:
    return []
pagination = loader
list_endpoint = loader
