#!/usr/bin/env python3
"""mksystem: the initramfs of Keel's default system, the image `make run` boots.

  tools/mksystem.py -o build/system/initramfs.cpio \\
      --init build/user/init/keel-init --programs build/user/system/*

The archive (cpio "newc", written by tools/mkinitramfs.py's helpers) boots
Keel and Debian's Linux kernel alike (-initrd; Linux needs rdinit=/init). It
holds:

  /init               keel-init (user/init/keel-init.c): mounts, host name,
                      a login shell on /dev/ttyS0, shutdown
  /bin/busybox        Debian's busybox-static, with one symlink per applet
                      where `busybox --list-full` puts it (/bin, /sbin,
                      /usr/bin, /usr/sbin)
  /bin/<program>      Keel's own tools (user/system/*.c), e.g. ptyrun
  /etc/...            the files under user/system/rootfs/etc (passwd, group,
                      hostname, profile...), /etc/mtab -> /proc/mounts
  /dev/console, /dev/null   for the moments before devtmpfs is mounted
  mount points and /root, /tmp (1777)

The output is deterministic: the same inputs give the same bytes.
"""
import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mkinitramfs import (_write, char_device, data_file, directory,  # noqa: E402
                         host_file, symlink, write_newc)

REPO = Path(__file__).resolve().parent.parent
ROOTFS = REPO / "user/system/rootfs"
EMPTY_DIRS = ("proc", "sys", "dev/pts", "dev/shm", "mnt", "home", "var/log", "run",
              "bin", "sbin", "usr/bin", "usr/sbin")


def busybox_links(busybox: Path) -> list:
    """One symlink to /bin/busybox per applet, where Debian installs it."""
    out = subprocess.run([str(busybox), "--list-full"], check=True, capture_output=True,
                         text=True).stdout.split()
    links = {}
    for path in out:
        path = path.strip("/")
        if "/" not in path or path == "bin/busybox":
            continue        # linuxrc (an initrd convention) and busybox itself
        links[path] = symlink(path, "/bin/busybox")
    return [links[p] for p in sorted(links)]


def rootfs_files(root: Path) -> list:
    """The tree under root, files keeping only their executable bit."""
    entries = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            entries.append(symlink(rel, str(path.readlink())))
        elif path.is_dir():
            entries.append(directory(rel))
        else:
            entries.append(host_file(rel, path))
    return entries


def system(init: Path, busybox: Path, programs: list, root: Path) -> list:
    """The archive's entries."""
    entries = [host_file("init", init), host_file("bin/busybox", busybox),
               symlink("etc/mtab", "/proc/mounts"),
               char_device("dev/console", 5, 1), char_device("dev/null", 1, 3, 0o666)]
    entries += [directory(d) for d in EMPTY_DIRS]
    entries += [directory("root", 0o700), directory("tmp", 0o1777)]
    entries += busybox_links(busybox)
    taken = {e.path for e in entries}
    for prog in sorted(programs, key=lambda p: p.name):
        path = f"bin/{prog.name}"
        if path in taken:
            raise ValueError(f"{prog}: /{path} is already a busybox applet")
        entries.append(host_file(path, prog))
    entries += rootfs_files(root)
    return entries


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", type=Path, required=True, help="the cpio archive to write")
    ap.add_argument("--init", type=Path, required=True, help="keel-init (becomes /init)")
    ap.add_argument("--busybox", type=Path, default=Path("/bin/busybox"), help="static busybox")
    ap.add_argument("--programs", type=Path, nargs="*", default=[],
                    help="Keel's own programs, installed as /bin/<name>")
    ap.add_argument("--rootfs", type=Path, default=ROOTFS,
                    help="tree copied into the archive (default user/system/rootfs)")
    args = ap.parse_args()
    try:
        archive = write_newc(system(args.init, args.busybox, args.programs, args.rootfs))
    except (OSError, ValueError, subprocess.CalledProcessError) as e:
        print(f"mksystem: {e}", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    _write(args.output, archive)
    return 0


if __name__ == "__main__":
    sys.exit(main())
