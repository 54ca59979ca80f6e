#!/usr/bin/env bash
# Install every Debian package Keel's build, run and tests need.
# Safe to run again: apt-get skips what is installed. Needs root (or sudo).
#
# When a later issue needs a new tool, add its package here and its check
# to tools/check-deps.sh; nothing is ever installed by hand.
set -euo pipefail

PACKAGES=(
	# build
	make gcc clang lld binutils python3
	# run and debug
	qemu-system-x86 gdb
	# GRUB ISO for BIOS and UEFI
	grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools ovmf
	# user-space test programs and host unit tests
	musl-tools libcmocka-dev
	# conformance suite: busybox for the scenarios, Linux as the oracle
	busybox-static linux-image-amd64
	# benchmarks: the ratio chart (tools/bench)
	gnuplot-nox
)

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "install-deps.sh: run as root: sudo $0" >&2
		exit 1
	fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
echo "install-deps.sh: all packages installed"
