# Exit statuses: of builtins and programs, 127 for a missing command, 126
# for a file that is not executable, 128+n for a signal, exit codes modulo
# 256, $? after various constructs, and set -e.
echo "== basics"
true; echo "true $?"
false; echo "false $?"
sh -c 'exit 42'; echo "exit 42 -> $?"
sh -c 'exit 256'; echo "exit 256 -> $?"
sh -c 'exit 257'; echo "exit 257 -> $?"
echo "== missing and non-executable commands"
no-such-command 2>/dev/null; echo "missing $?"
printf '#!/bin/sh\necho hi\n' > script
./script 2>/dev/null; echo "not executable $?"
chmod +x script
./script; echo "executable $?"
./no-such-file 2>/dev/null; echo "no file $?"
echo "== signals"
sh -c 'kill -SEGV $$'; echo "SEGV $?"
sh -c 'kill -HUP $$'; echo "HUP $?"
echo "== \$? in constructs"
if false; then :; fi; echo "if without branch $?"
for x in; do :; done; echo "empty for $?"
x=$(exit 3); echo "assignment from substitution $?"
case x in y) ;; esac; echo "case no match $?"
echo "== set -e stops at the first failure"
sh -c 'set -e; echo one; false; echo never'; echo "set -e status $?"
sh -c 'set -e; false || echo "|| is exempt"; if false; then :; fi; echo "if is exempt"'
echo "== programs report errors with a status"
grep -q x /dev/null; echo "grep no match $?"
grep x missing-file 2>/dev/null; echo "grep missing file $?"
ls missing-file 2>/dev/null; echo "ls missing $?"
cat missing-file 2>/dev/null; echo "cat missing $?"
