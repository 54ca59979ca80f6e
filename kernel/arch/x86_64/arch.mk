# x86_64 build settings, included by the top-level Makefile.
#
# Kernel code may not touch SSE/AVX/x87 state (user state lives there), may
# not use the red zone (interrupts push onto the same stack), and is linked
# into the top 2 GiB, hence -mcmodel=kernel.
ARCH_CFLAGS   := -m64 -mno-red-zone -mcmodel=kernel -mgeneral-regs-only
ARCH_ASFLAGS  :=
ARCH_LDFLAGS  := -m elf_x86_64 -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments

# ---- the vDSO ----------------------------------------------------------------
#
# kernel/arch/x86_64/vdso/ is left out of the kernel source glob (Makefile):
# vclock.c is user code, built position-independent into a shared object
# (vdso.lds: one R+X segment, DT_HASH and DT_GNU_HASH, version LINUX_2.6),
# checked to need no run-time relocation, and embedded by vdso_image.S.
VDSO_DIR    := $(ARCH_DIR)/vdso
VDSO_SO     := $(BUILD)/vdso/vdso.so
VDSO_IMAGE  := $(BUILD)/obj/$(VDSO_DIR)/vdso_image.o
VDSO_CFLAGS := -std=gnu11 -Ikernel/include -fPIC -O2 -nostdlib -ffreestanding \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-unwind-tables \
	-fcf-protection=none -fno-builtin -Wall -Wextra -Werror \
	-Wmissing-prototypes
VDSO_LDFLAGS := -shared -Wl,-T,$(VDSO_DIR)/vdso.lds -Wl,--hash-style=both \
	-Wl,-soname=linux-vdso.so.1 -Wl,--no-undefined -Wl,--build-id=none \
	-Wl,-z,max-page-size=4096 -Wl,-z,noexecstack

KOBJS += $(VDSO_IMAGE)

# These are the first rules make reads: keep `make` meaning `make all`.
.DEFAULT_GOAL := all

$(VDSO_SO): $(VDSO_DIR)/vclock.c $(VDSO_DIR)/vdso.lds kernel/include/keel/vdso.h
	$(call msg,VDSO,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(VDSO_CFLAGS) $(VDSO_LDFLAGS) -o $@.tmp $<
	$(Q)if readelf -r $@.tmp | grep -q "^Relocation section"; then \
		echo "$@: the vDSO needs run-time relocations" >&2; \
		rm -f $@.tmp; exit 1; fi
	$(Q)mv $@.tmp $@

$(VDSO_IMAGE): $(VDSO_DIR)/vdso_image.S $(VDSO_SO)
	$(call msg,AS,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) $(KASFLAGS) -DVDSO_SO_PATH='"$(VDSO_SO)"' $(DEPFLAGS) \
		-c $< -o $@
