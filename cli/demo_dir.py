"""Where the demo writes: a directory of its own, marked, so it never touches anything else.

The demo used to write to ``--db``/``--keys`` (and so to ``CERTLEDGER_DB``/``CERTLEDGER_KEYS``,
which the README tells users to export), and ``--reset`` deleted whatever was there. Now it
writes only into a directory it created (or found empty) and marked with
:data:`MARKER`: ``ledger.db``, ``keys/``, ``checkpoint.note`` and the marker itself;
``--reset`` deletes the first three, and only in a marked directory.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from certledger.domain.errors import InputError

DEFAULT_DIR = Path("certledger-demo")
MARKER = ".certledger-demo"
MARKER_TEXT = (
    "This directory was created by 'certledger demo'.\n"
    "'certledger demo --reset' deletes ledger.db, checkpoint.note and keys/ here, and nothing else.\n"
)


class DemoDir:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.ledger = root / "ledger.db"
        self.keys = root / "keys"
        self.marker = root / MARKER
        self.checkpoint = root / "checkpoint.note"  # the last checkpoint's note: what an auditor keeps

    def claim(self) -> None:
        """Make sure the directory is the demo's: create and mark it, or find it marked
        (or empty). Anything else is refused before anything is written."""
        if self.root.exists() and not self.root.is_dir():
            raise InputError(f"{self.root} is not a directory: give the demo another --dir")
        if self.root.is_dir() and not self.marker.is_file() and any(self.root.iterdir()):
            raise InputError(
                f"{self.root} is not a demo directory (it has no {MARKER} marker, so the demo did "
                "not create it): nothing was changed; give the demo a new or empty --dir"
            )
        if self.keys.is_symlink():
            raise InputError(f"{self.keys} is a symbolic link: the demo keeps its keys in a directory of its own")
        self.root.mkdir(parents=True, exist_ok=True)
        if not self.marker.is_file():
            self.marker.write_text(MARKER_TEXT, encoding="utf-8")

    def reset(self) -> None:
        """Delete the demo's ledger and keys (after :meth:`claim` found the marker)."""
        for suffix in ("", "-wal", "-shm", "-journal"):
            self.ledger.with_name(self.ledger.name + suffix).unlink(missing_ok=True)
        self.checkpoint.unlink(missing_ok=True)
        if self.keys.is_dir():
            shutil.rmtree(self.keys)
