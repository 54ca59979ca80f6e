# wc, head, tail, cut, tr and od on known input.
printf 'line one\nline two\nthird line here\nfour\nfive\nsix\n' > f
echo "== wc"
wc f
wc -l f
wc -w < f
wc -c < f
printf 'no newline' | wc -l
echo "== head and tail"
head -n 2 f
head -c 6 f; echo
tail -n 2 f
tail -n +5 f
tail -c 4 f
seq 1 100 | tail -n 1
seq 1 100 | head -n -97
echo "== cut"
cut -d' ' -f2 f
cut -c1-4 f | head -n 2
printf 'a:b:c:d\n' | cut -d: -f2,4
printf 'a:b:c:d\n' | cut -d: -f3-
echo "== tr"
echo hello | tr a-z A-Z
echo hello | tr -d l
echo 'a   b    c' | tr -s ' '
echo hello | tr el ip
echo 'x1y2z3' | tr -cd 0-9; echo
echo "== od"
printf 'AB\n\001' | od -c
printf '\377\000' | od -An -tx1
