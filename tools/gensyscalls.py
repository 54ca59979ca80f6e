#!/usr/bin/env python3
"""Generate the system-call numbers, dispatch table and docs from the table.

  tools/gensyscalls.py TABLE [--header H] [--table C] [--doc MD]
                             [--warn-if-stale DOC]

TABLE is kernel/syscall/syscall_64.tbl; its head comment describes the
format. The outputs:

  --header  SYS_<name> numbers, SYSCALL_NR_MAX, NR_SYSCALLS, and for each
            implemented entry its prototype and SYSCALL_NARGS_<entry>
            (SYSCALL_DEFINEn in keel/syscall.h checks its n against it)
  --table   syscall_table[NR_SYSCALLS]: { name, entry or NULL, arguments }
  --doc     the Markdown table committed as docs/syscalls.md

--warn-if-stale DOC prints a warning (and still succeeds) when DOC differs
from the generated Markdown; the tools self-tests fail on it instead.

The table is checked first; every problem is reported as FILE:LINE: message
and nothing is written. Exit status: 0 written, 1 bad table, 2 bad usage.
"""
import argparse
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

TABLE = "kernel/syscall/syscall_64.tbl"   # the name generated files cite
GENERATOR = "tools/gensyscalls.py"
DOC = "docs/syscalls.md"

NOT_YET = "-"       # Keel does not implement it yet
LINUX_NI = "ni"     # Linux has no implementation on x86_64 either
MAX_NR = 1023       # numbers index an array; a larger one is a typo
MAX_ARGS = 6        # x86_64 passes arguments in six registers

_NUMBER = re.compile(r"0|[1-9][0-9]*")
_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_ENTRY = re.compile(r"sys_[A-Za-z0-9_]+")
# One C parameter: a type (words and stars) then a name.
_PARAM = re.compile(r"[A-Za-z_][A-Za-z0-9_ *]*?[ *]([A-Za-z_][A-Za-z0-9_]*)")
_TYPE_WORDS = {"void", "char", "short", "int", "long", "signed", "unsigned",
               "const", "volatile", "struct", "union", "enum"}


@dataclass(frozen=True)
class Syscall:
    nr: int
    name: str
    entry: str                          # sys_<...>, NOT_YET or LINUX_NI
    params: Optional[tuple[str, ...]]   # None: not recorded; (): void
    line: int

    @property
    def implemented(self) -> bool:
        return self.entry not in (NOT_YET, LINUX_NI)

    @property
    def nargs(self) -> int:
        """Argument count, -1 when the signature is not recorded."""
        return -1 if self.params is None else len(self.params)


class TableError(Exception):
    """The table is malformed; .errors holds one FILE:LINE: message each."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def _parse_signature(text: str) -> tuple[Optional[tuple[str, ...]], list[str]]:
    """The parameters of a signature and the problems found in it."""
    if not text:
        return None, []
    if text == "void":
        return (), []
    params, names, problems = [], set(), []
    for i, raw in enumerate(text.split(","), 1):
        param = " ".join(raw.split())
        m = _PARAM.fullmatch(param)
        if not m:
            problems.append(f"argument {i} ({param or 'empty'!r}) is not a C parameter "
                            "like 'const char *path'")
            continue
        name = m.group(1)
        if name in _TYPE_WORDS:
            problems.append(f"argument {i} ({param!r}) has no name")
        elif name in names:
            problems.append(f"argument name {name!r} is used twice")
        names.add(name)
        params.append(param)
    if len(params) > MAX_ARGS:
        problems.append(f"{len(params)} arguments; x86_64 passes at most {MAX_ARGS}")
    return tuple(params), problems


def parse(text: str, path: str = TABLE) -> list[Syscall]:
    """The table's rows, checked; raises TableError listing every problem."""
    calls: list[Syscall] = []
    errors: list[str] = []
    by_nr: dict[int, int] = {}
    by_name: dict[str, int] = {}
    by_entry: dict[str, int] = {}
    last_nr, last_line = -1, 0

    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        errors_before = len(errors)

        def err(msg: str) -> None:
            errors.append(f"{path}:{lineno}: {msg}")

        fields = stripped.split(None, 3)
        if len(fields) < 3:
            err(f"expected '<number> <name> <entry> [<signature>]', got {stripped!r}")
            continue
        number, name, entry = fields[:3]
        signature = fields[3].strip() if len(fields) == 4 else ""
        implemented = entry not in (NOT_YET, LINUX_NI)

        nr = int(number) if _NUMBER.fullmatch(number) else None
        if nr is None:
            err(f"number {number!r} is not a decimal number")
        elif nr > MAX_NR:
            err(f"number {nr} is above {MAX_NR} (the dispatch table is an array)")
        elif nr in by_nr:
            err(f"number {nr} is already used on line {by_nr[nr]}")
        elif nr < last_nr:
            err(f"number {nr} is out of order (after {last_nr} on line {last_line})")
        else:
            by_nr[nr] = lineno
            last_nr, last_line = nr, lineno

        if not _NAME.fullmatch(name):
            err(f"name {name!r} is not a lower-case identifier")
        elif name in by_name:
            err(f"name {name!r} is already used on line {by_name[name]}")
        else:
            by_name[name] = lineno

        if implemented and not _ENTRY.fullmatch(entry):
            err(f"entry {entry!r} must be '{NOT_YET}', '{LINUX_NI}' or a C function "
                "named sys_<...>")
        elif implemented and entry in by_entry:
            err(f"entry {entry} is already used on line {by_entry[entry]}")
        elif implemented:
            by_entry[entry] = lineno

        params, problems = _parse_signature(signature)
        for p in problems:
            err(f"{name}: {p}")
        if entry == LINUX_NI and signature:
            err(f"{name}: an '{LINUX_NI}' row takes no signature (Linux has nothing to call)")
        if implemented and not signature and _ENTRY.fullmatch(entry):
            err(f"{name}: implemented by {entry} but has no signature ('void' for none); "
                "SYSCALL_DEFINEn checks its argument count against it")

        if len(errors) == errors_before:
            calls.append(Syscall(nr, name, entry, params, lineno))

    if not calls and not errors:
        errors.append(f"{path}: no system calls in the table")
    if errors:
        raise TableError(errors)
    return calls


def _banner(comment_open: str, comment_close: str = "") -> str:
    return (f"{comment_open} Generated by {GENERATOR} from {TABLE}; "
            f"do not edit.{comment_close}\n")


def render_header(calls: list[Syscall]) -> str:
    nr_max = calls[-1].nr
    width = max(len(c.name) for c in calls) + len("SYS_") + 1
    out = ["/*\n",
           f" * Generated by {GENERATOR} from {TABLE}; do not edit.\n",
           " * Include <keel/syscall.h>, which explains these names.\n",
           " */\n",
           "#ifndef GENERATED_SYSCALLS_H\n#define GENERATED_SYSCALLS_H\n\n"]
    out += [f"#define {'SYS_' + c.name:<{width}} {c.nr}\n" for c in calls]
    out.append(f"\n#define SYSCALL_NR_MAX {nr_max}\n")
    out.append(f"#define NR_SYSCALLS    {nr_max + 1}\n")
    implemented = [c for c in calls if c.implemented]
    out.append(f"#define SYSCALLS_IMPLEMENTED {len(implemented)}\n")
    out.append("\n#ifndef __ASSEMBLY__\nstruct syscall_args;\n\n")
    out.append("/* Implemented entries and their argument counts (SYSCALL_DEFINEn). */\n")
    if not implemented:
        out.append("/* none yet */\n")
    for c in implemented:
        out.append(f"long {c.entry}(const struct syscall_args *args);\n")
        out.append(f"#define SYSCALL_NARGS_{c.entry} {c.nargs}\n")
    out.append("#endif /* __ASSEMBLY__ */\n\n#endif /* GENERATED_SYSCALLS_H */\n")
    return "".join(out)


def render_table(calls: list[Syscall]) -> str:
    out = [_banner("/*", " */"),
           "#include <keel/syscall.h>\n\n",
           "/* { name, entry (NULL: -ENOSYS), argument count (-1: not recorded) } */\n",
           "const struct syscall_desc syscall_table[NR_SYSCALLS] = {\n"]
    for c in calls:
        fn = c.entry if c.implemented else "NULL"
        out.append(f'\t[SYS_{c.name}] = {{ "{c.name}", {fn}, {c.nargs} }},\n')
    out.append("};\n")
    return "".join(out)


def _ranges(numbers: list[int]) -> str:
    spans, start = [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            spans.append(f"{start}" if start == n else f"{start}–{n}")
            start = None
    return ", ".join(spans)


def render_doc(calls: list[Syscall]) -> str:
    implemented = sum(c.implemented for c in calls)
    linux_ni = sum(c.entry == LINUX_NI for c in calls)
    not_yet = len(calls) - implemented - linux_ni
    out = [_banner("<!--", " -->"), "\n",
           "# System calls\n\n",
           "Keel runs Linux x86_64 programs, so its system calls are Linux's: the same\n",
           f"numbers, arguments and errors. This page is generated from `{TABLE}`\n",
           f"by `{GENERATOR}`; to change it, edit the table and run\n",
           f"`{GENERATOR} {TABLE} --doc {DOC}`\n",
           "(`make` warns when this copy is stale and `make test` fails).\n\n",
           f"- **{len(calls)}** numbers ({_ranges([c.nr for c in calls])})\n",
           f"- **{implemented}** implemented by Keel\n",
           f"- **{not_yet}** not implemented yet\n",
           f"- **{linux_ni}** with no implementation in Linux on x86_64 either "
           "(removed, never merged, or 32-bit only)\n\n",
           "Calling a number that is not implemented returns `-ENOSYS` (38) and logs\n",
           "`syscall: <name> (<number>) not implemented` once per boot; a number outside\n",
           "the table logs `syscall: unknown number <number>`. As on Linux, only the low\n",
           "32 bits of `rax` select the call. Arguments are listed as the kernel receives\n",
           "them, in `rdi`, `rsi`, `rdx`, `r10`, `r8` and `r9`.\n\n",
           "| Nr | Name | Status | Arguments |\n",
           "| ---: | --- | --- | --- |\n"]
    for c in calls:
        if c.implemented:
            status = f"implemented (`{c.entry}`)"
        elif c.entry == LINUX_NI:
            status = "none in Linux"
        else:
            status = "not yet"
        if c.params is None:
            args = ""
        else:
            args = f"`{', '.join(c.params) or 'void'}`"
        out.append(f"| {c.nr} | {c.name} | {status} | {args} |\n")
    return "".join(out)


def _write(path: str, text: str) -> None:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, p)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="gensyscalls.py",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("table", help=f"the system-call table ({TABLE})")
    ap.add_argument("--header", help="write the numbers header here")
    ap.add_argument("--table", dest="c_table", metavar="C", help="write the dispatch table here")
    ap.add_argument("--doc", help="write the Markdown table here")
    ap.add_argument("--warn-if-stale", metavar="DOC",
                    help="warn if DOC differs from the generated Markdown")
    args = ap.parse_args(argv)
    try:
        with open(args.table) as f:
            text = f.read()
    except OSError as e:
        print(f"gensyscalls.py: {args.table}: {e.strerror}", file=sys.stderr)
        return 1
    try:
        calls = parse(text, args.table)
    except TableError as e:
        for msg in e.errors:
            print(f"{msg}", file=sys.stderr)
        print(f"gensyscalls.py: {len(e.errors)} error(s) in {args.table}; nothing written",
              file=sys.stderr)
        return 1
    doc = render_doc(calls)
    if args.header:
        _write(args.header, render_header(calls))
    if args.c_table:
        _write(args.c_table, render_table(calls))
    if args.doc:
        _write(args.doc, doc)
    if args.warn_if_stale:
        try:
            current = Path(args.warn_if_stale).read_text()
        except OSError:
            current = None
        if current != doc:
            print(f"gensyscalls.py: warning: {args.warn_if_stale} does not match {args.table}; "
                  f"update it with: {GENERATOR} {args.table} --doc {args.warn_if_stale}",
                  file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
