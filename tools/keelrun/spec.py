"""System-test specs: tests/system/*.test files (format in tests/system/README.md).

A spec is a few `key: value` lines saying how to boot and what the serial log
must show. Parsing is strict (unknown keys, bad values and bad regexes are
errors naming file and line) because a typo in a spec must not turn a test
into one that silently checks nothing.
"""
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

BOOTS = ("kernel", "iso-bios", "iso-uefi")
# quit: QEMU ended by itself with status 0 (ACPI power-off, or a reset under
# -no-reboot); the spec's expect: lines tell which one it was.
EXITS = ("pass", "fail", "panic", "none", "quit")
NEEDS = ("iso",)
DEFAULT_TIMEOUT = {"kernel": 60.0, "iso-bios": 60.0, "iso-uefi": 120.0}
_REPEATABLE = {"expect", "reject", "needs", "qemu"}
_KEYS = {"boot", "append", "initrd", "timeout", "exit", "expect", "expect-order",
         "reject", "ktap", "needs", "memory", "smp", "qemu"}
_MEMORY = re.compile(r"^\d+[MG]$")
_RANDOM_INITRD = re.compile(r"^@random:(\d+)$")
_PROGRAM = r"[\w-]+/[\w-]+"
_CONFORMANCE_INITRD = re.compile(rf"^@conformance:({_PROGRAM}(?:,{_PROGRAM})*)$")


class SpecError(Exception):
    """A malformed spec; str() is 'path:line: reason'."""


@dataclass
class Spec:
    name: str                           # file name without .test
    path: Path
    description: str = ""
    boot: str = "kernel"
    append: str = ""
    initrd: Optional[str] = None        # a path (relative to the repo), @random:<bytes>
                                        # or @conformance:<area>/<name>[,...]
    timeout: Optional[float] = None     # None: DEFAULT_TIMEOUT for the boot kind
    exit: str = "pass"
    expects: list[re.Pattern] = field(default_factory=list)
    expect_order: bool = False
    rejects: list[re.Pattern] = field(default_factory=list)
    ktap: bool = False
    needs: set[str] = field(default_factory=set)
    memory: str = "256M"                # QEMU -m
    smp: int = 2                        # QEMU -smp
    qemu: list[str] = field(default_factory=list)   # extra QEMU arguments

    @property
    def time_limit(self) -> float:
        return self.timeout if self.timeout is not None else DEFAULT_TIMEOUT[self.boot]

    @property
    def random_initrd_size(self) -> Optional[int]:
        """The byte count of an `initrd: @random:<bytes>` spec, else None."""
        m = _RANDOM_INITRD.match(self.initrd or "")
        return int(m.group(1)) if m else None

    @property
    def conformance_programs(self) -> Optional[list[str]]:
        """The <area>/<name> list of an `initrd: @conformance:...` spec, else None."""
        m = _CONFORMANCE_INITRD.match(self.initrd or "")
        return m.group(1).split(",") if m else None


def load(path: Path) -> Spec:
    return parse(path.read_text(), path)


def parse(text: str, path: Path) -> Spec:
    spec = Spec(name=path.name.removesuffix(".test"), path=path)
    seen: set[str] = set()
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if not spec.description:
                spec.description = line.lstrip("#").strip()
            continue
        where = f"{path}:{lineno}"
        key, sep, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or key not in _KEYS:
            raise SpecError(f"{where}: expected 'key: value' with a key from {', '.join(sorted(_KEYS))}")
        if key in seen and key not in _REPEATABLE:
            raise SpecError(f"{where}: '{key}' given twice")
        seen.add(key)
        _set(spec, key, value, where)
    _check(spec, path)
    return spec


def _set(spec: Spec, key: str, value: str, where: str) -> None:
    if key == "boot":
        spec.boot = _choice(value, BOOTS, key, where)
    elif key == "append":
        spec.append = value
    elif key == "initrd":
        if value.startswith("@") and not (_RANDOM_INITRD.match(value) or
                                          _CONFORMANCE_INITRD.match(value)):
            raise SpecError(f"{where}: unknown generated initrd {value!r} "
                            "(only @random:<bytes> or @conformance:<area>/<name>[,...])")
        if not value:
            raise SpecError(f"{where}: empty initrd")
        spec.initrd = value
    elif key == "timeout":
        try:
            seconds = float(value)
        except ValueError:
            seconds = 0.0
        if not seconds > 0:
            raise SpecError(f"{where}: timeout must be a positive number of seconds, not {value!r}")
        spec.timeout = seconds
    elif key == "exit":
        spec.exit = _choice(value, EXITS, key, where)
    elif key in ("expect", "reject"):
        try:
            rx = re.compile(value)
        except re.error as e:
            raise SpecError(f"{where}: bad regex {value!r}: {e}") from e
        (spec.expects if key == "expect" else spec.rejects).append(rx)
    elif key in ("expect-order", "ktap"):
        flag = _choice(value, ("yes", "no"), key, where) == "yes"
        if key == "ktap":
            spec.ktap = flag
        else:
            spec.expect_order = flag
    elif key == "needs":
        spec.needs.add(_choice(value, NEEDS, key, where))
    elif key == "smp":
        if not value.isdigit() or not 1 <= int(value) <= 64:
            raise SpecError(f"{where}: smp must be a CPU count from 1 to 64, not {value!r}")
        spec.smp = int(value)
    elif key == "qemu":
        if not value.startswith("-"):
            raise SpecError(f"{where}: qemu takes extra QEMU options such as -no-acpi, not {value!r}")
        spec.qemu += shlex.split(value)
    elif key == "memory":
        if not _MEMORY.match(value):
            raise SpecError(f"{where}: memory must be a size like 32M or 6G, not {value!r}")
        spec.memory = value


def _choice(value: str, allowed, key: str, where: str) -> str:
    if value not in allowed:
        raise SpecError(f"{where}: {key} must be one of {' | '.join(allowed)}, not {value!r}")
    return value


def _check(spec: Spec, path: Path) -> None:
    """Whole-spec consistency: combinations that could never run or never fail."""
    if spec.boot != "kernel":
        spec.needs.add("iso")
        if spec.append or spec.initrd:
            raise SpecError(f"{path}: append/initrd need boot: kernel (the ISO's grub.cfg fixes the command line)")
    if spec.exit == "none" and not spec.expects:
        raise SpecError(f"{path}: exit: none needs at least one expect: line (it decides when the test is done)")
    if spec.ktap and spec.exit == "none":
        raise SpecError(f"{path}: ktap: yes needs the kernel to exit (exit: pass or fail)")
