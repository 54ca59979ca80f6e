# cat, cp, mv, rm, ln and mkdir on a tmpfs: contents, modes, link counts,
# preserved times, errors. Sizes and modes come from stat -c, never from
# the clock.
umask 022
printf 'alpha\nbeta\n' > a
printf 'gamma\n' > b
echo "== cat"
cat a b
cat -n a
cat < a | cat - b
echo "== cp"
cp a c
cmp a c && echo "copy identical"
touch -d '2001-02-03 04:05:06' a
cp -p a preserved
stat -c '%n %s %a %Y' a preserved
chmod 600 c
cp c c2
stat -c '%n %a' c c2
mkdir d
cp a b d/
ls d
cp -r d d2
ls d2
cp a d2/a 2>/dev/null && echo "overwrite ok"
cp missing x 2>/dev/null; echo "cp missing $?"
echo "== mv"
mv c moved
[ -e c ] || echo "c is gone"
cat moved
mv moved d/
ls d
mv d renamed
ls renamed
echo "== ln"
ln a hard
stat -c '%n %h' a hard
ln -s a soft
readlink soft
stat -c '%n %F' soft
stat -L -c '%n %F' soft
ln -s missing dangling
cat dangling 2>/dev/null; echo "dangling $?"
ln a hard 2>/dev/null; echo "ln existing $?"
ln -sf b soft
readlink soft
echo "== mkdir"
mkdir -p x/y/z
find x | sort
mkdir x 2>/dev/null; echo "mkdir existing $?"
mkdir -m 700 private
stat -c '%n %a' private
mkdir missing/child 2>/dev/null; echo "mkdir no parent $?"
echo "== rm"
rm hard
stat -c '%n %h' a
rm -r x renamed d2
rm missing 2>/dev/null; echo "rm missing $?"
rm -f missing; echo "rm -f missing $?"
rmdir private
ls
