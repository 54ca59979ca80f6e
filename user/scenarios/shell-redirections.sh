# Redirections: >, >>, <, 2>, 2>&1 (order matters), >&2, <>, exec on
# descriptors, noclobber, and redirections on compound commands.
echo "== > truncates, >> appends"
echo first > f
echo second > f
echo third >> f
cat f
echo "== < reads"
wc -l < f
echo "== 2> and 2>&1"
ls missing-file 2> err; echo "status $?"
wc -l < err
ls missing-file f > both 2>&1
sort both
echo "== order: 2>&1 >file sends stderr to the old stdout"
( ls missing-file 2>&1 > only-stdout ) | wc -l
cat only-stdout | wc -c
echo "== >&2 writes to stderr"
( echo to-stderr >&2 ) 2> e2
cat e2
echo "== descriptors opened with exec"
exec 3> fd3
echo via-fd3 >&3
echo again >&3
exec 3>&-
cat fd3
exec 4< fd3
read line <&4
echo "read: $line"
exec 4<&-
echo "== <> opens read-write without truncating"
echo abcdef > rw
exec 5<> rw
printf XY >&5
exec 5>&-
cat rw
echo "== noclobber"
set -C
( echo clobber > f ) 2>/dev/null; echo "clobber status $?"
echo force >| f
cat f
set +C
echo "== redirection on a compound command"
{ echo a; echo b; } > group
for i in 1 2 3; do echo "loop $i"; done > loop
cat group loop
echo "== /dev/null"
echo gone > /dev/null
wc -c < /dev/null
