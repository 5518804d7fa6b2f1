"""generators: lazy line reading, chunked(), and a pipeline that pulls only what is asked for."""

from __future__ import annotations

import itertools
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from katas.generators import (
    Request,
    chunked,
    iter_lines,
    parse_requests,
    paths,
    pipeline,
    read_lines,
    server_error_paths,
    server_errors,
)

BIG_LINES = 200_000


class CountingSource:
    """An iterable of lines that counts how many were pulled from it: laziness made visible."""

    def __init__(self, lines: Iterable[str], *, limit: int | None = None) -> None:
        self._lines = iter(lines)
        self.limit = limit
        self.pulled = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self.limit is not None and self.pulled >= self.limit:
            raise AssertionError(f"pulled more than {self.limit} items from an endless source: something reads it all")
        line = next(self._lines)
        self.pulled += 1
        return line


def log_line(i: int) -> str:
    """Line i of a synthetic access log: every tenth request is a 503."""
    status = 503 if i % 10 == 0 else 200
    return f"GET /deals/{i} {status} {i % 997}\n"


@pytest.fixture(scope="module")
def big_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("generators") / "access.log"
    with path.open("w", encoding="utf-8") as out:
        out.writelines(log_line(i) for i in range(BIG_LINES))
    return path


def peak_memory(work: Callable[[], object]) -> int:
    """The peak number of bytes Python allocated while running work()."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# ---- iter_lines / read_lines ----


def test_iter_lines_drops_only_the_line_ending():
    lines = list(iter_lines(["first\n", "  indented  \r\n", "\n", "GET /deals/X\n", "tab\t\r\n", "last"]))
    assert lines == ["first", "  indented  ", "", "GET /deals/X", "tab\t", "last"], (
        "strip the trailing newline only, keep other whitespace"
    )


def test_iter_lines_pulls_nothing_until_asked_and_then_only_what_is_asked():
    source = CountingSource(f"line {i}\n" for i in range(1_000))
    lines = iter_lines(source)
    assert source.pulled == 0, "calling iter_lines() must not read anything yet: make it a generator"
    assert list(itertools.islice(lines, 3)) == ["line 0", "line 1", "line 2"]
    assert source.pulled == 3, f"taking 3 lines pulled {source.pulled} from the source"


def test_read_lines_yields_the_lines_of_a_file(tmp_path: Path):
    path = tmp_path / "small.txt"
    path.write_text("café au lait\n\n  two spaces\nno newline at the end", encoding="utf-8")
    assert list(read_lines(path)) == ["café au lait", "", "  two spaces", "no newline at the end"]
    assert list(read_lines(str(path))) == list(read_lines(path)), "a str path works as well as a Path"


def test_read_lines_keeps_memory_flat_on_a_large_file(big_log: Path):
    size = big_log.stat().st_size
    count = 0

    def consume() -> None:
        nonlocal count
        for _ in read_lines(big_log):
            count += 1

    peak = peak_memory(consume)
    assert count == BIG_LINES
    assert peak < size // 20, (
        f"reading a {size:,}-byte file line by line peaked at {peak:,} bytes: something holds the whole file "
        "(readlines(), read(), list(...)); iterate over the file object instead"
    )


def test_taking_a_few_lines_of_a_large_file_reads_only_a_few(big_log: Path):
    first: list[str] = []

    def take_three() -> None:
        with closing(read_lines(big_log)) as lines:
            first.extend(itertools.islice(lines, 3))

    peak = peak_memory(take_three)
    assert first == [log_line(i).rstrip("\n") for i in range(3)]
    assert peak < 256 * 1024, f"taking 3 lines allocated {peak:,} bytes: the whole file was read first"


# ---- chunked ----


@pytest.mark.parametrize(
    ("items", "n", "expected"),
    [
        (range(7), 3, [(0, 1, 2), (3, 4, 5), (6,)]),
        (range(6), 3, [(0, 1, 2), (3, 4, 5)]),
        (range(2), 5, [(0, 1)]),
        (range(3), 1, [(0,), (1,), (2,)]),
        ([], 4, []),
    ],
    ids=["last-chunk-shorter", "exact-multiple", "fewer-than-n", "n-is-1", "empty"],
)
def test_chunked_groups_items_and_keeps_a_short_last_chunk(items, n, expected):
    assert list(chunked(items, n)) == expected


@pytest.mark.parametrize("n", [0, -3], ids=["zero", "negative"])
def test_chunked_rejects_n_below_one_at_the_call_not_at_the_first_next(n):
    with pytest.raises(ValueError, match="n") as raised:
        chunked([1, 2, 3], n)  # not iterated: the error must come from the call itself
    assert str(n) in str(raised.value), f"the message should show the bad value {n}: {raised.value}"


def test_chunked_works_on_an_infinite_iterator_and_pulls_one_chunk_at_a_time():
    source = CountingSource((str(i) for i in itertools.count()), limit=1_000)
    chunks = chunked(source, 4)
    assert next(chunks) == ("0", "1", "2", "3")
    assert source.pulled == 4, f"one chunk of 4 pulled {source.pulled} items"
    assert next(chunks) == ("4", "5", "6", "7")
    assert source.pulled == 8


@settings(max_examples=60)
@given(items=st.lists(st.integers(), max_size=40), n=st.integers(min_value=1, max_value=8))
def test_chunked_flattens_back_to_its_input_and_only_the_last_chunk_is_short(items, n):
    chunks = list(chunked(items, n))
    assert [item for chunk in chunks for item in chunk] == items
    assert all(len(chunk) == n for chunk in chunks[:-1])
    if chunks:
        assert 1 <= len(chunks[-1]) <= n, "the last chunk holds 1..n items, never 0"
    assert len(chunks) == -(-len(items) // n)


# ---- parsing, filtering, the pipeline ----


def test_read_lines_decodes_with_the_encoding_it_is_given(tmp_path: Path):
    path = tmp_path / "legacy.txt"
    path.write_bytes("café\nna\u00efve\n".encode("latin-1"))
    assert list(read_lines(path, encoding="latin-1")) == ["café", "na\u00efve"]


def test_parse_requests_builds_requests_and_skips_blanks_and_comments():
    lines = ["# method path status ms", "GET /deals 200 12", "", "   ", "  # an indented comment", "POST /deals 503 340"]
    assert list(parse_requests(lines)) == [
        Request("GET", "/deals", 200, 12),
        Request("POST", "/deals", 503, 340),
    ]


@pytest.mark.parametrize(
    "bad",
    ["GET /deals 200", "GET /deals OK 12", "GET /deals 200 fast", "GET /deals 200 12 extra"],
    ids=["3-fields", "status-not-a-number", "duration-not-a-number", "5-fields"],
)
def test_a_malformed_line_is_a_value_error_naming_its_line_only_when_reached(bad):
    requests = parse_requests(["GET /a 200 1", bad, "GET /b 200 1"])
    assert next(requests) == Request("GET", "/a", 200, 1), "lines before the bad one are still yielded"
    with pytest.raises(ValueError, match="line 2"):
        next(requests)


def test_server_errors_keeps_only_5xx_and_paths_maps_to_the_path():
    requests = [Request("GET", f"/{status}", status, 1) for status in (200, 404, 499, 500, 503, 599, 600)]
    assert list(paths(server_errors(requests))) == ["/500", "/503", "/599"]


def test_pipeline_applies_the_stages_in_order():
    def double(items: Iterable[int]) -> Iterator[int]:
        return (item * 2 for item in items)

    def plus_one(items: Iterable[int]) -> Iterator[int]:
        return (item + 1 for item in items)

    assert list(pipeline([1, 2, 3], double, plus_one)) == [3, 5, 7]
    assert list(pipeline([1, 2, 3], plus_one, double)) == [4, 6, 8]
    assert list(pipeline([1, 2, 3])) == [1, 2, 3], "no stages: the source itself"


def test_the_pipeline_pulls_only_as_far_as_the_results_taken():
    lines = [log_line(i) for i in range(1, 1_001)]  # 5xx at lines 10, 20, 30, ...
    source = CountingSource(lines)
    results = pipeline(iter_lines(source), parse_requests, server_errors, paths)
    assert source.pulled == 0, "building the pipeline must not read anything"
    assert list(itertools.islice(results, 2)) == ["/deals/10", "/deals/20"]
    assert source.pulled == 20, (
        f"the second 5xx is on line 20, but {source.pulled} lines were read: some stage builds a list"
    )


def test_server_error_paths_streams_a_large_log(big_log: Path):
    first: list[str] = []

    def take_three() -> None:
        with closing(server_error_paths(big_log)) as results:
            first.extend(itertools.islice(results, 3))

    peak = peak_memory(take_three)
    assert first == ["/deals/0", "/deals/10", "/deals/20"]
    assert peak < 256 * 1024, f"the first 3 results allocated {peak:,} bytes: some stage read the whole file"
    assert sum(1 for _ in server_error_paths(big_log)) == BIG_LINES // 10
