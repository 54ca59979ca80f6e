#!/usr/bin/env bash
# mkiso.sh KERNEL ISO - build a GRUB rescue ISO that boots KERNEL via Multiboot2
# under both BIOS (i386-pc) and UEFI (x86_64-efi), with tools/grub.cfg.
#
#   tools/mkiso.sh build/keel.elf build/keel.iso
#
# The ISO tree is staged next to the output (build/iso-root). V=1 shows
# grub-mkrescue's output, which is otherwise printed only when it fails.
set -euo pipefail

die() { echo "mkiso.sh: $*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: tools/mkiso.sh KERNEL.elf OUT.iso"
kernel=$1
out=$2
tools=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$out")/iso-root

[ -f "$kernel" ] || die "kernel $kernel not found; run make"
for tool in grub-mkrescue xorriso mformat; do
    command -v "$tool" >/dev/null || die "$tool not found; run tools/install-deps.sh"
done
# grub-mkrescue silently leaves out a platform whose modules are missing.
for platform in i386-pc x86_64-efi; do
    [ -d "/usr/lib/grub/$platform" ] || die "/usr/lib/grub/$platform missing (GRUB for $platform); run tools/install-deps.sh"
done

rm -rf "$root"
mkdir -p "$root/boot/grub"
cp "$kernel" "$root/boot/keel.elf"
cp "$tools/grub.cfg" "$root/boot/grub/grub.cfg"

if [ "${V:-0}" = 1 ]; then
    grub-mkrescue -o "$out" "$root"
else
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    grub-mkrescue -o "$out" "$root" >"$log" 2>&1 || { cat "$log" >&2; die "grub-mkrescue failed"; }
fi
