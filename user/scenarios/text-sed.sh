# sed: substitution with flags and groups, addresses and ranges, -n with
# p, deletion, insert/append/change, y, multiple commands, -i in place.
printf 'one two one\nalpha beta\nthree\nfour four\nlast line\n' > in
echo "== s"
sed 's/one/1/' in
sed 's/one/1/g' in | head -n 1
sed 's/o/0/2' in | head -n 1
sed -E 's/([a-z]+) ([a-z]+)/\2 \1/' in
sed 's/[aeiou]/<&>/g' in | sed -n 2p
sed 's|/|:|g' <<EOT
/usr/bin
EOT
echo "== addresses"
sed -n '2p' in
sed -n '2,3p' in
sed -n '$p' in
sed -n '/four/p' in
sed -n '/alpha/,/four/p' in
sed '1d' in
sed '/t/d' in
echo "== commands"
sed '2i\
inserted' in | head -n 3
sed '2a\
appended' in | head -n 3
sed '3c\
changed' in
sed 'y/abc/ABC/' in | sed -n 2p
sed -e 's/one/1/g' -e 's/two/2/' in | head -n 1
sed -n '/three/{s/three/3/;p}' in
sed = in | head -n 4
echo "== in place"
cp in copy
sed -i 's/last/final/' copy
tail -n 1 copy
echo "== empty input and missing file"
sed 's/x/y/' < /dev/null | wc -c
sed p missing 2>/dev/null; echo "missing $?"
