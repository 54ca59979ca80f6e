"""keelrun: the Python side of Keel's test tooling.

tools/qemu-run and tools/keel-test are thin command-line front ends; the logic
lives here so it can be unit-tested on canned logs (see tests/) without a
kernel or QEMU:

    logline   kernel log line normalisation (timestamp prefix, ANSI codes)
    qemu      QEMU command lines, firmware files, runs with a timeout
    tap       TAP (host unit tests) and KTAP (in-kernel tests) parsing
    spec      tests/system/*.test files
    knownfail tests/system/known-failures
    results   test outcomes and how a group's results are judged
    system    running one system-test spec
    unit      running one host unit-test binary
    conformance  the user-space conformance suite: one boot, judged from its log
    report    what keel-test prints
    compdb    compile_commands.json from `make -n` output
"""
from pathlib import Path

#: The repository root; default paths (build/keel.elf, build/logs/...) are relative to it.
REPO = Path(__file__).resolve().parents[2]
