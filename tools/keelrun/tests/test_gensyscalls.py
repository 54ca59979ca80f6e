"""tools/gensyscalls.py: table checks (every mistake reported with its line),
the generated header, dispatch table and Markdown, and the real table
against Linux's numbers and the committed docs/syscalls.md."""
import contextlib
import io
import re
import tempfile
import unittest
from pathlib import Path

import gensyscalls as gs
from keelrun import REPO

GOOD = """\
# a comment, then a blank line

0\tread\t\tsys_read\tunsigned int fd,  char *buf, size_t count
1\twrite\t\t-\tunsigned int fd, const char *buf, size_t count
3\tclose\t\t-
5\ttuxcall\t\tni
7\tgetpid\t\tsys_getpid\tvoid
"""

HOST_UNISTD = Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")


def errors_of(text: str) -> list[str]:
    """The messages parse() rejects @text with; fails if it accepts it."""
    try:
        gs.parse(text, "t.tbl")
    except gs.TableError as e:
        return e.errors
    raise AssertionError("the table was accepted")


class ParseTest(unittest.TestCase):
    def test_good_table(self):
        calls = gs.parse(GOOD, "t.tbl")
        self.assertEqual([(c.nr, c.name, c.entry) for c in calls],
                         [(0, "read", "sys_read"), (1, "write", "-"), (3, "close", "-"),
                          (5, "tuxcall", "ni"), (7, "getpid", "sys_getpid")])
        read, write, close, tuxcall, getpid = calls
        self.assertEqual(read.params, ("unsigned int fd", "char *buf", "size_t count"))
        self.assertEqual((read.nargs, close.nargs, tuxcall.nargs, getpid.nargs), (3, -1, -1, 0))
        self.assertEqual((read.implemented, write.implemented, tuxcall.implemented),
                         (True, False, False))
        self.assertEqual(read.line, 3)

    def assert_rejected(self, row: str, *fragments: str, line: int = 2):
        """@row, placed on line 2 after a good row, is rejected with a
        message on that line containing every fragment."""
        errors = errors_of("0\tread\t-\tvoid\n" + row + "\n")
        self.assertEqual(len(errors), 1, errors)
        self.assertTrue(errors[0].startswith(f"t.tbl:{line}: "), errors[0])
        for fragment in fragments:
            self.assertIn(fragment, errors[0])

    def test_fields(self):
        self.assert_rejected("1\twrite", "expected '<number> <name> <entry>")

    def test_numbers(self):
        self.assert_rejected("x1\twrite\t-", "'x1' is not a decimal number")
        self.assert_rejected("01\twrite\t-", "'01' is not a decimal number")
        self.assert_rejected("-1\twrite\t-", "'-1' is not a decimal number")
        self.assert_rejected("1024\twrite\t-", "1024 is above 1023")
        self.assert_rejected("0\twrite\t-", "number 0 is already used on line 1")

    def test_order(self):
        errors = errors_of("0\tread\t-\n5\tfive\t-\n3\tthree\t-\n")
        self.assertEqual(errors, ["t.tbl:3: number 3 is out of order (after 5 on line 2)"])

    def test_names(self):
        self.assert_rejected("1\tread\t-", "name 'read' is already used on line 1")
        self.assert_rejected("1\tWrite\t-", "'Write' is not a lower-case identifier")
        self.assert_rejected("1\t9write\t-", "not a lower-case identifier")
        self.assert_rejected("1\twr-ite\t-", "not a lower-case identifier")

    def test_entries(self):
        self.assert_rejected("1\twrite\twrite\tvoid", "entry 'write' must be", "sys_<...>")
        self.assert_rejected("1\twrite\tsys-write\tvoid", "entry 'sys-write' must be")
        self.assert_rejected("1\twrite\tsys_\tvoid", "entry 'sys_' must be")
        errors = errors_of("0\tread\tsys_rw\tvoid\n1\twrite\tsys_rw\tvoid\n")
        self.assertEqual(errors, ["t.tbl:2: entry sys_rw is already used on line 1"])

    def test_signature_rules(self):
        self.assert_rejected("1\twrite\tsys_write", "implemented by sys_write but has no signature")
        self.assert_rejected("1\twrite\tni\tint fd", "an 'ni' row takes no signature")

    def test_signatures(self):
        self.assert_rejected("1\twrite\t-\tint", "argument 1 ('int') is not a C parameter")
        self.assert_rejected("1\twrite\t-\tint fd, unsigned int", "argument 2 ('unsigned int') has no name")
        self.assert_rejected("1\twrite\t-\tint a,, int b", "argument 2 ('empty')")
        self.assert_rejected("1\twrite\t-\tint a, long a", "argument name 'a' is used twice")
        self.assert_rejected("1\twrite\t-\tchar buf[10]", "is not a C parameter")
        self.assert_rejected("1\twrite\t-\tint (*fn)(void)", "is not a C parameter")
        self.assert_rejected("1\twrite\t-\t" + ", ".join(f"int a{i}" for i in range(7)),
                             "7 arguments; x86_64 passes at most 6")

    def test_every_error_is_reported(self):
        errors = errors_of("0\tread\t-\nx\tREAD\tbad\n0\tread\t-\n\n1\tok\t-\tint\n")
        self.assertEqual([e.split(":")[1] for e in errors], ["2", "2", "2", "3", "3", "5"])

    def test_empty_table(self):
        self.assertEqual(errors_of("# nothing\n\n"), ["t.tbl: no system calls in the table"])


class RenderTest(unittest.TestCase):
    def setUp(self):
        self.calls = gs.parse(GOOD, "t.tbl")

    def test_header(self):
        h = gs.render_header(self.calls)
        self.assertRegex(h, r"#define SYS_read +0\n")
        self.assertRegex(h, r"#define SYS_getpid +7\n")
        self.assertIn("#define SYSCALL_NR_MAX 7\n", h)
        self.assertRegex(h, r"#define NR_SYSCALLS +8\n")
        self.assertIn("#define SYSCALLS_IMPLEMENTED 2\n", h)
        self.assertIn("long sys_read(const struct syscall_args *args);\n"
                      "#define SYSCALL_NARGS_sys_read 3\n", h)
        self.assertIn("#define SYSCALL_NARGS_sys_getpid 0\n", h)
        self.assertNotIn("sys_write", h)
        # C declarations stay out of assembly.
        self.assertLess(h.index("#ifndef __ASSEMBLY__"), h.index("struct syscall_args;"))

    def test_table(self):
        c = gs.render_table(self.calls)
        self.assertIn("const struct syscall_desc syscall_table[NR_SYSCALLS] = {\n", c)
        self.assertIn('\t[SYS_read] = { "read", sys_read, 3 },\n', c)
        self.assertIn('\t[SYS_write] = { "write", NULL, 3 },\n', c)
        self.assertIn('\t[SYS_close] = { "close", NULL, -1 },\n', c)
        self.assertIn('\t[SYS_tuxcall] = { "tuxcall", NULL, -1 },\n', c)
        self.assertIn('\t[SYS_getpid] = { "getpid", sys_getpid, 0 },\n', c)

    def test_doc(self):
        d = gs.render_doc(self.calls)
        self.assertIn("- **5** numbers (0–1, 3, 5, 7)\n", d)
        self.assertIn("- **2** implemented by Keel\n", d)
        self.assertIn("- **2** not implemented yet\n", d)
        self.assertIn("- **1** with no implementation in Linux", d)
        self.assertIn("| 0 | read | implemented (`sys_read`) | `unsigned int fd, char *buf, size_t count` |\n", d)
        self.assertIn("| 3 | close | not yet |  |\n", d)
        self.assertIn("| 5 | tuxcall | none in Linux |  |\n", d)
        self.assertIn("| 7 | getpid | implemented (`sys_getpid`) | `void` |\n", d)


class CommandTest(unittest.TestCase):
    def run_main(self, args: list[str]) -> tuple[int, str]:
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            status = gs.main(args)
        return status, err.getvalue()

    def test_writes_outputs_and_warns_when_stale(self):
        with tempfile.TemporaryDirectory() as d:
            tbl, doc = Path(d, "t.tbl"), Path(d, "doc.md")
            tbl.write_text(GOOD)
            doc.write_text("old\n")
            status, err = self.run_main([str(tbl), "--header", f"{d}/inc/generated/s.h",
                                         "--table", f"{d}/t.c", "--doc", f"{d}/gen.md",
                                         "--warn-if-stale", str(doc)])
            self.assertEqual(status, 0)
            self.assertIn(f"warning: {doc} does not match {tbl}", err)
            self.assertIn("SYS_getpid", Path(d, "inc/generated/s.h").read_text())
            self.assertIn("sys_getpid", Path(d, "t.c").read_text())
            doc.write_text(Path(d, "gen.md").read_text())
            status, err = self.run_main([str(tbl), "--warn-if-stale", str(doc)])
            self.assertEqual((status, err), (0, ""))

    def test_bad_table_writes_nothing(self):
        with tempfile.TemporaryDirectory() as d:
            tbl = Path(d, "t.tbl")
            tbl.write_text("0\tread\t-\n0\twrite\t-\n")
            status, err = self.run_main([str(tbl), "--header", f"{d}/s.h"])
            self.assertEqual(status, 1)
            self.assertIn(f"{tbl}:2: number 0 is already used on line 1", err)
            self.assertIn("1 error(s)", err)
            self.assertFalse(Path(d, "s.h").exists())

    def test_missing_table(self):
        status, err = self.run_main(["/nonexistent/t.tbl"])
        self.assertEqual(status, 1)
        self.assertIn("/nonexistent/t.tbl", err)


class RealTableTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.calls = gs.parse((REPO / gs.TABLE).read_text(), gs.TABLE)
        cls.by_name = {c.name: c for c in cls.calls}

    def test_known_numbers(self):
        for name, nr in [("read", 0), ("write", 1), ("getppid", 110), ("exit_group", 231),
                         ("openat", 257), ("clone3", 435), ("set_mempolicy_home_node", 450)]:
            self.assertEqual(self.by_name[name].nr, nr, name)
        self.assertGreater(self.calls[-1].nr + 1, 450)     # NR_SYSCALLS

    def test_raw_argument_counts(self):
        # Where the raw call differs from the C library's wrapper.
        for name, n in [("clone", 5), ("rt_sigaction", 4), ("preadv", 5), ("pwritev2", 6),
                        ("reboot", 4), ("fchmodat", 3), ("faccessat", 3), ("eventfd", 1),
                        ("ppoll", 5), ("epoll_pwait", 6), ("mremap", 5), ("getcpu", 3)]:
            self.assertEqual(self.by_name[name].nargs, n, name)

    def test_same_numbers_and_names_as_linux(self):
        if not HOST_UNISTD.exists():
            self.skipTest(f"{HOST_UNISTD} not installed (linux-libc-dev)")
        linux = {}
        for line in HOST_UNISTD.read_text().splitlines():
            m = re.match(r"#define __NR_(\w+)\s+(\d+)$", line)
            if m:
                linux[int(m.group(2))] = m.group(1)
        # Up to the highest number both know: the host may be newer or older.
        top = min(max(linux), self.calls[-1].nr)
        ours = {c.nr: c.name for c in self.calls if c.nr <= top}
        self.assertEqual(ours, {nr: name for nr, name in linux.items() if nr <= top})

    def test_committed_doc_is_current(self):
        committed = (REPO / gs.DOC).read_text()
        self.assertTrue(committed == gs.render_doc(self.calls),
                        f"{gs.DOC} is stale; regenerate it with "
                        f"{gs.GENERATOR} {gs.TABLE} --doc {gs.DOC}")


if __name__ == "__main__":
    unittest.main()
