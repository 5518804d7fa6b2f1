"""Generators: lazy reading, chunking and a pipeline that holds one item at a time.

A generator function's body does not run when it is called: it runs up to the next ``yield`` each
time someone asks for an item. Chain generators and every stage pulls exactly what the next stage
asks for, so a 10 GB log streams through in constant memory and ``islice(pipeline, 3)`` reads only
as far as the third result. The two ways to lose that: materialise a list somewhere (``readlines()``,
a list comprehension, ``list(...)``), or hide work that must happen now (argument checks) inside a
generator body, where it is deferred until the first ``next()``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from functools import reduce
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")

Stage = Callable[[Iterable[Any]], Iterable[Any]]


def iter_lines(stream: Iterable[str]) -> Iterator[str]:
    """Each line of ``stream`` without its line ending, one at a time."""
    for line in stream:  # a text file iterates line by line through an 8 KiB buffer
        yield line.rstrip("\r\n")


def read_lines(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> Generator[str, None, None]:
    """The lines of the file at ``path``, lazily; the file is closed when the generator finishes or is closed."""
    with open(path, encoding=encoding) as stream:
        yield from iter_lines(stream)


def chunked(iterable: Iterable[T], n: int) -> Iterator[tuple[T, ...]]:
    """Tuples of ``n`` consecutive items; the last one may be shorter. Raises ValueError at once if n < 1."""
    # Not a generator function itself: the check runs when chunked() is called, not at the first next().
    if n < 1:
        raise ValueError(f"chunked() needs a chunk size n >= 1, got {n!r}")
    return _chunks(iter(iterable), n)


def _chunks(iterator: Iterator[T], n: int) -> Iterator[tuple[T, ...]]:
    while chunk := tuple(islice(iterator, n)):
        yield chunk


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    status: int
    duration_ms: int


def parse_requests(lines: Iterable[str]) -> Iterator[Request]:
    """One Request per line of ``METHOD PATH STATUS DURATION_MS``; blank lines and ``#`` comments are skipped."""
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split()
        if len(fields) != 4 or not fields[2].isdigit() or not fields[3].isdigit():
            raise ValueError(f"line {number}: expected 'METHOD PATH STATUS DURATION_MS', got {line!r}")
        method, path, status, duration = fields
        yield Request(method, path, int(status), int(duration))


def server_errors(requests: Iterable[Request]) -> Iterator[Request]:
    """Only the requests that failed on the server side (status 500-599)."""
    return (request for request in requests if 500 <= request.status <= 599)


def paths(requests: Iterable[Request]) -> Iterator[str]:
    """The path of each request."""
    return (request.path for request in requests)  # parentheses, not brackets: lazy, not a list


def pipeline(source: Iterable[Any], *stages: Stage) -> Generator[Any, None, None]:
    """Feed ``source`` through each stage in order; nothing is read until the result is iterated."""
    yield from reduce(lambda items, stage: stage(items), stages, source)


def server_error_paths(path: str | os.PathLike[str]) -> Generator[str, None, None]:
    """The paths of the 5xx requests in the log file at ``path``, streamed."""
    return pipeline(read_lines(path), parse_requests, server_errors, paths)
