# Arithmetic expansion: operators and precedence, 64-bit range, bases,
# assignments, comparisons and the ternary, division semantics.
echo "== operators"
echo $((1 + 2 * 3)) $(((1 + 2) * 3)) $((7 / 2)) $((7 % 3)) $((-7 / 2)) $((-7 % 3))
echo $((1 << 10)) $((1024 >> 3)) $((6 & 3)) $((6 | 3)) $((6 ^ 3)) $((~0))
echo $((3 > 2)) $((3 < 2)) $((2 >= 2)) $((2 != 2)) $((1 && 0)) $((1 || 0)) $((!5))
echo $((1 ? 10 : 20)) $((0 ? 10 : 20))
echo "== 64 bits"
echo $((9223372036854775807)) $((9223372036854775807 + 1)) $((1 << 63))
echo $((4294967296 * 4294967295))
echo "== bases"
echo $((0x1f)) $((010)) $((2#1010)) $((16#ff)) $((36#z))
echo "== variables and assignment"
a=5
b=a
echo $((a * 2)) $(($a + 1)) $((b + 1))
: $((a += 3)) $((a *= 2))
echo "a=$a"
i=0
i=$((i + 1)); i=$((i + 1))
echo "i=$i"
echo $((c = 4, c * c))
echo "== errors"
( echo $((1 / 0)) ) 2>/dev/null; echo "division by zero status $?"
echo "== loops with arithmetic"
n=1
while [ $n -le 1000 ]; do n=$((n * 3)); done
echo "n=$n"
f=1; k=1
while [ $k -le 20 ]; do f=$((f * k)); k=$((k + 1)); done
echo "20! = $f"
