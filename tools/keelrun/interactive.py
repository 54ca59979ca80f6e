"""Driving a guest through its serial port, as a person at a terminal would.

A Console runs QEMU with the serial port on a pipe (-serial stdio, no
monitor): send() types bytes, expect() waits for a regex in what the guest
has written since the last match, with a time limit. A reader thread copies
everything to the log file (and to echo, when given) as it arrives, so the
transcript survives a hung guest; wait_exit() ends the session.

Matching is done on the text after clean_terminal_text(): the escape
sequences line editors and vi emit (cursor moves, erase, colours) are taken
out, so patterns are written against what a reader sees. Nothing here knows
about shells or prompts: tools/keelrun/shell_session.py builds on it.
"""
import os
import re
import subprocess
import threading
import time
from pathlib import Path
from typing import Optional

from . import qemu

# CSI sequences (ESC [ ... final), charset selections, and the one-character
# escapes (save/restore cursor, keypad modes, index); OSC titles end in BEL.
_ESCAPES = re.compile(r"\x1b\[[0-9;?<=>]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][0-9A-Za-z]|\x1b[78=>DEHMc]")


def clean_terminal_text(text: str) -> str:
    """text without terminal escape sequences, NULs and carriage returns."""
    return _ESCAPES.sub("", text).replace("\r", "").replace("\0", "")


def _stable_text(raw: bytes) -> str:
    """The cleaned text of raw, leaving out an escape sequence still
    arriving at its end, so the text of a prefix never changes later."""
    text = raw.decode(errors="replace")
    esc = text.rfind("\x1b", max(0, len(text) - 64))
    if esc >= 0 and not _ESCAPES.match(text, esc):
        text = text[:esc]
    return clean_terminal_text(text)


class ConsoleError(Exception):
    """The session cannot go on (QEMU gone, nothing matched in time)."""


class Console:
    """One QEMU run whose serial port is driven from Python."""

    def __init__(self, cmd: list[str], log_path: Path, echo=None):
        self.cmd = cmd
        self.log_path = log_path
        self.echo = echo
        self._raw = bytearray()         # everything the guest wrote
        self._pos = 0                   # cleaned-text offset after the last match
        self._cond = threading.Condition()
        self._eof = False
        self._stderr = b""
        self.proc: Optional[subprocess.Popen] = None
        self._reader: Optional[threading.Thread] = None
        self.start_time = 0.0

    # ---- life cycle ------------------------------------------------------

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE)
        except OSError as e:
            self._log.close()
            raise qemu.SetupError(f"cannot start {self.cmd[0]}: {e.strerror}; {qemu.INSTALL_HINT}") from e
        self.start_time = time.monotonic()
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()
        self._err_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._err_reader.start()

    def _read_loop(self) -> None:
        fd = self.proc.stdout.fileno()
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            with self._cond:
                if not data:
                    self._eof = True
                    self._cond.notify_all()
                    return
                self._raw += data
                self._cond.notify_all()
            self._log.write(data)
            self._log.flush()
            if self.echo is not None:
                self.echo.write(data)
                self.echo.flush()

    def _read_stderr(self) -> None:
        self._stderr = self.proc.stderr.read() or b""

    def close(self) -> None:
        """Stop QEMU if it still runs and close the log."""
        if self.proc is None:
            return
        qemu._stop(self.proc)
        self.proc.wait()
        self._reader.join(timeout=5)
        self._err_reader.join(timeout=5)
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                f.close()
            except OSError:
                pass
        self._log.close()

    @property
    def stderr(self) -> str:
        return self._stderr.decode(errors="replace")

    # ---- typing and reading -------------------------------------------------

    def send(self, data) -> None:
        """Type data (str or bytes) on the guest's serial port."""
        if isinstance(data, str):
            data = data.encode()
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            raise ConsoleError(f"QEMU no longer reads its serial input ({e})") from e

    def text(self) -> str:
        """The whole transcript so far, cleaned."""
        with self._cond:
            return _stable_text(bytes(self._raw))

    @property
    def position(self) -> int:
        """Where the next expect() starts looking in text()."""
        return self._pos

    def pending(self) -> str:
        """The cleaned output after the last match."""
        return self.text()[self._pos:]

    def skip(self) -> None:
        """Forget the output so far: the next expect() only sees newer text."""
        self._pos = len(self.text())

    def expect(self, pattern, timeout: float) -> re.Match:
        """Wait until pattern (str or compiled) matches the output after the
        last match; the match ends the consumed part. Raises ConsoleError on
        timeout or when QEMU has exited without a match."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                text = _stable_text(bytes(self._raw))
                m = rx.search(text, self._pos)
                if m:
                    self._pos = m.end()
                    return m
                left = deadline - time.monotonic()
                if self._eof:
                    raise ConsoleError(f"QEMU exited before {rx.pattern!r} appeared")
                if left <= 0:
                    raise ConsoleError(f"{rx.pattern!r} did not appear within {timeout:g}s")
                self._cond.wait(left)

    def wait_exit(self, timeout: float) -> Optional[int]:
        """QEMU's exit status, or None if it is still running after timeout."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
