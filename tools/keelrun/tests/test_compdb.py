"""compile_commands.json entries from make -n output."""
import unittest
from pathlib import Path

from keelrun import compdb

MAKE_N = """\
mkdir -p build/obj/kernel/lib/
gcc -std=gnu11 -ffreestanding -Ikernel/include -MMD -MP -MF build/obj/kernel/lib/string.d -c kernel/lib/string.c -o build/obj/kernel/lib/string.o
true
mkdir -p build/obj/kernel/arch/x86_64/ && clang -D__ASSEMBLY__ -c kernel/arch/x86_64/entry.S -o build/obj/kernel/arch/x86_64/entry.o
ld -T kernel/arch/x86_64/kernel.ld -o build/keel.elf build/obj/kernel/lib/string.o
nm -n build/keel.elf | python3 tools/ksyms.py > build/gen/ksyms.S
gcc -DKEEL_HOST -c kernel/lib/string.c -o build/unit/obj/kernel/lib/string.o
x86_64-linux-gnu-gcc-12 '-DVERSION="0.1 beta"' -c kernel/init/main.c -o build/obj/kernel/init/main.o 2>/dev/null
"""


class CompdbTest(unittest.TestCase):
    def test_entries(self):
        entries = compdb.entries(MAKE_N, Path("/src"))
        self.assertEqual([e["file"] for e in entries],
                         ["kernel/lib/string.c", "kernel/arch/x86_64/entry.S", "kernel/init/main.c"])
        self.assertEqual(entries[0]["directory"], "/src")
        self.assertEqual(entries[0]["output"], "build/obj/kernel/lib/string.o")
        self.assertEqual(entries[1]["arguments"][0], "clang")
        self.assertNotIn("-DKEEL_HOST", entries[0]["arguments"])    # first command wins
        self.assertIn('-DVERSION="0.1 beta"', entries[2]["arguments"])
        self.assertEqual(entries[2]["arguments"][-2:], ["-o", "build/obj/kernel/init/main.o"])


if __name__ == "__main__":
    unittest.main()
