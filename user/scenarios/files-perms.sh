# chmod (octal and symbolic), umask for new files and directories, chown
# to nobody, stat formats, and that root bypasses permission bits.
umask 022
touch f
mkdir d
echo "== umask"
stat -c '%n %a' f d
( umask 077; touch private; mkdir privdir; stat -c '%n %a' private privdir )
umask
echo "== chmod octal and symbolic"
chmod 640 f; stat -c %a f
chmod u+x f; stat -c %a f
chmod g-r,o+w f; stat -c %a f
chmod a=r f; stat -c %a f
chmod +t d; stat -c '%a %A' d
chmod 4755 f; stat -c '%a %A' f
chmod -R 700 d; stat -c %a d
chmod 999 f 2>/dev/null; echo "bad mode $?"
echo "== chown"
chown nobody f
stat -c '%U %G %u' f
chown nobody:nogroup f
stat -c '%U:%G' f
chown 0:0 f
stat -c '%u:%g' f
chown nosuchuser f 2>/dev/null; echo "unknown user $?"
echo "== root reads a file without permissions"
echo secret > locked
chmod 000 locked
cat locked
stat -c '%A' locked
echo "== stat formats"
printf 'twelve bytes' > s
stat -c '%n|%s|%F|%h|%a|%U' s
stat -c '%F' d
ln -s s l
stat -c '%N' l
