"""Start moto's server for warroom, and make sure it never outlives warroom.

warroom (or a test) owns this process and kills it on exit. If the owner dies
without cleaning up (SIGKILL, a crashed test binary), this watcher notices the
parent is gone and exits, so no emulator is left running on the machine.
"""
import os
import sys
import threading
import time

PARENT = os.getppid()


def _watch_parent() -> None:
    while True:
        if os.getppid() != PARENT:
            os._exit(0)
        time.sleep(0.5)


threading.Thread(target=_watch_parent, daemon=True).start()

from moto.server import main  # noqa: E402  (import after the watcher starts)

main(sys.argv[1:])
