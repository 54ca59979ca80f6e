# Expansions: parameters (defaults, lengths, prefix/suffix removal,
# replacement), command substitution (trailing newlines removed), field
# splitting with IFS, quoting, and pathname globbing (sorted).
echo "== parameters"
unset u
e=
v=value.tar.gz
echo "${u-default} ${u:-default} [${e-set}] ${e:-empty}"
echo "${#v} ${v%.*} ${v%%.*} ${v#*.} ${v##*.}"
p=/usr/local/lib/libc.so
echo "${p##*/} ${p%/*}"
echo "${v/tar/TAR} ${u:+alt} ${v:+alt}"
: ${u:=assigned}
echo "u=$u"
( : ${missing?is required} ) 2>/dev/null; echo "? status $?"
echo "== positional parameters"
set -- a "b c" d
echo "$# $1 $2 $3"
for x in "$@"; do echo "[$x]"; done
for x in $*; do echo "<$x>"; done
echo "== command substitution"
s=$(printf 'a\nb\n\n\n')
echo "[$s]"
echo "$(echo one) `echo two`"
n=$(ls | wc -l)
echo "n=$n"
echo "== field splitting"
list="a:b::c"
IFS=:
for x in $list; do echo "{$x}"; done
unset IFS
words="  lead   trail  "
set -- $words
echo "$# [$1] [$2]"
echo "== quoting"
echo 'single $HOME' "double \$HOME" \$escaped
echo "tab	inside" | od -c | head -n 1
echo "== globbing"
touch b.txt a.txt c.log .hidden
echo *.txt
echo *.none
echo [ab]*
echo ?.log
echo .h*
set -f
echo *.txt
set +f
echo "== tilde and arithmetic"
echo ~ ~/x
echo $((1 + 2)) "$((7 / 2))"
