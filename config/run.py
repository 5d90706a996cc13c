"""`make run`'s process manager: honcho, with a longer wait before SIGKILL.

Usage: ``python -m config.run [honcho arguments]``, e.g.
``python -m config.run start -f Procfile`` (what `make run` does).

On Ctrl-C honcho sends SIGTERM to web, worker and beat and SIGKILLs whatever
still runs 5 seconds later (``honcho.manager.KILL_WAIT``, not an option of
honcho 2.0). The worker's warm shutdown finishes the send it is in the middle
of, and a send killed half-way is recorded as "send started, never finished"
(routine reminders are then not sent at all). So the wait is
``WAYPOINT_STOP_SECONDS`` (default 20 s) instead. On an idle machine all three
stop in about 2-3 s (tests/test_run_shutdown.py).
"""

import os
import sys

import honcho.manager
from honcho.command import main

DEFAULT_STOP_SECONDS = 20.0


def stop_seconds(environ=os.environ):
    """Seconds honcho waits after SIGTERM before SIGKILL (a positive float)."""
    try:
        value = float(environ.get("WAYPOINT_STOP_SECONDS", DEFAULT_STOP_SECONDS))
    except ValueError:
        return DEFAULT_STOP_SECONDS
    return value if value > 0 else DEFAULT_STOP_SECONDS


if __name__ == "__main__":
    honcho.manager.KILL_WAIT = stop_seconds()
    sys.exit(main(sys.argv[1:]))
