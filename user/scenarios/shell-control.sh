# Control flow: if/elif/else, for/while/until with break and continue
# (also nested), case with patterns and alternatives, && and ||, test.
echo "== if"
for n in 1 2 3; do
    if [ $n -eq 1 ]; then echo "$n one"; elif [ $n -eq 2 ]; then echo "$n two"; else echo "$n other"; fi
done
echo "== for, break, continue"
for i in 1 2 3 4 5 6; do
    [ $i -eq 2 ] && continue
    [ $i -eq 5 ] && break
    echo "i=$i"
done
for a in x y; do for b in 1 2 3; do [ $b -eq 2 ] && continue 2; echo "$a$b"; done; done
echo "== while and until"
n=0
while [ $n -lt 3 ]; do n=$((n + 1)); echo "while $n"; done
until [ $n -eq 0 ]; do echo "until $n"; n=$((n - 1)); done
echo "== case"
for w in apple banana cherry 42 "" Zebra x.c; do
    case $w in
    a*) echo "$w: starts with a";;
    banana|cherry) echo "$w: banana or cherry";;
    [0-9]*) echo "$w: number";;
    "") echo "empty";;
    [A-Z]*) echo "$w: capital";;
    *.c) echo "$w: C file";;
    *) echo "$w: other";;
    esac
done
echo "== && and ||"
true && echo "and runs"
false && echo "never"
false || echo "or runs"
true || echo "never"
false && echo x || echo "chain falls through"
echo "== test"
touch file; mkdir dir; ln -s file link
[ -f file ] && [ -d dir ] && [ -L link ] && [ -e link ] && echo "file types ok"
[ ! -e missing ] && echo "missing ok"
[ -s file ] || echo "empty file is not -s"
[ abc = abc ] && [ abc != abd ] && [ -n x ] && [ -z "" ] && echo "strings ok"
[ 10 -gt 9 ] && [ 3 -le 3 ] && [ -1 -lt 0 ] && echo "numbers ok"
[ file -ef link ] && echo "same file"
test 1 -eq 2; echo "test status $?"
[ 1 -eq ] 2>/dev/null; echo "bad test status $?"
