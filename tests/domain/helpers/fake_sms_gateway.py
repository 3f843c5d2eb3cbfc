"""A stand-in SMS gateway program for the tests of the command gateway.

    python fake_sms_gateway.py MODE LOG_DIR [configured args...] NUMBER TEXT

It writes the arguments it received after LOG_DIR, as raw bytes separated by NUL, to a
new file in LOG_DIR (one file per run, so concurrent runs never mix), then acts by MODE:

- ok: exit 0 (sent)
- fail: print a message (with the number) and exit 3
- silent: exit 4 without output
- hang: start a child that holds the output pipe, then sleep (for the timeout)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time


def main() -> int:
    mode, log_dir = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    fd, _path = tempfile.mkstemp(dir=log_dir, prefix="run-", suffix=".argv")
    with os.fdopen(fd, "wb") as fh:
        fh.write(b"\0".join(os.fsencode(a) for a in args))
    if mode == "ok":
        return 0
    if mode == "fail":
        print(f"  gateway refused {args[-2]}: no credit  ", flush=True)
        return 3
    if mode == "silent":
        return 4
    if mode == "hang":
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        time.sleep(120)
        return 0
    print(f"unknown mode {mode}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
