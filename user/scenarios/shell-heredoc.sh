# Here-documents: expansion in unquoted ones, none in quoted ones, <<-
# strips leading tabs, several in one command, into loops and functions.
name=world
echo "== expanded"
cat <<EOT
hello $name
sum $((2 + 3))
cmd $(echo substituted)
escaped \$name
EOT
echo "== quoted delimiter: no expansion"
cat <<'EOT'
hello $name $(echo no) \n
EOT
echo "== <<- strips leading tabs"
cat <<-EOT
	tab indented
		two tabs
	done
	EOT
echo "== into a loop"
while read a b; do echo "$b-$a"; done <<EOT
1 one
2 two
EOT
echo "== two here-documents"
cat /dev/fd/3 /dev/fd/4 3<<A 4<<B
from three
A
from four
B
echo "== to a file and into a function"
cat > file <<EOT
line 1
line 2
EOT
wc -l < file
f() { tr a-z A-Z; }
f <<EOT
shout
EOT
echo "== empty here-document"
cat <<EOT | wc -c
EOT
