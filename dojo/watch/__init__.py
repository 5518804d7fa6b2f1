"""``dojo watch``: the learner loop, after rustlings' watch mode.

One screen walks the curriculum: the current exercise, its status and brief; its tests re-run when
one of *its* files is saved; once they pass, the talking points and a key to move on. Single keys
drive it (h hint, n next, l list, r run, x reset, s solution, q quit).

The design is one event channel and one state object: the readers (keyboard, file watcher, terminal
resize) only turn what happens into messages (:mod:`dojo.watch.messages`); :class:`Session` alone
decides what a message means, and :func:`dojo.watch.screen.render` draws the session.
"""

from dojo.watch.loop import run
from dojo.watch.session import Session

__all__ = ["Session", "run"]
