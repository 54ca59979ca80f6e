#!/usr/bin/env python3
"""mkinitramfs: the conformance suite's initramfs, a cpio "newc" archive.

  tools/mkinitramfs.py -o build/conformance/initramfs.cpio \\
      --init build/user/init/conformance-init --sources user/tests \\
      --tests build/user/tests/*/* --scenarios user/scenarios/*.sh

The same archive boots Debian's Linux kernel and Keel (-initrd). It holds the
test init as /init, busybox with one /bin symlink per applet, the test
programs under /conformance/tests/<area>/<name>, the scenario scripts under
/conformance/scenarios/, the run order in /conformance/list, a minimal /etc
(root and nobody, so `id` works) and the mount points the init uses. The list
is also written next to the archive (<dir>/list): the runner reads it to know
which tests a run should have reported.

/conformance/list has one test per line, `<kind> <id> <path> <timeout>`:
kind is `prog` or `scenario`, timeout the seconds after which the init kills
the test. It is 30 unless the program's source or the script contains
`conformance-timeout: <seconds>`.

The output is deterministic (entries sorted by path, inode numbers in that
order, mtime 0, owner root), so the same inputs give the same bytes.
Python standard library only; the newc format is written here (see
write_newc) rather than by cpio(1), which would record the build host's
mtimes, owners and inode numbers.
"""
import argparse
import os
import re
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

DEFAULT_TIMEOUT = 30
_TIMEOUT_MARK = re.compile(rb"conformance-timeout:\s*(\d+)")
_NAME = re.compile(r"^[A-Za-z0-9_.+-]+$")

PASSWD = b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
GROUP = b"root:x:0:\nnogroup:x:65534:\n"


@dataclass(frozen=True)
class Entry:
    """One archive member. path has no leading '/'; mode is a full st_mode
    (type and permission bits); data is a file's contents or a symlink's
    target; rdev is (major, minor) of a device node."""
    path: str
    mode: int
    data: bytes = b""
    rdev: tuple[int, int] = (0, 0)


def directory(path: str, perm: int = 0o755) -> Entry:
    return Entry(path.strip("/"), stat.S_IFDIR | perm)


def data_file(path: str, data: bytes, perm: int = 0o644) -> Entry:
    return Entry(path.strip("/"), stat.S_IFREG | perm, data)


def host_file(path: str, source: Path) -> Entry:
    """A copy of a host file; executables stay executable, nothing else of
    the host's metadata is kept."""
    perm = 0o755 if os.access(source, os.X_OK) else 0o644
    return data_file(path, source.read_bytes(), perm)


def symlink(path: str, target: str) -> Entry:
    return Entry(path.strip("/"), stat.S_IFLNK | 0o777, target.encode())


def char_device(path: str, major: int, minor: int, perm: int = 0o600) -> Entry:
    return Entry(path.strip("/"), stat.S_IFCHR | perm, rdev=(major, minor))


def _header(ino: int, e: Entry, name: bytes) -> bytes:
    nlink = 2 if stat.S_ISDIR(e.mode) else 1
    fields = (ino, e.mode, 0, 0, nlink, 0, len(e.data), 0, 0, e.rdev[0], e.rdev[1],
              len(name) + 1, 0)
    return b"070701" + b"".join(b"%08X" % f for f in fields)


def _pad4(n: int) -> bytes:
    return b"\0" * (-n % 4)


def write_newc(entries: list[Entry]) -> bytes:
    """The archive: entries sorted by path (a directory always precedes its
    contents), missing parent directories added. The newc layout per member
    is a 110-byte ASCII header ("070701" and thirteen 8-digit hex fields),
    the NUL-terminated name padded so the data starts 4-byte aligned, the
    data padded to 4 bytes; a member named TRAILER!!! ends the archive."""
    by_path: dict[str, Entry] = {}
    for e in entries:
        if not e.path or e.path.startswith("/") or ".." in e.path.split("/"):
            raise ValueError(f"bad archive path {e.path!r}")
        if e.path in by_path:
            raise ValueError(f"{e.path} given twice")
        by_path[e.path] = e
    for path in list(by_path):
        parent = os.path.dirname(path)
        while parent and parent not in by_path:
            by_path[parent] = directory(parent)
            parent = os.path.dirname(parent)
    out = bytearray()
    members = [by_path[p] for p in sorted(by_path, key=lambda p: p.split("/"))]
    members.append(Entry("TRAILER!!!", 0))
    for ino, e in enumerate(members, 1):
        name = e.path.encode()
        head = _header(0 if e.path == "TRAILER!!!" else ino, e, name) + name + b"\0"
        out += head + _pad4(len(head)) + e.data + _pad4(len(e.data))
    return bytes(out)


def _timeout(source: Path) -> int:
    m = _TIMEOUT_MARK.search(source.read_bytes()) if source.is_file() else None
    return int(m.group(1)) if m else DEFAULT_TIMEOUT


def _check_name(path: Path) -> None:
    """Ids and paths go into a space-separated list and the init's argv."""
    if not _NAME.match(path.name):
        raise ValueError(f"{path}: test names may only use letters, digits and _.+-")


def conformance(init: Path, busybox: Path, tests: list[Path], sources: Path,
                scenarios: list[Path]) -> tuple[list[Entry], str]:
    """(archive entries, test list): programs (<dir>/<area>/<name>, their
    sources in sources/<area>/<name>.c) in area/name order, then scenarios."""
    entries = [host_file("init", init), host_file("bin/busybox", busybox),
               data_file("etc/passwd", PASSWD), data_file("etc/group", GROUP),
               symlink("etc/mtab", "/proc/mounts"),
               # Used when the kernel has no devtmpfs (the init keeps going without it).
               char_device("dev/console", 5, 1), char_device("dev/null", 1, 3, 0o666)]
    entries += [directory(d) for d in ("proc", "sys", "dev/pts", "usr/bin", "root")]
    entries.append(directory("tmp", 0o1777))
    applets = subprocess.run([str(busybox), "--list"], check=True, capture_output=True,
                             text=True).stdout.split()
    entries += [symlink(f"bin/{a}", "busybox") for a in sorted(set(applets)) if a != "busybox"]

    lines = []
    for binary in sorted(tests, key=lambda p: (p.parent.name, p.name)):
        _check_name(binary)
        _check_name(binary.parent)
        rel = f"{binary.parent.name}/{binary.name}"
        entries.append(host_file(f"conformance/tests/{rel}", binary))
        lines.append(f"prog {rel} /conformance/tests/{rel} {_timeout(sources / (rel + '.c'))}")
    for script in sorted(scenarios, key=lambda p: p.name):
        _check_name(script)
        name = script.name.removesuffix(".sh")
        entries.append(host_file(f"conformance/scenarios/{script.name}", script))
        lines.append(f"scenario scenario/{name} /conformance/scenarios/{script.name} {_timeout(script)}")
    test_list = "".join(line + "\n" for line in lines)
    entries.append(data_file("conformance/list", test_list.encode()))
    return entries, test_list


def _write(path: Path, data: bytes) -> None:
    """Replace path atomically: a failed build never leaves half an archive."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", type=Path, required=True, help="the cpio archive to write")
    ap.add_argument("--init", type=Path, required=True, help="the test init binary (becomes /init)")
    ap.add_argument("--busybox", type=Path, default=Path("/bin/busybox"), help="static busybox")
    ap.add_argument("--sources", type=Path, required=True, help="program sources: <dir>/<area>/<name>.c")
    ap.add_argument("--tests", type=Path, nargs="*", default=[], help="built programs .../<area>/<name>")
    ap.add_argument("--scenarios", type=Path, nargs="*", default=[], help="scenario scripts <name>.sh")
    args = ap.parse_args()
    try:
        entries, test_list = conformance(args.init, args.busybox, args.tests, args.sources,
                                         args.scenarios)
        archive = write_newc(entries)
    except (OSError, ValueError, subprocess.CalledProcessError) as e:
        print(f"mkinitramfs: {e}", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    _write(args.output.parent / "list", test_list.encode())
    _write(args.output, archive)
    return 0


if __name__ == "__main__":
    sys.exit(main())
