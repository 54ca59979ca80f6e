"""QEMU command lines, and run()'s timeout/stop/log handling with a fake QEMU."""
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path
from unittest import mock

from keelrun import qemu


def fake_qemu(script: str) -> list[str]:
    """A stand-in for QEMU: a Python program writing 'serial output' to stdout."""
    return [sys.executable, "-c", textwrap.dedent(script)]


class CommandTest(unittest.TestCase):
    def test_kernel_boot(self):
        m = qemu.Machine(kernel=Path("k.elf"), append="testmode quiet", initrd=Path("i.img"), icount=True)
        cmd = qemu.command(m, "pipe")
        joined = " ".join(cmd)
        for part in ("-machine q35", "-cpu max", "-m 256M", "-smp 2", "-no-reboot", "-display none",
                     "-device isa-debug-exit,iobase=0xf4,iosize=0x04", "-serial stdio", "-monitor none",
                     "-kernel k.elf", "-initrd i.img", "-icount shift=0"):
            self.assertIn(part, joined)
        self.assertEqual(cmd[cmd.index("-append") + 1], "testmode quiet")

    def test_interactive_console_and_gdb(self):
        m = qemu.Machine(kernel=Path("k.elf"), gdb=True, extra=["-d", "int"])
        cmd = qemu.command(m, "console:build/logs/run.log")
        self.assertIn("stdio,id=con0,mux=on,signal=off,logfile=build/logs/run.log", cmd)
        self.assertNotIn("-monitor", cmd)
        self.assertEqual(cmd[-4:], ["-s", "-S", "-d", "int"])

    def test_uefi_iso(self):
        m = qemu.Machine(iso=Path("k.iso"), firmware="uefi", uefi_vars=Path("build/ovmf/x-vars.fd"))
        with mock.patch.object(qemu, "find_ovmf", return_value=(Path("/fw/CODE.fd"), Path("/fw/VARS.fd"))):
            joined = " ".join(qemu.command(m, "pipe"))
        self.assertIn("-drive if=pflash,format=raw,readonly=on,file=/fw/CODE.fd", joined)
        self.assertIn("-drive if=pflash,format=raw,file=build/ovmf/x-vars.fd", joined)
        self.assertIn("-cdrom k.iso", joined)

    def test_check_rejects_impossible_machines(self):
        with tempfile.NamedTemporaryFile() as f:
            for m, words in [(qemu.Machine(), "exactly one"),
                             (qemu.Machine(kernel=Path(f.name), firmware="uefi"), "UEFI boots need an ISO"),
                             (qemu.Machine(iso=Path(f.name), append="x"), "--append and --initrd need --kernel"),
                             (qemu.Machine(kernel=Path("/nonexistent/keel.elf")), "not found; run make")]:
                with self.subTest(words=words), self.assertRaises(qemu.SetupError) as cm:
                    m.check()
                self.assertIn(words, str(cm.exception))

    def test_missing_qemu_names_install_deps(self):
        with tempfile.NamedTemporaryFile() as f, mock.patch.object(qemu, "QEMU", "no-such-qemu-binary"):
            with self.assertRaises(qemu.SetupError) as cm:
                qemu.Machine(kernel=Path(f.name)).check()
        self.assertIn("tools/install-deps.sh", str(cm.exception))

    def test_status_meanings(self):
        self.assertEqual(qemu.describe_status(33), "33 = PASS")
        self.assertEqual(qemu.describe_status(37), "37 = PANIC")
        self.assertIn("triple fault", qemu.describe_status(0))
        self.assertEqual(qemu.describe_status(-9), "killed by SIGKILL")


class RunTest(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.log = Path(tmp.name) / "logs" / "run.log"

    def test_exit_status_lines_and_log(self):
        r = qemu.run(fake_qemu("""
            import sys
            sys.stdout.write("[    0.000001] CPU0: Keel 0.1\\r\\n\\x1b[2Jpartial")
            sys.stderr.write("qemu: warning\\n")
            sys.exit(33)"""), self.log, timeout=30)
        self.assertEqual((r.outcome, r.status), (qemu.Outcome.EXITED, 33))
        self.assertEqual(r.lines, ["[    0.000001] CPU0: Keel 0.1", "partial"])
        self.assertEqual(r.stderr, "qemu: warning\n")
        self.assertEqual(self.log.read_bytes(), b"[    0.000001] CPU0: Keel 0.1\r\n\x1b[2Jpartial")

    def test_timeout_kills(self):
        r = qemu.run(fake_qemu("""
            import time
            print("booting", flush=True)
            time.sleep(60)"""), self.log, timeout=0.5)
        self.assertEqual((r.outcome, r.status, r.lines), (qemu.Outcome.TIMEOUT, None, ["booting"]))
        self.assertLess(r.seconds, 10)

    def test_watch_stops(self):
        seen = []
        r = qemu.run(fake_qemu("""
            import time
            print("a\\nready\\nb", flush=True)
            time.sleep(60)"""), self.log, timeout=30, watch=lambda ln: seen.append(ln) or ln == "ready")
        self.assertEqual(r.outcome, qemu.Outcome.STOPPED)
        self.assertEqual(seen, ["a", "ready"])
        self.assertEqual(r.lines, ["a", "ready", "b"])
        self.assertLess(r.seconds, 10)


if __name__ == "__main__":
    unittest.main()
