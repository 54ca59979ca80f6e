"""compile_commands.json entries from `make -n` output.

`make -n -B V=1` prints every recipe line without running it; the lines that
invoke a C compiler on a source file become compilation-database entries
(https://clang.llvm.org/docs/JSONCompilationDatabase.html) for clangd and
other editors. Shell plumbing around a command (`mkdir -p x && gcc ...`,
`; mv`, redirections) is split off first.
"""
import os
import re
import shlex
from pathlib import Path

_COMPILER = re.compile(r"^(?:.*-)?(?:gcc|cc|clang|g\+\+|c\+\+|clang\+\+)(?:-\d+(?:\.\d+)*)?$")
_SOURCE = re.compile(r"\.(?:c|S|s|cc|cpp|cxx)$")
_SEPARATORS = {"&&", "||", ";", "|", "&"}
_REDIRECTS = {">", ">>", "<", ">&", "&>", "&>>", "<&"}


def commands(line: str) -> list[list[str]]:
    """The simple commands of one shell line, redirections removed."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError:          # unbalanced quotes: not a line we can use
        return []
    out, cur, skip_next = [], [], False
    for tok in tokens:
        if skip_next:
            skip_next = False
        elif tok in _SEPARATORS or tok in ("(", ")"):
            if cur:
                out.append(cur)
            cur = []
        elif tok in _REDIRECTS:
            if cur and cur[-1].isdigit():     # the fd of "2>file" lexes as its own token
                cur.pop()
            skip_next = True
        else:
            cur.append(tok)
    if cur:
        out.append(cur)
    return out


def entries(make_output: str, directory: Path) -> list[dict]:
    """One entry per source file compiled with -c. A file compiled twice (a
    kernel file also built into a host unit test) keeps its first command, so
    make's targets are listed in order of preference (kernel first)."""
    result, seen = [], set()
    for line in make_output.splitlines():
        line = line.strip().lstrip("@")
        for argv in commands(line):
            if not argv or not _COMPILER.match(os.path.basename(argv[0])) or "-c" not in argv:
                continue
            sources = [a for a in argv[1:] if _SOURCE.search(a) and not a.startswith("-")]
            if len(sources) != 1 or sources[0] in seen:
                continue
            seen.add(sources[0])
            entry = {"directory": str(directory), "file": sources[0], "arguments": argv}
            if "-o" in argv[:-1]:
                entry["output"] = argv[argv.index("-o") + 1]
            result.append(entry)
    return result
