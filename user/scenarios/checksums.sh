# md5sum, sha1sum, sha256sum, sha512sum on known data, check mode (-c)
# with a good and a corrupted file.
printf 'The quick brown fox jumps over the lazy dog' > fox
: > empty
seq 1 10000 > numbers
echo "== digests"
md5sum fox empty numbers
sha1sum fox
sha256sum fox empty
sha512sum fox | cut -c1-32
echo abc | md5sum
echo "== check mode"
sha256sum fox numbers > sums
sha256sum -c sums
echo changed >> numbers
sha256sum -c sums 2>/dev/null; echo "status $?"
md5sum fox > m
md5sum -c m
