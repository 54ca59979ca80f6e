"""Kernel log lines as they arrive on the serial port.

Every kernel line carries a "[    0.123456] CPU0: " prefix; test output (KTAP)
and spec expectations are written against the text after it. Serial output may
also carry \\r\\n line ends and, on ISO boots, GRUB's terminal escape sequences
glued to the first kernel line, so both are removed before matching.
"""
import re

PREFIX = re.compile(r"^\[\s*\d+\.\d+\] CPU\d+: ")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ANSI = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|[()][0-9A-Za-z]|[=>78])")


def clean(raw: str) -> str:
    """The line without its line end, terminal escape sequences and NULs."""
    return _ANSI.sub("", raw.rstrip("\r\n")).replace("\r", "").replace("\0", "")


def strip_prefix(line: str) -> str:
    """The message part of a kernel log line; other lines come back unchanged."""
    return PREFIX.sub("", line, count=1)


def split_lines(data: str) -> list[str]:
    """Cleaned log lines of a whole log (for canned logs and tests)."""
    return [clean(line) for line in data.splitlines()]


def printable(line: str) -> str:
    """The line with control characters shown as \\xNN, safe to print on a
    terminal (a log can hold anything a crashing kernel wrote)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", clean(line))
