#!/usr/bin/env python3
"""compile-commands.py MAKE [TARGET...] - write build/compile_commands.json.

Runs `MAKE -n -B V=1 TARGET...` (default targets: all unit, i.e. the kernel
and the host unit tests) in the repository root and records every compiler
invocation it would run, so clangd and other editors see the real flags.
A file built by several targets keeps the first target's flags (the kernel's).
Prints the path it wrote.

    make compile_commands.json      (runs: tools/compile-commands.py make)
"""
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from keelrun import REPO, compdb  # noqa: E402


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    make, targets = sys.argv[1], sys.argv[2:] or ["all", "unit"]
    cmd = [make, "-n", "-B", "V=1", *targets]
    try:
        proc = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except OSError as e:
        print(f"compile-commands.py: cannot run {make}: {e.strerror}", file=sys.stderr)
        return 1
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        print(f"compile-commands.py: `{' '.join(cmd)}` failed", file=sys.stderr)
        return 1
    entries = compdb.entries(proc.stdout, REPO)
    if not entries:
        print(f"compile-commands.py: no compiler commands in `{' '.join(cmd)}` output", file=sys.stderr)
        return 1
    out = REPO / "build" / "compile_commands.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(entries, indent=2) + "\n")
    tmp.replace(out)
    print(out.relative_to(REPO))
    return 0


if __name__ == "__main__":
    sys.exit(main())
