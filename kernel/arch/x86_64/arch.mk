# x86_64 build settings, included by the top-level Makefile.
#
# Kernel code may not touch SSE/AVX/x87 state (user state lives there), may
# not use the red zone (interrupts push onto the same stack), and is linked
# into the top 2 GiB, hence -mcmodel=kernel.
ARCH_CFLAGS   := -m64 -mno-red-zone -mcmodel=kernel -mgeneral-regs-only
ARCH_ASFLAGS  :=
ARCH_LDFLAGS  := -m elf_x86_64 -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments
