"""Spec parsing: the committed specs parse, and mistakes are caught with file:line."""
import unittest
from pathlib import Path

from keelrun import REPO, spec


def parse(text):
    return spec.parse(text, Path("tests/system/x.test"))


class SpecTest(unittest.TestCase):
    def test_full_spec(self):
        s = parse("# Boots.\n# more words\n\nappend: testmode a=b:c\nexit: panic\n"
                  "expect: ^Keel \\d+\nexpect: booted\nexpect-order: yes\nreject: Kernel panic\n"
                  "initrd: @random:100\ntimeout: 5\n")
        self.assertEqual((s.name, s.description, s.boot, s.append, s.exit),
                         ("x", "Boots.", "kernel", "testmode a=b:c", "panic"))
        self.assertEqual([rx.pattern for rx in s.expects], ["^Keel \\d+", "booted"])
        self.assertTrue(s.expect_order)
        self.assertEqual(s.random_initrd_size, 100)
        self.assertEqual(s.time_limit, 5.0)

    def test_conformance_initrd(self):
        s = parse("initrd: @conformance:threads/contend,signals/storm\n")
        self.assertEqual(s.conformance_programs, ["threads/contend", "signals/storm"])
        self.assertIsNone(s.random_initrd_size)
        self.assertIsNone(parse("initrd: @random:5\n").conformance_programs)

    def test_defaults(self):
        s = parse("exit: pass\n")
        self.assertEqual((s.boot, s.exit, s.time_limit, s.ktap, s.initrd), ("kernel", "pass", 60.0, False, None))
        self.assertEqual(parse("boot: iso-uefi\nexit: none\nexpect: x\n").time_limit, 120.0)

    def test_iso_boot_needs_the_iso(self):
        self.assertEqual(parse("boot: iso-bios\n").needs, {"iso"})

    def test_errors_name_file_and_line(self):
        for text, words in [
            ("exit: pass\nfrobnicate: 1\n", "x.test:2: expected 'key: value'"),
            ("no colon here\n", "x.test:1:"),
            ("exit: maybe\n", "exit must be one of pass | fail | panic | none"),
            ("exit: pass\nexit: fail\n", "given twice"),
            ("expect: (unclosed\n", "bad regex"),
            ("timeout: soon\n", "positive number"),
            ("timeout: -3\n", "positive number"),
            ("initrd: @zeros:5\n", "only @random"),
            ("initrd: @conformance:contend\n", "@conformance:<area>/<name>"),
            ("ktap: maybe\n", "ktap must be one of yes | no"),
            ("boot: iso-bios\nappend: quiet\n", "append/initrd need boot: kernel"),
            ("exit: none\n", "exit: none needs at least one expect"),
            ("ktap: yes\nexit: none\nexpect: x\n", "ktap: yes needs the kernel to exit"),
        ]:
            with self.subTest(text=text):
                with self.assertRaises(spec.SpecError) as cm:
                    parse(text)
                self.assertIn(words, str(cm.exception))

    def test_committed_specs_parse(self):
        paths = sorted((REPO / "tests/system").glob("*.test"))
        self.assertTrue(paths)
        for path in paths:
            with self.subTest(spec=path.name):
                s = spec.load(path)
                self.assertTrue(s.description, "first comment line describes the test")


if __name__ == "__main__":
    unittest.main()
