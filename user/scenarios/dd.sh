# dd: block sizes and counts, skip and seek, conv=notrunc and sync,
# reading /dev/zero, partial blocks. dd's own report goes to a file and only
# its record counts are shown (the rate line carries a time).
echo "== from /dev/zero"
dd if=/dev/zero of=zero bs=512 count=8 2> report
grep records report
stat -c %s zero
od -An -tx1 zero | sort -u
echo "== partial blocks"
seq 1 1000 > src
dd if=src of=copy bs=1000 2> report
grep records report
cmp src copy && echo "copy identical"
echo "== skip and seek"
printf '0123456789' > digits
dd if=digits bs=1 skip=3 count=4 2>/dev/null; echo
dd if=digits of=out bs=2 seek=2 count=2 2>/dev/null
od -c out
printf 'abcdefghij' > target
printf 'XY' | dd of=target bs=1 seek=4 conv=notrunc 2>/dev/null
cat target; echo
echo "== conv=sync pads"
printf 'abc' | dd bs=8 conv=sync 2>/dev/null | od -c
echo "== count of full and partial records"
printf '123456789' | dd bs=4 2>&1 >/dev/null | grep records
echo "== random data has the size asked"
dd if=/dev/urandom bs=100 count=3 2>/dev/null | wc -c
echo "== errors"
dd if=missing of=x 2>/dev/null; echo "missing input $?"
