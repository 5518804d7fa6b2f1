"""The event loop: readers turn the outside world into events on one queue; the machine decides.

Three readers feed the queue: the keyboard (single keys, the terminal in cbreak mode so Ctrl-C still
interrupts), the file watcher (saves under the exercise's file or folder) and the test runner (a
finished run). The loop itself adds a tick when nothing happened for a quarter second, and for the
capstone looks for new commits once a second. None of them holds any rules: that is ``machine.py``.
"""

from __future__ import annotations

import contextlib
import os
import queue
import select
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final, TextIO

from rich.console import Console, RenderableType
from rich.live import Live

from dojo.drill import git
from dojo.drill.commits import CommitJudge
from dojo.drill.machine import (
    Bell,
    CommitsSeen,
    DrillMachine,
    Effect,
    Event,
    FilesChanged,
    Finish,
    Key,
    RunTests,
    TestsFinished,
    Tick,
)
from dojo.drill.plan import Step
from dojo.drill.screen import render
from dojo.runner import run_pytest, selection
from dojo.workspace import syntax_errors

TICK_SECONDS: Final = 0.25
IGNORED_PARTS: Final = frozenset({".git", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"})
IGNORED_SUFFIXES: Final = (".pyc", ".db", ".db-journal", ".sqlite3", ".swp", "~")


@contextlib.contextmanager
def cbreak(stream: TextIO) -> Iterator[int | None]:
    """Single key presses without Enter, echo off; the terminal restored however the drill ends.

    Yields the terminal's file descriptor, or None when stdin is not a terminal (no keys, then: the
    drill still runs on saves and the clock). Ctrl-C still interrupts: cbreak leaves signals on.
    """
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        yield None
        return
    if not os.isatty(fd):
        yield None
        return
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield fd
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def read_keys(fd: int, events: queue.Queue[Event], stop: threading.Event) -> None:
    while not stop.is_set():
        ready, _, _ = select.select([fd], [], [], TICK_SECONDS)
        if ready:
            data = os.read(fd, 32)
            if not data:
                return
            if data.startswith(b"\x1b"):
                continue  # an arrow, a function key or an Alt-held key: not one of ours
            for char in data.decode(errors="ignore"):
                events.put(Key(char.lower() if char.isalpha() else char))


def watch_files(path: Path, events: queue.Queue[Event], stop: threading.Event) -> None:
    """Saves under the exercise's folder, or of its one file (watched through its folder: editors that
    save by writing a new file and renaming it would otherwise end the watch)."""
    from watchfiles import watch

    only = path.resolve() if path.is_file() else None

    def wanted(_change: object, changed: str) -> bool:
        if only is not None:
            return Path(changed).resolve() == only
        parts = Path(changed).parts
        return not IGNORED_PARTS.intersection(parts) and not changed.endswith(IGNORED_SUFFIXES)

    folder = path.parent if only is not None else path
    for _changes in watch(folder, watch_filter=wanted, debounce=200, stop_event=stop, raise_interrupt=False):
        events.put(FilesChanged())


def run_tests(root: Path, step: Step, report: Callable[[Event], None]) -> None:
    """Run the step's tests (a round with every earlier one) against the learner's files."""
    broken = [line for exercise in step.checks for line in syntax_errors(root, exercise)]
    if broken:
        report(TestsFinished(step.slug, 0, 0, error=f"Python cannot read it: {broken[0]}"))
        return
    result = run_pytest(root, ["-q", "--no-header", "--tb=no", *selection(step.checks)], target="learner")
    wanted = {exercise.slug for exercise in step.checks}
    mine = [test for test in result.tests if test.slug in wanted]
    failing = tuple(test.nodeid.rsplit("::", 1)[-1] for test in mine if not test.passed)
    error = f"could not collect the tests: {result.collection_errors[0].splitlines()[0]}" if result.collection_errors else None
    report(TestsFinished(step.slug, sum(test.passed for test in mine), len(mine), failing, error))


class Loop:
    """Runs one drill until it finishes (a Finish effect) or Ctrl-C; ``save`` is called after every change."""

    def __init__(
        self,
        root: Path,
        machine: DrillMachine,
        console: Console,
        save: Callable[[], None],
        *,
        judge: CommitJudge | None = None,
        base: str | None = None,
        notes: str | None = None,
    ) -> None:
        self.root, self.machine, self.console = root, machine, console
        self.save, self.judge, self.base, self.notes = save, judge, base, notes
        self.repo = judge.repo if judge is not None else None
        self.events: queue.Queue[Event] = queue.Queue()
        self.stop = threading.Event()
        self.last_head: str | None = None
        self._ticks = 0

    def run(self) -> str:
        """Returns why it ended: done, quit or time. Ctrl-C propagates (KeyboardInterrupt) after a save."""
        watched = self.root / self.machine.plan.watched
        threads = [threading.Thread(target=watch_files, args=(watched, self.events, self.stop), daemon=True)]
        if self.repo is not None:
            self.last_head = self.start_point()
        try:
            with cbreak(sys.stdin) as fd, Live(self._screen(), console=self.console, auto_refresh=False) as live:
                if fd is not None:
                    threads.append(threading.Thread(target=read_keys, args=(fd, self.events, self.stop), daemon=True))
                for thread in threads:
                    thread.start()
                finished = False
                while not finished:
                    event = self._next_event()
                    effects = self.machine.handle(event)
                    if not isinstance(event, Tick) or effects:
                        self.save()
                    finished = self._apply(event, effects, live)
        finally:
            self.stop.set()
        if self.repo is not None:
            self.machine.note_commits(self.new_commits())  # the last second's commits belong to the round too
        self.save()
        return self.machine.state.finished or "quit"

    def start_point(self) -> str | None:
        """Where to look for new commits from: the last one already seen, or the drill's base. So the
        commits made while a drill was paused are found on the first look, in the round it resumes in."""
        seen = self.machine.state.commits
        if seen:
            return seen[-1].sha
        return self.base or (git.head(self.repo) if self.repo is not None else None)

    def new_commits(self) -> tuple[tuple[str, str], ...]:
        """Commits on HEAD since the last look (and moves the look forward)."""
        assert self.repo is not None
        current = git.head(self.repo)
        if not current or current == self.last_head:
            return ()
        found = git.commits_since(self.repo, self.last_head)
        self.last_head = current
        return tuple(found)

    def _next_event(self) -> Event:
        """The next event from the readers; a tick after a quiet quarter second (and, for the capstone,
        a look for new commits once a second)."""
        try:
            return self.events.get(timeout=TICK_SECONDS)
        except queue.Empty:
            self._ticks += 1
            if self.repo is not None and self._ticks % 4 == 0 and (found := self.new_commits()):
                return CommitsSeen(found)
            return Tick()

    def _apply(self, event: Event, effects: list[Effect], live: Live) -> bool:
        """Carry out the machine's effects and redraw; True once the drill is finished."""
        if isinstance(event, CommitsSeen) and self.judge is not None:
            for sha, subject in event.commits:
                self.judge.submit(sha, subject, self.machine.step.slug)
        for effect in effects:
            if isinstance(effect, RunTests):
                threading.Thread(target=run_tests, args=(self.root, effect.step, self.events.put), daemon=True).start()
        live.update(self._screen(), refresh=True)
        if any(isinstance(effect, Bell) for effect in effects):
            self.console.file.write("\a")  # after the banner it announces is on screen
            self.console.file.flush()
        return any(isinstance(effect, Finish) for effect in effects)

    def _screen(self) -> RenderableType:
        last = self.machine.state.commits[-1].sha if self.machine.state.commits else None
        verdict = self.judge.verdict(last) if self.judge is not None and last else None
        return render(self.machine, self.notes, verdict)
