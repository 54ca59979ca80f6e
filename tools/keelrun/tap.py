"""TAP and KTAP v1 parsing, tolerant of truncated output.

Host unit tests (cmocka) print flat TAP; the kernel prints KTAP v1, Linux
KUnit's nested dialect, where a suite is an indented sub-document followed by
one result line at the parent's level. A kernel that crashes mid-run leaves the
stream cut off, so parsing never fails: unfinished suites become incomplete
results, and cases() turns every planned-but-unreported test into a "missing"
case, so a crash can never look like a pass.

Diagnostics: KUnit prints a case's failure details *before* its result line,
cmocka prints them *after*; parse() is told which (diagnostics="before"|"after").
"""
import re
from dataclasses import dataclass, field
from typing import Optional

_VERSION = re.compile(r"^K?TAP version \d+\s*$")
_PLAN = re.compile(r"^1\.\.(\d+)\b")
_RESULT = re.compile(r"^(ok|not ok)\s+(\d+)\b(?:\s+-)?\s*(.*?)\s*$")   # numbers are mandatory in KTAP
_DIRECTIVE = re.compile(r"^(.*?)\s*(?<!\\)#\s*(SKIP|TODO)\b\s*(.*)$", re.IGNORECASE)
_SUBTEST = re.compile(r"^#\s*Subtest:\s*(.*?)\s*$")
_BAIL = re.compile(r"^Bail out!\s*(.*)$")


@dataclass
class Result:
    """One result line (`ok 1 name`), with the subtests it concludes, if any."""
    number: int
    name: str
    ok: bool
    directive: str = ""                 # "SKIP", "TODO" or ""
    reason: str = ""                    # text after the directive
    diagnostics: list[str] = field(default_factory=list)
    children: list["Result"] = field(default_factory=list)
    plan: Optional[int] = None          # the subtests' plan
    complete: bool = True               # False: output ended before this result line


@dataclass
class Stream:
    """A (K)TAP document or sub-document at one indentation level."""
    indent: int
    name: str = ""
    plan: Optional[int] = None
    results: list[Result] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)   # lines since the last result
    open_child: Optional["Stream"] = None              # subtest awaiting its result line
    bailed: str = ""

    @property
    def started(self) -> bool:
        return self.plan is not None or bool(self.results)


@dataclass
class Case:
    """A leaf test after flattening: path is (suite, case) for KTAP, (case,) for TAP."""
    path: tuple[str, ...]
    outcome: str                        # "pass" | "fail" | "skip" | "missing"
    detail: str = ""                    # directive reason or why it failed
    diagnostics: list[str] = field(default_factory=list)


def _classify(body: str):
    """(kind, match) for a line without its indentation."""
    for kind, rx in (("version", _VERSION), ("plan", _PLAN), ("result", _RESULT),
                     ("subtest", _SUBTEST), ("bail", _BAIL)):
        m = rx.match(body)
        if m:
            return kind, m
    return ("diag" if body.startswith("#") else "text"), None


def parse(lines, diagnostics: str = "before") -> Stream:
    """Parse (K)TAP lines (already without kernel log prefixes) into the
    top-level stream. Lines before the first (K)TAP line, and lines less
    indented than the top level, are ignored as ordinary log output."""
    if diagnostics not in ("before", "after"):
        raise ValueError(diagnostics)
    root: Optional[Stream] = None
    stack: list[Stream] = []
    for line in lines:
        body = line.lstrip()
        if not body:
            continue
        indent = len(line) - len(body)
        kind, m = _classify(body)
        if root is None:
            if kind not in ("version", "plan", "result"):
                continue
            root = Stream(indent)
            stack.append(root)
        if kind == "bail":
            root.bailed = m.group(1) or "Bail out!"
            break
        if indent < root.indent:
            continue
        structural = kind in ("version", "subtest", "plan", "result")
        if not structural:              # details, diagnostics and unrelated log lines
            if diagnostics == "after" and kind == "diag" and stack[-1].results:
                stack[-1].results[-1].diagnostics.append(body)
            else:
                stack[-1].pending.append(body)
            continue
        if indent > stack[-1].indent:
            _open_child(stack, indent)
        while indent < stack[-1].indent:
            child = stack.pop()
            _finish_open_child(stack[-1])
            stack[-1].open_child = child
        cur = stack[-1]
        if kind == "subtest":
            if not cur.started and not cur.name:
                cur.name = m.group(1)
            else:
                cur.pending.append(body)
        elif kind == "plan":
            cur.plan = int(m.group(1))
        elif kind == "result":
            cur.results.append(_result(cur, m, diagnostics))
    if root is None:
        return Stream(0)
    while len(stack) > 1:               # output ended inside subtests
        child = stack.pop()
        _finish_open_child(stack[-1])
        stack[-1].open_child = child
    _finish_open_child(root)
    return root


def _open_child(stack: list[Stream], indent: int) -> None:
    parent = stack[-1]
    _finish_open_child(parent)
    stack.append(Stream(indent))


def _finish_open_child(stream: Stream) -> None:
    """A subtest whose result line never came becomes an incomplete result."""
    child = stream.open_child
    if child is None:
        return
    stream.open_child = None
    stream.results.append(Result(
        number=len(stream.results) + 1, name=child.name, ok=False,
        diagnostics=child.pending, children=child.results, plan=child.plan,
        complete=False))


def _result(cur: Stream, m, diagnostics: str) -> Result:
    child, cur.open_child = cur.open_child, None
    number = int(m.group(2))
    desc, directive, reason = m.group(3), "", ""
    d = _DIRECTIVE.match(desc)
    if d:
        desc, directive, reason = d.group(1), d.group(2).upper(), d.group(3)
    r = Result(number=number, name=desc, ok=m.group(1) == "ok",
               directive=directive, reason=reason)
    if child is not None:
        r.children, r.plan = child.results, child.plan
        r.name = r.name or child.name
        r.diagnostics = child.pending
    if diagnostics == "before":
        r.diagnostics = r.diagnostics + cur.pending
    cur.pending = []
    return r


def cases(stream: Stream, prefix: tuple[str, ...] = ()) -> list[Case]:
    """Flatten into leaf cases, adding one "missing" case per planned test that
    never reported (named #N) and a "fail" for a suite reported not ok whose
    cases all passed (a failing suite init/exit must not vanish)."""
    return _cases(stream.results, stream.plan, prefix)


def _cases(results: list[Result], plan: Optional[int], prefix) -> list[Case]:
    out: list[Case] = []
    for r in results:
        path = prefix + (r.name or f"#{r.number}",)
        skipped = r.directive in ("SKIP", "TODO")
        if r.children or r.plan:
            sub = _cases(r.children, r.plan, path)
            out += sub
            if not r.ok and not skipped and r.complete and \
                    all(c.outcome in ("pass", "skip") for c in sub):
                out.append(Case(path, "fail", "reported not ok although its cases passed",
                                r.diagnostics))
        elif not r.complete:
            out.append(Case(path, "missing", "output ended before its result", r.diagnostics))
        elif skipped:
            out.append(Case(path, "skip", r.reason))
        else:
            out.append(Case(path, "pass" if r.ok else "fail", "", r.diagnostics))
    if plan is not None:
        reported = {r.number for r in results}
        for n in (n for n in range(1, plan + 1) if n not in reported):
            out.append(Case(prefix + (f"#{n}",), "missing", "never reported (output ended early)"))
    return out
