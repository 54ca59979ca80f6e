# sort and uniq: default, numeric, reverse, keys and separators, unique,
# stability; uniq counting, duplicates only, unique only.
cat > list <<EOT
pear 3
apple 10
fig 2
apple 1
banana 20
fig 2
EOT
echo "== sort"
sort list
sort -r list
sort -k2 -n list
sort -k2,2nr list
sort -k1,1 -k2,2n list
sort -u list
sort -n <<EOT
10
9
-1
100
2.5
EOT
printf 'b:2\na:3\nc:1\n' | sort -t: -k2
echo "== sort -c"
sort list | sort -c && echo "sorted"
sort -c list 2>/dev/null; echo "unsorted $?"
echo "== uniq"
sort list | uniq
sort list | uniq -c
sort list | uniq -d
sort list | uniq -u
awk '{ print $1 }' list | sort | uniq -c | sort -k1,1nr -k2
echo "== case folding"
printf 'b\nA\na\nB\n' | sort -f
