"""tools/keelrun/bench.py: parsing a boot's log, combining boots, ratios, the table."""
import unittest

from keelrun import bench, conformance

TOKEN = "0123456789abcdef"
LISTED = [conformance.Listed("scenario", "info", 30),
          conformance.Listed("scenario", "bench/getppid", 60),
          conformance.Listed("scenario", "bench/pipe_tput", 60)]


def log(*body):
    return [f"@@@ {TOKEN} start"] + list(body) + [f"@@@ {TOKEN} done"]


class ParseTest(unittest.TestCase):
    def test_bench_line(self):
        f = bench.parse_bench_line("bench: name=getppid unit=ns median=80.5 min=79 max=90 runs=5 iters=1000")
        self.assertEqual((f.name, f.unit, f.median, f.min, f.max, f.runs, f.iters),
                         ("getppid", "ns", 80.5, 79.0, 90.0, 5, 1000))
        self.assertIsNone(bench.parse_bench_line("bench: name=x unit=ns"))
        self.assertIsNone(bench.parse_bench_line("hello"))

    def test_boot(self):
        b = bench.parse_boot("linux", LISTED, log(
            f"@@@ {TOKEN} begin info", "bench-info: uptime=1.25",
            "bench-info: vulnerabilities meltdown=Not affected", f"@@@ {TOKEN} end info exit=0",
            f"@@@ {TOKEN} begin bench/getppid",
            "bench: name=getppid unit=ns median=80 min=79 max=90 runs=5 iters=1000",
            f"@@@ {TOKEN} end bench/getppid exit=0",
            f"@@@ {TOKEN} begin bench/pipe_tput", "oops", f"@@@ {TOKEN} end bench/pipe_tput exit=1"))
        self.assertTrue(b.started)
        self.assertEqual(b.uptime, 1.25)
        self.assertEqual(b.vulnerabilities, {"meltdown": "Not affected"})
        self.assertEqual(b.figures["getppid"].median, 80)
        self.assertIn("exited with status 1", b.problems["pipe_tput"])

    def test_keel_without_init(self):
        b = bench.parse_boot("keel", LISTED, ["[    0.2] CPU0: Keel booted in 212 ms"])
        self.assertFalse(b.started)
        self.assertEqual(b.keel_booted_ms, 212)
        self.assertEqual(b.problems["getppid"], bench.NOT_YET)
        linux = bench.parse_boot("linux", LISTED, [])
        self.assertNotEqual(linux.problems["getppid"], bench.NOT_YET)


class CombineTest(unittest.TestCase):
    def test_ratio_direction(self):
        ns = lambda v: bench.Figure("a", "ns", v, v, v)      # noqa: E731
        rate = lambda v: bench.Figure("b", "MB/s", v, v, v)  # noqa: E731
        self.assertEqual(bench.ratio(ns(200), ns(100)), 2.0)
        self.assertEqual(bench.ratio(rate(50), rate(100)), 2.0)     # half the rate: twice as bad
        self.assertIsNone(bench.ratio(None, ns(1)))

    def test_combine(self):
        f = bench.combine([bench.Figure("a", "ns", 10, 9, 12, 5, 100, [10]),
                           bench.Figure("a", "ns", 20, 8, 21, 5, 100, [20]),
                           bench.Figure("a", "ns", 30, 29, 31, 5, 100, [30])])
        self.assertEqual((f.median, f.min, f.max, f.runs), (20, 8, 31, 15))

    def test_table_and_repeatability(self):
        line = "bench: name=getppid unit=ns median=80 min=79 max=90 runs=5 iters=1000"
        ok = log(f"@@@ {TOKEN} begin bench/getppid", line, f"@@@ {TOKEN} end bench/getppid exit=0")
        boots = [bench.parse_boot("linux", LISTED, ok), bench.parse_boot("linux", LISTED, ok),
                 bench.parse_boot("keel", LISTED, [])]
        res = bench.results(boots, ["getppid"], "icount")
        text = bench.table(res)
        self.assertIn(f"| getppid | 80.0 ns (79.0–90.0) | not run | {bench.NOT_YET} | — |", text)
        self.assertNotIn("keel-booted (informational)", text)   # no "Keel booted" line
        rep = bench.repeatability(boots, ["getppid"])
        self.assertEqual(len(rep), 1)
        self.assertIn("1 of 1 benchmarks identical", rep[0])

    def test_differing(self):
        def boot(median, uptime="0.50"):
            line = f"bench: name=getppid unit=ns median={median} min=79 max=90 runs=5 iters=1000"
            return bench.parse_boot("keel", LISTED, log(
                f"@@@ {TOKEN} begin info", f"bench-info: uptime={uptime}", f"@@@ {TOKEN} end info exit=0",
                f"@@@ {TOKEN} begin bench/getppid", line, f"@@@ {TOKEN} end bench/getppid exit=0"))
        self.assertEqual(bench.differing([boot(80), boot(80)], ["getppid"]), [])
        self.assertEqual(bench.differing([boot(80), boot(80.001)], ["getppid"]), ["keel: getppid"])
        self.assertEqual(bench.differing([boot(80), boot(80, "0.51")], ["getppid"]), ["keel: uptime"])
        lost = bench.parse_boot("keel", LISTED, log())
        lost.uptime = 0.5
        self.assertEqual(bench.differing([boot(80), lost], ["getppid"]), ["keel: getppid missing"])


class DeterministicTest(unittest.TestCase):
    def test_command(self):
        cmd = ["qemu", "-machine", "q35", "-cpu", "max", "-m", "512M"]
        out = bench.deterministic(cmd)
        self.assertEqual(out[:6], ["qemu", "-machine", "q35", "-cpu", "max,-rdrand,-rdseed", "-m"])
        self.assertIn("sleep=off", out[out.index("-icount") + 1])
        self.assertIn("clock=vm", out[out.index("-rtc") + 1])
        self.assertEqual(cmd[4], "max")         # the argument is not modified


if __name__ == "__main__":
    unittest.main()
