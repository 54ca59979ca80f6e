# find: names, types, depth limits, sizes, newer-than, -exec and -print0
# with xargs. Output is sorted (directory order is unspecified).
mkdir -p tree/a/b/c tree/d
for f in tree/x.txt tree/a/y.txt tree/a/b/z.log tree/a/b/c/w.txt tree/d/v.log; do echo data > $f; done
printf '%2000s' x > tree/big
ln -s x.txt tree/link
touch -d '2000-01-01 00:00:00' tree/x.txt
touch -d '2010-01-01 00:00:00' tree/ref
echo "== everything"
find tree | sort
echo "== -name and -iname"
find tree -name '*.txt' | sort
touch tree/UPPER.TXT
find tree -iname '*.txt' | sort
echo "== -type"
find tree -type d | sort
find tree -type l
find tree -type f -name '*.log' | sort
echo "== depth"
find tree -maxdepth 1 | sort
find tree -mindepth 3 | sort
echo "== -size"
find tree -size +1k
find tree -type f -size -2 | sort
echo "== -newer"
find tree -type f ! -newer tree/ref | sort
echo "== -exec and -print0"
find tree -name '*.log' -exec wc -c {} \; | sort
find tree -name '*.txt' -print0 | xargs -0 cat | wc -l
find tree -name '*.log' -exec echo found {} + | tr ' ' '\n' | sort
echo "== combined expressions"
find tree \( -name '*.log' -o -name 'x*' \) -type f | sort
find tree -path '*/b/*' | sort
echo "== errors"
find missing 2>/dev/null; echo "find missing $?"
