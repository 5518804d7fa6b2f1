"""The event readers: keyboard, file watcher and terminal size, each turning what it sees into a message.

They hold no logic: what a key or a save means is the session's business.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import sys
import termios
import threading
import tty
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from dojo.watch.keys import decode
from dojo.watch.messages import FileChange, Input, Message, Resize, WatcherReady

# SimpleQueue.put is reentrant, so the SIGWINCH handler may post while the loop is inside get().
Channel = queue.SimpleQueue[Message]


def terminal_size() -> Resize:
    size = os.get_terminal_size(sys.stdout.fileno()) if sys.stdout.isatty() else os.terminal_size((80, 24))
    return Resize(columns=size.columns, rows=size.lines)


@contextlib.contextmanager
def cbreak(fd: int) -> Iterator[None]:
    """Keys arrive one at a time and are not echoed; Ctrl-C still interrupts. Restored on the way out."""
    if not os.isatty(fd):
        yield
        return
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def start_keyboard(channel: Channel, fd: int) -> None:
    def read() -> None:
        while True:
            try:
                data = os.read(fd, 64)
            except OSError:
                return
            if not data:
                return
            for key in decode(data):
                channel.put(Input(key))

    threading.Thread(target=read, name="dojo-watch-keys", daemon=True).start()


def start_file_watcher(channel: Channel, folders: list[Path], stop: threading.Event) -> None:
    from watchfiles import watch

    def read() -> None:
        ready = False
        # yield_on_timeout: the first (empty) batch tells us the watch is in place.
        for changes in watch(*folders, stop_event=stop, debounce=150, rust_timeout=300, yield_on_timeout=True):
            if not ready:
                ready = True
                channel.put(WatcherReady())
            if changes:
                channel.put(FileChange(frozenset(Path(path) for _change, path in changes)))

    threading.Thread(target=read, name="dojo-watch-files", daemon=True).start()


def start_resize(channel: Channel) -> None:
    def on_resize(_signum: int, _frame: FrameType | None) -> None:
        channel.put(terminal_size())

    if hasattr(signal, "SIGWINCH"):
        signal.signal(signal.SIGWINCH, on_resize)
