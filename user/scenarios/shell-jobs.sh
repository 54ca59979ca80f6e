# Background jobs: & runs concurrently, $! is its pid, wait returns its
# status (also for jobs killed by a signal), wait without arguments waits
# for all. Output order is forced by wait, never by sleeping.
#
# A job killed by a signal runs in a subshell whose stderr is discarded:
# the shell's "Terminated" notice depends on when it happens to reap the
# job, so it is not part of the expected output.
echo "== wait for one job and its status"
( exit 5 ) &
pid=$!
wait $pid; echo "status $?"
echo "== \$! is a pid"
sleep 0 &
echo "PID=$!"
wait
echo "== several jobs, all waited for"
for i in 1 2 3; do ( echo "job $i" > out.$i ) & done
wait
cat out.1 out.2 out.3
echo "== a job killed by a signal"
( sleep 100 & pid=$!; kill -TERM $pid; wait $pid; echo "status $?" ) 2>/dev/null
( sleep 100 & pid=$!; kill -KILL $pid; wait $pid; echo "status $?" ) 2>/dev/null
echo "== a job writes to a file while the shell goes on"
( i=0; while [ $i -lt 100 ]; do echo $i; i=$((i+1)); done > count ) &
wait $!
wc -l < count
tail -n 1 count
echo "== background pipeline"
printf 'b\na\n' | sort > sorted &
wait
cat sorted
echo "== wait for an unknown pid"
wait 999999 2>/dev/null; echo "status $?"
