# date, env, id, uname, mount, df, free: fixed facts are printed as they
# are; the clock, the kernel's name and version go through TIME= and
# KERNEL= placeholders; sizes that depend on the kernel are not printed.
echo "== date"
echo "TIME=$(date)"
date -u -d @0
date -u -d @1000000000 '+%Y-%m-%d %H:%M:%S %a %j'
date -u -d '2000-02-29 12:34:56' +%s
date -u -d @86399 +%T
y=$(date +%Y); [ "$y" -ge 2024 ] && echo "year is recent"
echo "== env"
env | sort | grep -v '^PWD=\|^SHLVL=\|^OLDPWD='
env -i A=1 B=2 env | sort
env X=set sh -c 'echo "X=$X"'
env -u HOME sh -c 'echo "HOME=${HOME-unset}"'
echo "== id"
id
id -u
id -g
id -un
id nobody
echo "== uname"
echo "KERNEL=$(uname -s)"
echo "KERNEL=$(uname -r)"
echo "KERNEL=$(uname -v)"
uname -m
[ "$(uname -n)" = "$(hostname)" ] && echo "nodename is the hostname"
echo "== mount"
mount | grep -c ' /tmp '
mount | grep ' on /proc ' | awk '{ print $1, $3, $5 }'
mount | grep ' on /tmp ' | awk '{ print $1, $3, $5 }'
mount | grep ' on /dev/pts ' | awk '{ print $5 }'
echo "== df"
df -P /tmp | head -n 1
df -P /tmp | awk 'NR == 2 { print $1, $6, ($2 > 0 ? "has size" : "no size") }'
echo "== free"
free | head -n 1 | awk '{ print $1, $2, $3 }'
free | awk '$1 == "Mem:" { print ($2 > 0 && $2 >= $3 ? "total >= used" : "bad") }'
