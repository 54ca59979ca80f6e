# trap: EXIT handlers (also in subshells), handlers for signals sent with
# kill (to the shell itself, and to a background shell that says through a
# FIFO when its trap is set), ignoring a signal, resetting a trap, and the
# status of a death by signal (128 + n).
echo "== EXIT trap runs at the end"
( trap 'echo exit handler, status $?' EXIT; echo body; exit 4 ); echo "subshell status $?"
echo "== signal trap in the shell itself"
trap 'echo got USR1' USR1
kill -USR1 $$
echo after USR1
trap - USR1
echo "== a background shell with a TERM trap"
mkfifo ready
sh -c 'trap "echo child caught TERM; exit 9" TERM; echo > ready; while :; do sleep 0.1; done' &
pid=$!
read x < ready
kill -TERM $pid
wait $pid; echo "child status $?"
echo "== ignored signal"
sh -c 'trap "" TERM; kill -TERM $$; echo survived'; echo "status $?"
echo "== default action: death by signal"
sh -c 'kill -TERM $$'; echo "TERM status $?"
sh -c 'kill -INT $$'; echo "INT status $?"
sh -c 'kill -KILL $$'; echo "KILL status $?"
echo "== trap lists the handlers"
( trap 'echo x' HUP; trap )
echo "== EXIT trap of the main shell"
trap 'echo main exit trap' EXIT
echo last line
