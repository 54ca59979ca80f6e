# Pipelines: data flow through several stages, the status of a pipeline is
# its last command's, `!` negates it, and every stage runs concurrently (a
# consumer that exits early does not hang the producer).
echo "== data flows through every stage"
printf 'one\ntwo\nthree\nfour\n' | grep o | tr a-z A-Z | sort
echo "== status is the last command's"
false | true; echo "false|true -> $?"
true | false; echo "true|false -> $?"
printf 'x\n' | grep -q y; echo "grep miss -> $?"
echo "== negation"
! false; echo "! false -> $?"
! true; echo "! true -> $?"
echo "== a consumer that stops early ends the pipeline"
yes | head -n 3
seq 1 100000 | head -n 2
echo "== long pipeline"
seq 1 20 | grep 1 | sed 's/^/n=/' | awk -F= '{ s += $2 } END { print "sum", s }' | cat | cat
echo "== stderr bypasses the pipe unless redirected"
{ echo out; echo err >&2; } 2>/dev/null | wc -l
{ echo out; echo err >&2; } 2>&1 | wc -l
echo "== pipeline into a compound command"
printf '3\n1\n2\n' | while read n; do echo "got $n"; done
printf 'a b c\n' | { read x y z; echo "$z $y $x"; }
echo "== a variable set in a pipeline stage stays in that stage"
v=outer
echo inner | read v
echo "v=$v"
