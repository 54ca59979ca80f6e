# awk: fields and separators, patterns, BEGIN/END, variables, arrays,
# printf formats, string functions, arithmetic, user functions, getline.
# (Debian's busybox awk has no math library: no ^, sqrt, exp.)
cat > data <<EOT
alice 30 paris
bob 25 london
carol 35 paris
dave 40 berlin
EOT
echo "== fields"
awk '{ print $1, $3 }' data
awk '{ print NR": "$0 }' data | head -n 2
awk '{ print NF, $NF }' data | head -n 1
awk -F: '{ print $2 }' <<EOT
a:b:c
EOT
awk 'BEGIN { FS = ","; OFS = "-" } { $1 = $1; print }' <<EOT
x,y,z
EOT
echo "== patterns"
awk '$2 > 28' data
awk '/paris/ { n++ } END { print n, "in paris" }' data
awk 'NR == 2, NR == 3 { print $1 }' data
echo "== arrays and sums"
awk '{ c[$3]++; s += $2 } END { for (k in c) print k, c[k] | "sort"; close("sort"); print "total", s, "avg", s / NR }' data
echo "== printf"
awk '{ printf "%-6s|%4d|%05.1f|%x\n", $1, $2, $2 / 3, $2 }' data
awk 'BEGIN { printf "%s %c %e\n", "str", 65, 12345.678 }'
echo "== string functions"
awk '{ print length($1), toupper($1), substr($3, 2, 3), index($3, "r") }' data
awk 'BEGIN { s = "a-b-c"; n = split(s, p, "-"); print n, p[1], p[3]; gsub("-", "+", s); print s }'
awk 'BEGIN { s = "hello world"; sub(/o/, "0", s); print s; print match(s, /w.r/), RSTART, RLENGTH }'
awk 'BEGIN { x = sprintf("%03d", 7); print x }'
echo "== arithmetic and functions"
awk 'function sq(x) { return x * x } BEGIN { print sq(12), 7 % 3, int(-3.7), 1e3 }'
awk 'BEGIN { print 1 / 3 }'
echo "== getline and input"
awk 'BEGIN { while ((getline line < "data") > 0) n++; print n, "lines" }'
echo "== exit status"
awk 'BEGIN { exit 3 }'; echo "status $?"
