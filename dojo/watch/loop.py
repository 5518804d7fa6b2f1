"""The watch loop: start the readers, then hand every message to the session and redraw."""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
from pathlib import Path

from dojo.curriculum import Curriculum, Exercise
from dojo.paths import LEARNER_PACKAGES
from dojo.watch import readers
from dojo.watch.messages import Interrupt, Message
from dojo.watch.screen import render
from dojo.watch.services import Kit
from dojo.watch.session import Session

ALTERNATE_SCREEN_ON, ALTERNATE_SCREEN_OFF = "\x1b[?1049h\x1b[?25l", "\x1b[?25h\x1b[?1049l"


def run(root: Path, curriculum: Curriculum, exercise: Exercise) -> int:
    """Watch from ``exercise`` on until the learner quits; their terminal is left as it was."""
    out = sys.stdout
    color = out.isatty() and not os.environ.get("NO_COLOR")  # no-color.org
    size = readers.terminal_size()
    channel: readers.Channel = queue.SimpleQueue()
    session = Session(curriculum, Kit(root, curriculum), exercise, columns=size.columns, rows=size.rows)

    def draw() -> None:
        out.write(render(session, color=color))
        out.flush()

    session.redraw = draw
    stop = threading.Event()
    stdin = sys.stdin.fileno()
    with contextlib.ExitStack() as cleanup:
        cleanup.enter_context(readers.cbreak(stdin))
        if out.isatty():
            out.write(ALTERNATE_SCREEN_ON)
            cleanup.callback(lambda: out.write(ALTERNATE_SCREEN_OFF))
        cleanup.callback(stop.set)
        readers.start_resize(channel)
        readers.start_keyboard(channel, stdin)
        readers.start_file_watcher(channel, [root / package for package in LEARNER_PACKAGES], stop)
        try:
            session.start()
            draw()
            while session.handle(_next_message(channel)):
                draw()
        except KeyboardInterrupt:
            pass
    print(f"stopped watching {session.exercise.slug}.")
    return 0


def _next_message(channel: readers.Channel) -> Message:
    try:
        return channel.get()
    except KeyboardInterrupt:
        return Interrupt()
