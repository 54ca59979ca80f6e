# xargs: batching with -n, replacement with -I, NUL-separated input,
# quoting, empty input, and the status when a command fails.
echo "== default batching"
seq 1 10 | xargs echo
seq 1 7 | xargs -n 3 echo
echo "== -I"
printf 'a\nb\n' | xargs -I{} echo 'item {} done'
echo "== quoting and -0"
printf '"two words" single\n' | xargs -n 1 echo
printf 'x y\0z\0' | xargs -0 -n 1 echo
echo "== creating files"
echo f1 f2 f3 | xargs touch
ls f1 f2 f3
ls f* | xargs rm
ls f* 2>/dev/null | wc -l
echo "== empty input"
xargs echo start < /dev/null
xargs -r echo never < /dev/null; echo "-r status $?"
echo "== failing command"
echo x | xargs false; echo "status $?"
echo "== -t echoes the command to stderr"
echo a b | xargs -t echo 2>&1
