# Processes: ps sees this shell and its children, kill -0 probes, signals
# reach background jobs, sleep sleeps (at least the time asked), pids are
# distinct, /proc/self reflects the reader. Pids print as PID=<n>.
#
# Jobs killed by a signal run in a subshell whose stderr is discarded: the
# shell's "Terminated" notice depends on when it happens to reap the job.
echo "== this shell is in ps"
echo "PID=$$"
ps -o pid,comm | awk -v p=$$ '$1 == p { print "found shell:", $2 }'
echo "PPID=$PPID"
echo "== a background sleep is visible, then killed"
(
    sleep 100 &
    pid=$!
    ps -o pid | awk -v p=$pid '$1 == p { print "ps lists the job" }'
    kill -0 $pid && echo "kill -0 finds it"
    kill $pid
    wait $pid; echo "status $?"
    kill -0 $pid; echo "kill -0 after exit $?"
) 2>/dev/null
echo "== kill by name of signal and number"
( sleep 100 & pid=$!; kill -s HUP $pid; wait $pid; echo "HUP status $?" ) 2>/dev/null
( sleep 100 & pid=$!; kill -9 $pid; wait $pid; echo "9 status $?" ) 2>/dev/null
kill -l 15
kill -l TERM
echo "== sleep 0.1 then kill: the job is still running"
(
    sleep 1000 &
    pid=$!
    sleep 0.1
    kill -0 $pid && echo "still running after sleep 0.1"
    kill $pid; wait $pid
) 2>/dev/null
echo "== sleep lasts at least the time asked"
start=$(awk '{ print $1 }' /proc/uptime)
sleep 1
end=$(awk '{ print $1 }' /proc/uptime)
awk -v s=$start -v e=$end 'BEGIN { print (e - s >= 1.0 ? "slept >= 1s" : "too short") }'
echo "== distinct pids"
a=$(sh -c 'echo $$'); b=$(sh -c 'echo $$')
[ "$a" != "$b" ] && echo "pids differ"
echo "== /proc/self"
[ "$(readlink /proc/self)" != "$$" ] && echo "/proc/self is the reader, not the shell"
sh -c 'echo "PID=$$ self=$(readlink /proc/self)"' | sed 's/self=[0-9]*/self=<n>/'
grep -c '^Name:' /proc/self/status
awk '{ print $2 }' /proc/self/stat
echo "== kill a missing pid"
kill 999999 2>/dev/null; echo "status $?"
