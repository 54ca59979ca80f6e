# Subshells and groups: ( ) isolates variables, the cwd, traps and exit;
# { } runs in the current shell; command substitution runs in a subshell.
echo "== variables"
x=1
( x=2; echo "inside $x" )
echo "outside $x"
{ x=3; }
echo "after group $x"
echo "== cwd"
mkdir -p sub/dir
( cd sub/dir && pwd | sed 's|.*/t/scenario/|.../|' )
pwd | sed 's|.*/t/scenario/|.../|'
echo "== exit ends only the subshell"
( exit 7 ); echo "subshell status $?"
( echo before; exit 3; echo never ); echo "status $?"
echo "== nested"
( ( ( echo depth 3 ) ) )
echo "$( echo "$( echo nested substitution )" )"
echo "== environment is inherited, not returned"
export E=exported
( echo "child sees $E"; E=changed; export F=new )
echo "E=$E F=${F-unset}"
echo "== \$\$ is the parent shell's in a subshell"
p=$$
( [ "$$" = "$p" ] && echo same ) 
echo "== group output and status"
{ echo one; false; }; echo "group status $?"
{ echo a; echo b; } | wc -l
