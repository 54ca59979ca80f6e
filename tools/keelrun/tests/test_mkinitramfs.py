"""tools/mkinitramfs.py: the newc writer (read back by a reader written
from the format description) and the conformance archive's layout."""
import stat
import tempfile
import unittest
from pathlib import Path

import mkinitramfs as mk

_FIELDS = ("ino", "mode", "uid", "gid", "nlink", "mtime", "filesize", "devmajor", "devminor",
           "rdevmajor", "rdevminor", "namesize", "check")


def read_newc(data: bytes) -> list[dict]:
    """Members as dicts (header fields, name, data) up to and including the trailer."""
    members, off = [], 0
    while True:
        assert off % 4 == 0, "member not 4-byte aligned"
        assert data[off:off + 6] == b"070701", f"bad magic at {off}"
        fields = dict(zip(_FIELDS, (int(data[off + 6 + 8 * i:off + 14 + 8 * i], 16) for i in range(13))))
        name_end = off + 110 + fields["namesize"]
        fields["name"] = data[off + 110:name_end - 1].decode()
        assert data[name_end - 1] == 0
        start = name_end + (-name_end % 4)
        fields["data"] = data[start:start + fields["filesize"]]
        members.append(fields)
        off = start + fields["filesize"]
        off += -off % 4
        if fields["name"] == "TRAILER!!!":
            assert off == len(data)
            return members


class NewcTest(unittest.TestCase):
    ENTRIES = [mk.data_file("etc/passwd", b"root\n"), mk.symlink("bin/sh", "busybox"),
               mk.char_device("dev/console", 5, 1), mk.directory("tmp", 0o1777),
               mk.data_file("init", b"\x7fELF", 0o755)]

    def test_round_trip(self):
        members = read_newc(mk.write_newc(self.ENTRIES))
        by_name = {m["name"]: m for m in members}
        self.assertEqual([m["name"] for m in members],
                         ["bin", "bin/sh", "dev", "dev/console", "etc", "etc/passwd", "init", "tmp",
                          "TRAILER!!!"])
        self.assertEqual(by_name["bin/sh"]["data"], b"busybox")
        self.assertEqual(stat.S_IFMT(by_name["bin/sh"]["mode"]), stat.S_IFLNK)
        self.assertEqual(by_name["bin"]["mode"], stat.S_IFDIR | 0o755)
        self.assertEqual(by_name["tmp"]["mode"], stat.S_IFDIR | 0o1777)
        self.assertEqual(by_name["init"]["mode"], stat.S_IFREG | 0o755)
        self.assertEqual(by_name["init"]["data"], b"\x7fELF")
        self.assertEqual((by_name["dev/console"]["rdevmajor"], by_name["dev/console"]["rdevminor"]), (5, 1))
        self.assertTrue(all(m["mtime"] == 0 and m["uid"] == 0 for m in members))
        self.assertEqual(len({m["ino"] for m in members[:-1]}), len(members) - 1)

    def test_deterministic_whatever_the_input_order(self):
        self.assertEqual(mk.write_newc(self.ENTRIES), mk.write_newc(list(reversed(self.ENTRIES))))

    def test_directories_precede_their_contents(self):
        names = [m["name"] for m in read_newc(mk.write_newc([mk.data_file("a-b", b""),
                                                             mk.data_file("a/b", b"")]))]
        self.assertEqual(names, ["a", "a/b", "a-b", "TRAILER!!!"])

    def test_bad_paths(self):
        for entries in ([mk.data_file("x", b""), mk.data_file("x", b"")], [mk.data_file("a/../b", b"")]):
            with self.assertRaises(ValueError):
                mk.write_newc(entries)


class ConformanceLayoutTest(unittest.TestCase):
    def test_layout_and_list(self):
        with tempfile.TemporaryDirectory() as d:
            d = Path(d)
            busybox = d / "busybox"
            busybox.write_text("#!/bin/sh\nprintf 'ls\\nsh\\nbusybox\\ncat\\n'\n")
            busybox.chmod(0o755)
            init = d / "init"
            init.write_bytes(b"init")
            (d / "build/process").mkdir(parents=True)
            (d / "src/process").mkdir(parents=True)
            for name in ("wait", "fork"):
                (d / "build/process" / name).write_bytes(name.encode())
            (d / "src/process/wait.c").write_text("/* conformance-timeout: 90 */\n")
            scenario = d / "pipes.sh"
            scenario.write_text("echo hi\n")
            entries, test_list = mk.conformance(init, busybox, [d / "build/process/wait", d / "build/process/fork"],
                                                d / "src", [scenario])
        self.assertEqual(test_list, "prog process/fork /conformance/tests/process/fork 30\n"
                                    "prog process/wait /conformance/tests/process/wait 90\n"
                                    "scenario scenario/pipes /conformance/scenarios/pipes.sh 30\n")
        by_path = {e.path: e for e in entries}
        self.assertEqual(by_path["bin/ls"].data, b"busybox")
        self.assertEqual(by_path["bin/busybox"].data[:2], b"#!")
        self.assertNotIn("bin/busybox", [p for p, e in by_path.items() if stat.S_ISLNK(e.mode)])
        self.assertEqual(by_path["conformance/list"].data, test_list.encode())
        self.assertIn(b"nobody:x:65534:65534", by_path["etc/passwd"].data)
        for path in ("init", "proc", "sys", "tmp", "dev/console", "dev/null", "conformance/scenarios/pipes.sh"):
            self.assertIn(path, by_path)
        mk.write_newc(entries)


if __name__ == "__main__":
    unittest.main()
