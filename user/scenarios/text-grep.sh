# grep: basic and extended regexes, fixed strings, case, inversion,
# counting, numbering, files listing, word match, -o, -r, and statuses.
cat > words <<EOT
apple pie
Banana split
cherry tart
apple-sauce
pineapple
date 2024
EOT
echo "== basic"
grep apple words
grep '^apple' words
grep 'e$' words
grep -i banana words
grep -v a words
echo "== counting and numbering"
grep -c apple words
grep -n 'rt' words
echo "== regexes"
grep -E 'pie|tart' words
grep '[0-9]\{4\}' words
grep -E '^[a-z]+ [a-z]+$' words
grep -F 'e-s' words
grep -w apple words
grep -o 'app[a-z]*' words
grep -e cherry -e date words
echo "== several files"
printf 'apple\n' > other
grep apple words other
grep -l apple words other
grep -h apple other
grep -L cherry words other
echo "== recursive"
mkdir -p d/e
echo needle > d/e/f
echo hay > d/g
grep -r needle d
echo "== statuses"
grep -q apple words; echo "match $?"
grep -q kiwi words; echo "no match $?"
grep apple missing 2>/dev/null; echo "missing file $?"
echo "== context"
grep -A1 cherry words
grep -B1 cherry words
