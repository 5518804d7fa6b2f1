"""Generators: lazy reading, chunking and a pipeline (kata, ~25 min).

"Our access log is 10 GB. Report the paths of the 5xx requests without loading the file into memory,
and give me a helper that batches any iterable, say 500 rows per bulk insert."

A log line is `METHOD PATH STATUS DURATION_MS`, e.g. `GET /deals 503 41`.

- `iter_lines(stream)`: each line of a text stream (or any iterable of str) without its trailing
  `\\n` / `\\r\\n`; other whitespace is kept. `read_lines(path, encoding="utf-8")`: the same for a file,
  which it opens (decoding with `encoding`, whatever the machine's locale) and closes itself. Both lazy: taking 3 lines reads about 3 lines, and memory stays flat on a huge file.
- `chunked(iterable, n)`: tuples of `n` consecutive items, the last one shorter if items run out; never
  an empty tuple. Works on infinite iterators. `n < 1` raises ValueError at the call, before any
  iteration, with a message that names n.
- `parse_requests(lines)`: a `Request` per line; skip blank lines and `#` comments (indented ones too);
  a malformed line (not four fields, or a STATUS or DURATION_MS that is not a whole number) raises
  ValueError naming its line number (1-based), but only when the pipeline reaches it.
- `server_errors(requests)`: only status 500-599. `paths(requests)`: each request's path.
- `pipeline(source, *stages)`: feeds source through each stage (a function from iterable to iterable)
  in order. `server_error_paths(path)` composes read_lines, parse_requests, server_errors, paths.
- Every function is lazy: nothing is pulled from the source until someone asks for a result, and then
  only as much as that result needs. (A list comprehension is eager; a generator expression is not.)

Run `dojo check generators`; `dojo hint generators` when stuck.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

Stage = Callable[[Iterable[Any]], Iterable[Any]]


def iter_lines(stream: Iterable[str]) -> Iterator[str]:
    raise NotImplementedError("iter_lines")  # TODO


def read_lines(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> Generator[str, None, None]:
    raise NotImplementedError("read_lines")  # TODO


def chunked(iterable: Iterable[T], n: int) -> Iterator[tuple[T, ...]]:
    raise NotImplementedError("chunked")  # TODO


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    status: int
    duration_ms: int


def parse_requests(lines: Iterable[str]) -> Iterator[Request]:
    raise NotImplementedError("parse_requests")  # TODO


def server_errors(requests: Iterable[Request]) -> Iterator[Request]:
    raise NotImplementedError("server_errors")  # TODO


def paths(requests: Iterable[Request]) -> Iterator[str]:
    raise NotImplementedError("paths")  # TODO


def pipeline(source: Iterable[Any], *stages: Stage) -> Generator[Any, None, None]:
    raise NotImplementedError("pipeline")  # TODO


def server_error_paths(path: str | os.PathLike[str]) -> Generator[str, None, None]:
    raise NotImplementedError("server_error_paths")  # TODO
