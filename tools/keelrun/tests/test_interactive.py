"""tools/keelrun/interactive.py (driving a program through a pipe as a
terminal user would), shell_session's echo handling, and the default
system's archive (tools/mksystem.py)."""
import stat
import sys
import tempfile
import unittest
from pathlib import Path

import mksystem
from keelrun import interactive, shell_session

from .test_mkinitramfs import read_newc

# A stand-in for a guest: echoes each line back upper-cased, "quit" exits 7.
_GUEST = ("import sys\n"
          "for line in sys.stdin:\n"
          "    if line.strip() == 'quit':\n"
          "        sys.exit(7)\n"
          "    sys.stdout.write('\\x1b[1m' + line.upper() + '\\x1b[0m> ')\n"
          "    sys.stdout.flush()\n")


class CleanTextTest(unittest.TestCase):
    def test_escapes_and_carriage_returns_go(self):
        raw = "\x1b[6nroot@keel:~# \x1b[Jls\r\n\x1b7\x1b[1;24r\x1b8\x1b(Bok\x1b]0;t\x07\r\n"
        self.assertEqual(interactive.clean_terminal_text(raw), "root@keel:~# ls\nok\n")

    def test_unfinished_escape_is_held_back(self):
        self.assertEqual(interactive._stable_text(b"abc\x1b[1"), "abc")
        self.assertEqual(interactive._stable_text(b"abc\x1b[1mdef"), "abcdef")


class ConsoleTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.log = Path(self.tmp.name) / "console.log"
        self.console = interactive.Console([sys.executable, "-c", _GUEST], self.log)
        self.console.start()

    def tearDown(self):
        self.console.close()
        self.tmp.cleanup()

    def test_send_expect_and_log(self):
        c = self.console
        c.send("hello\n")
        m = c.expect(r"(\w+)\n> ", 10)
        self.assertEqual(m.group(1), "HELLO")
        c.send(b"again\n")
        start = c.position
        m = c.expect(r"> ", 10)
        self.assertEqual(m.string[start:m.start()], "AGAIN\n")   # escapes cleaned
        c.send("quit\n")
        self.assertEqual(c.wait_exit(10), 7)
        c.close()
        self.assertIn(b"\x1b[1mHELLO", self.log.read_bytes())    # the log is raw

    def test_timeout_and_exit_raise(self):
        with self.assertRaisesRegex(interactive.ConsoleError, "did not appear"):
            self.console.expect("never", 0.2)
        self.console.send("quit\n")
        with self.assertRaisesRegex(interactive.ConsoleError, "exited"):
            self.console.expect("never", 10)


class ShellEchoTest(unittest.TestCase):
    """Shell.command drops the echoed line only when it is the echo."""

    def _output(self, transcript: str, line: str) -> str:
        class Fake:
            position = 0

            def send(self, data):
                pass

            def expect(self, rx, timeout):
                return rx.search(transcript)
        return shell_session.Shell(Fake()).command(line)

    def test_echoed_line_is_dropped(self):
        self.assertEqual(self._output("echo 42\n42\nroot@keel:~# ", "echo 42"), "42\n")

    def test_without_echo_the_output_stays(self):
        self.assertEqual(self._output("42\nroot@keel:~# ", "echo 42"), "42\n")


class MksystemTest(unittest.TestCase):
    def test_layout(self):
        with tempfile.TemporaryDirectory() as d:
            d = Path(d)
            (d / "init").write_bytes(b"\x7fELF init")
            (d / "init").chmod(0o755)
            (d / "ptyrun").write_bytes(b"\x7fELF ptyrun")
            (d / "ptyrun").chmod(0o755)
            root = d / "rootfs"
            (root / "etc").mkdir(parents=True)
            (root / "etc/hostname").write_text("keel\n")
            entries = mksystem.system(d / "init", Path("/bin/busybox"), [d / "ptyrun"], root)
            members = {m["name"]: m for m in read_newc(mksystem.write_newc(entries))}
        self.assertEqual(members["init"]["data"], b"\x7fELF init")
        self.assertEqual(members["bin/ptyrun"]["mode"], stat.S_IFREG | 0o755)
        self.assertEqual(members["etc/hostname"]["data"], b"keel\n")
        self.assertEqual(members["etc/hostname"]["mode"], stat.S_IFREG | 0o644)
        self.assertEqual(members["tmp"]["mode"], stat.S_IFDIR | 0o1777)
        self.assertEqual(members["dev/console"]["rdevmajor"], 5)
        for applet in ("bin/sh", "sbin/poweroff", "usr/bin/free"):
            self.assertEqual(members[applet]["mode"], stat.S_IFLNK | 0o777, applet)
            self.assertEqual(members[applet]["data"], b"/bin/busybox")
        self.assertNotIn("linuxrc", members)

    def test_program_shadowing_an_applet_is_refused(self):
        with tempfile.TemporaryDirectory() as d:
            sh = Path(d) / "sh"
            sh.write_bytes(b"x")
            with self.assertRaisesRegex(ValueError, "already a busybox applet"):
                mksystem.system(sh, Path("/bin/busybox"), [sh], Path(d) / "none")
