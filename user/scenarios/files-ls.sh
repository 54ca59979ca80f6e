# ls: one per line, hidden files, recursion, long listings with fixed
# owners and mtimes (ls -n, so numeric ids), sorting by time, size and
# reverse, -d, -F, -i consistency. Directory sizes are not printed: they
# are a file-system detail, not an interface.
umask 022
mkdir dir
printf '12345' > dir/five
printf '1' > dir/one
printf '1234567890' > dir/ten
touch dir/.hidden
mkdir dir/sub
touch dir/sub/inner
touch -d '2000-01-01 00:00:00' dir/ten
touch -d '2001-01-01 00:00:00' dir/one
touch -d '2002-01-01 00:00:00' dir/five
chmod 640 dir/one
chmod 755 dir/ten
echo "== plain, -1, -a, -A"
ls dir
ls -1 dir
ls -a dir
ls -A dir
echo "== long listing of files"
ls -ln dir/five dir/one dir/ten
echo "== sorting"
ls -t dir/five dir/one dir/ten
ls -tr dir/five dir/one dir/ten
ls -S dir/five dir/one dir/ten
ls -r dir
echo "== recursive"
ls -R dir
echo "== -d and -F"
ls -d dir dir/sub
ls -F dir
echo "== symlinks"
ln -s five dir/link
touch -h -d '2003-01-01 00:00:00' dir/link
ls -ln dir/link
ls -L -ln dir/link
echo "== inode numbers agree with stat"
[ "$(ls -i dir/five | awk '{print $1}')" = "$(stat -c %i dir/five)" ] && echo "inode ok"
echo "== errors"
ls dir/missing 2>/dev/null; echo "ls missing $?"
