# Functions: arguments, return statuses, local variables, recursion, shift,
# set --, functions in pipelines and redirected, and overriding commands.
echo "== arguments and return"
greet() { echo "hello $1, $# args"; return 3; }
greet world x y; echo "status $?"
echo "== local and global"
g=global
f() { local g=local; echo "in f: $g"; h; }
h() { echo "in h: $g"; }
f
echo "after: $g"
set_global() { g=changed; }
set_global; echo "now: $g"
echo "== recursion"
fib() { if [ $1 -lt 2 ]; then echo $1; else echo $(( $(fib $(($1 - 1))) + $(fib $(($1 - 2))) )); fi; }
fib 10
fact() { [ $1 -le 1 ] && { echo 1; return; }; echo $(( $1 * $(fact $(($1 - 1))) )); }
fact 10
echo "== shift and set"
args() { while [ $# -gt 0 ]; do echo "arg: $1"; shift; done; }
args a "b c" d
set -- x y z
shift 2
echo "left: $*"
echo "== functions in pipelines and redirections"
upper() { tr a-z A-Z; }
echo piped | upper
gen() { echo one; echo two; }
gen > out
gen | wc -l
cat out
echo "== a function can shadow a command"
ls() { echo "not ls: $*"; }
ls -l
unset -f ls
ls out
echo "== return status without return"
last() { false; }
last; echo "status $?"
