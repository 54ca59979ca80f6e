# tar and gzip: create, list (with fixed owners and mtimes), extract and
# compare; gzip/gunzip/zcat round trips and integrity checks. Compressed
# bytes are not printed (they may carry a timestamp); their contents are.
umask 022
mkdir -p src/sub
printf 'first file\n' > src/one
seq 1 1000 > src/sub/numbers
ln -s one src/link
touch -h -d '2000-01-01 00:00:00' src/one src/sub/numbers src/sub src/link src
echo "== tar create and list"
tar cf a.tar src
tar tf a.tar | sort
tar tvf a.tar | awk '{ print $1, $2, $3, $4, $5, $6 }' | sort -k6
echo "== tar extract"
mkdir out
tar xf a.tar -C out
diff -r src out/src && echo "tree identical"
readlink out/src/link
stat -c '%n %Y' out/src/one
echo "== tar with gzip"
tar czf a.tgz src
tar tzf a.tgz | sort
mkdir out2
( cd out2 && tar xzf ../a.tgz )
cmp src/sub/numbers out2/src/sub/numbers && echo "gzip tar identical"
echo "== tar to and from a pipe"
tar cf - src | ( mkdir out3 && cd out3 && tar xf - )
md5sum out3/src/sub/numbers
echo "== gzip"
cp src/sub/numbers n
gzip n
[ -e n ] || echo "original removed"
ls n.gz
gzip -t n.gz && echo "integrity ok"
zcat n.gz | md5sum
gunzip n.gz
md5sum n
echo hello | gzip -c | gzip -dc
gzip -c n > n.gz
gzip -dc n.gz | wc -l
printf 'garbage' > bad.gz
gzip -t bad.gz 2>/dev/null; echo "bad gzip $?"
