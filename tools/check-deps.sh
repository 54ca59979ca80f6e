#!/usr/bin/env bash
# Called by `make run` and `make test`: if a needed tool is missing, install
# the dependencies (as root) or print the one command that does.
set -euo pipefail

need=(gcc ld python3 qemu-system-x86_64 grub-mkrescue xorriso mformat musl-gcc)
missing=()
for tool in "${need[@]}"; do
	command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ -e /usr/include/cmocka.h ] || missing+=("cmocka.h")
[ -d /usr/lib/grub/i386-pc ] || missing+=("grub-pc-bin")
[ -d /usr/lib/grub/x86_64-efi ] || missing+=("grub-efi-amd64-bin")
ls /usr/share/OVMF/OVMF_CODE*.fd >/dev/null 2>&1 || missing+=("ovmf")
[ -x /bin/busybox ] || missing+=("busybox-static")
ls /boot/vmlinuz-* >/dev/null 2>&1 || missing+=("linux-image-amd64")

[ ${#missing[@]} -eq 0 ] && exit 0

here=$(cd "$(dirname "$0")" && pwd)
echo "check-deps: missing: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
	echo "check-deps: installing with tools/install-deps.sh"
	exec "$here/install-deps.sh"
fi
echo "check-deps: run this once, then try again:"
echo "    sudo tools/install-deps.sh"
exit 1
