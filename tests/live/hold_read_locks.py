"""Holds every read lock of a SQLite database in WAL mode, as a stuck process would, so that no
other connection can start a read transaction (SQLite retries, then gives up): the store stops
answering while `tessera serve` runs. Used by the feeds' and live images' budget tests.

    hold_read_locks.py DATABASE     prints "locked" once held, and holds until stdin closes

The wal-index (`DATABASE-shm`) keeps its locks at byte offsets 120-127: the write, checkpoint
and recovery locks, then the five read-mark locks at 123-127 (SQLite's file format, "WAL-index
format"; `os_unix.c` locks them with fcntl byte ranges).
"""
import fcntl
import os
import sys
import time

READ_LOCKS_AT, READ_LOCKS = 123, 5

shm = os.open(sys.argv[1] + "-shm", os.O_RDWR)
deadline = time.monotonic() + 10
while True:
    try:
        fcntl.lockf(shm, fcntl.LOCK_EX | fcntl.LOCK_NB, READ_LOCKS, READ_LOCKS_AT, os.SEEK_SET)
        break
    except OSError:
        # A reader is in a transaction now; it ends soon.
        if time.monotonic() > deadline:
            sys.exit("the read locks stayed taken for 10 s")
        time.sleep(0.005)
print("locked", flush=True)
sys.stdin.read()
