# Keel top-level Makefile.
#
#   make            build build/keel.elf
#   make run        boot it with the default system (busybox, a login shell)
#                   in QEMU on the serial console (poweroff or Ctrl-A X quits)
#   make system     just that image: build/system/initramfs.cpio
#   make test       host unit tests + in-kernel tests + QEMU system tests
#                   + the conformance suite on Keel (table in build/conformance.md)
#                   + a scripted session typed at `make run`'s shell
#   make test-linux the conformance suite and the scripted shell session on
#                   Debian's Linux kernel: must be all green
#   make scenarios-expected   rewrite user/scenarios/*.expected from a Linux run
#   make initramfs  build/conformance/initramfs.cpio (test init, busybox, tests)
#   make iso        GRUB ISO (BIOS and UEFI) in build/keel.iso
#   make debug      QEMU halted with a gdb stub; see README
#   make clean      remove build/
#
# Everything generated goes under build/. V=1 prints full commands.
# CC=clang builds with clang (GNU ld links in both cases).

ARCH    ?= x86_64
BUILD   ?= build
ifeq ($(origin CC),default)
CC      := gcc
endif
LD      ?= ld
ifeq ($(origin LD),default)
LD      := ld
endif
NM      ?= nm
OBJCOPY ?= objcopy
PYTHON  ?= python3
HOSTCC  ?= gcc

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(2)
endif

# ---- kernel sources ---------------------------------------------------------

ARCH_DIR := kernel/arch/$(ARCH)
GEN_SRCS := $(BUILD)/gen/syscall_table.c
KSRCS := $(shell find kernel -path kernel/arch -prune -o \( -name '*.c' -o -name '*.S' \) -print | sort)
KSRCS += $(shell find $(ARCH_DIR) -path $(ARCH_DIR)/vdso -prune -o \( -name '*.c' -o -name '*.S' \) -print | sort)
KSRCS += $(GEN_SRCS)
KOBJS := $(patsubst %,$(BUILD)/%.o,$(basename $(KSRCS)))
KOBJS := $(patsubst $(BUILD)/%,$(BUILD)/obj/%,$(KOBJS))

include $(ARCH_DIR)/arch.mk

# Recursive (=) so $(CC) is asked for its include path only when compiling,
# after `make deps` may have installed it.
KCFLAGS = -std=gnu11 -ffreestanding -fno-builtin -nostdlib -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) \
	-Ikernel/include -I$(ARCH_DIR)/include -I$(BUILD)/gen/include \
	-O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wstrict-prototypes -Wmissing-prototypes -Wvla \
	-fno-strict-aliasing -fno-common -fno-stack-protector \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-fno-asynchronous-unwind-tables -fno-unwind-tables \
	-fno-pic -fno-pie \
	-DARCH_NAME=\"$(ARCH)\" $(ARCH_CFLAGS) $(EXTRA_CFLAGS)
KASFLAGS := -D__ASSEMBLY__ -Ikernel/include -I$(ARCH_DIR)/include $(ARCH_ASFLAGS) -g
DEPFLAGS = -MMD -MP -MF $(@:.o=.d)

KERNEL_ELF := $(BUILD)/keel.elf
LDSCRIPT   := $(ARCH_DIR)/kernel.ld

.PHONY: all
all: $(KERNEL_ELF)

$(BUILD)/obj/%.o: %.c
	$(call msg,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.S
	$(call msg,AS,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) $(KASFLAGS) $(DEPFLAGS) -c $< -o $@

# Link in two passes. Pass 1 has an empty symbol table; its text symbols are
# turned into build/gen/ksyms.S and linked into pass 2. The table sits after
# all code in the image, so code addresses cannot move between the passes
# (tools/ksyms.py --check verifies that).
$(BUILD)/gen/ksyms-empty.S:
	@mkdir -p $(dir $@)
	$(Q)$(PYTHON) tools/ksyms.py --empty > $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.S
	$(call msg,AS,$<)
	$(Q)$(CC) $(KCFLAGS) $(KASFLAGS) -c $< -o $@

$(BUILD)/keel.pass1.elf: $(KOBJS) $(BUILD)/gen/ksyms-empty.o $(LDSCRIPT)
	$(call msg,LD,$@)
	$(Q)$(LD) $(ARCH_LDFLAGS) -T $(LDSCRIPT) -o $@ $(KOBJS) $(BUILD)/gen/ksyms-empty.o

$(BUILD)/gen/ksyms.S: $(BUILD)/keel.pass1.elf tools/ksyms.py
	$(call msg,KSYMS,$@)
	$(Q)$(NM) -n $< | $(PYTHON) tools/ksyms.py > $@

$(KERNEL_ELF): $(BUILD)/keel.pass1.elf $(BUILD)/gen/ksyms.o
	$(call msg,LD,$@)
	$(Q)$(LD) $(ARCH_LDFLAGS) -T $(LDSCRIPT) -o $@ $(KOBJS) $(BUILD)/gen/ksyms.o
	$(Q)$(NM) -n $@ | $(PYTHON) tools/ksyms.py --check $(BUILD)/gen/ksyms.S

-include $(KOBJS:.o=.d)

# The system-call table (kernel/syscall/syscall_64.tbl) generates the numbers
# header, the dispatch table and the Markdown view; docs/syscalls.md is the
# committed copy of the latter (a warning here when stale, a failure in
# make test). Every object waits for the header; its .d file does the rest.
SYSCALL_TBL := kernel/syscall/syscall_64.tbl
SYSCALL_HDR := $(BUILD)/gen/include/generated/syscalls.h
$(SYSCALL_HDR) $(BUILD)/gen/syscall_table.c $(BUILD)/gen/syscalls.md &: \
		$(SYSCALL_TBL) tools/gensyscalls.py
	$(call msg,GEN,$(SYSCALL_TBL))
	$(Q)$(PYTHON) tools/gensyscalls.py $(SYSCALL_TBL) --header $(SYSCALL_HDR) \
		--table $(BUILD)/gen/syscall_table.c --doc $(BUILD)/gen/syscalls.md \
		--warn-if-stale docs/syscalls.md
$(KOBJS): | $(SYSCALL_HDR)

# ---- host unit tests ---------------------------------------------------------

include tests/unit/unit.mk

# ---- user-space programs (conformance tests) ---------------------------------

include user/user.mk

# ---- images, running, testing -----------------------------------------------

ISO := $(BUILD)/keel.iso

.PHONY: iso
iso: $(ISO)
$(ISO): $(KERNEL_ELF) tools/grub.cfg tools/mkiso.sh
	$(call msg,ISO,$@)
	$(Q)tools/mkiso.sh $(KERNEL_ELF) $@

# ---- conformance suite initramfs ---------------------------------------------

CONFORMANCE_INITRD := $(BUILD)/conformance/initramfs.cpio
SCENARIO_SCRIPTS   := $(sort $(wildcard user/scenarios/*.sh))
BUSYBOX            ?= /bin/busybox

# The archive's member list, rewritten only when it changes, so removing a
# test or a scenario also rebuilds the archive.
CONFORMANCE_INPUTS := $(USER_TESTS) $(SCENARIO_SCRIPTS)
$(BUILD)/conformance/inputs: FORCE
	@mkdir -p $(dir $@)
	@echo '$(CONFORMANCE_INPUTS)' | cmp -s - $@ || echo '$(CONFORMANCE_INPUTS)' > $@

# Building the archive builds the test programs and the init first.
.PHONY: initramfs
initramfs: $(CONFORMANCE_INITRD)
$(CONFORMANCE_INITRD): $(BUILD)/conformance/inputs tools/mkinitramfs.py $(USER_INITS) \
		$(CONFORMANCE_INPUTS) $(USER_TEST_SRCS)
	$(call msg,CPIO,$@)
	$(Q)$(PYTHON) tools/mkinitramfs.py -o $@ --init $(BUILD)/user/init/conformance-init \
		--busybox $(BUSYBOX) --sources user/tests --tests $(USER_TESTS) \
		--scenarios $(SCENARIO_SCRIPTS)

.PHONY: FORCE
FORCE:

# ---- the default system image (make run) -------------------------------------

# Keel's init, busybox and the files of user/system: what `make run` boots.
SYSTEM_INITRD := $(BUILD)/system/initramfs.cpio
SYSTEM_ROOTFS := $(shell find user/system/rootfs -print 2>/dev/null | sort)

.PHONY: system
system: $(SYSTEM_INITRD)
$(SYSTEM_INITRD): tools/mksystem.py tools/mkinitramfs.py $(BUILD)/user/init/keel-init \
		$(USER_SYSTEM) $(SYSTEM_ROOTFS)
	$(call msg,CPIO,$@)
	$(Q)$(PYTHON) tools/mksystem.py -o $@ --init $(BUILD)/user/init/keel-init \
		--busybox $(BUSYBOX) --programs $(USER_SYSTEM)

# run, debug and test first make sure the tools exist (installing them as
# root), then build in a sub-make, so a fresh machine needs nothing typed first.
.PHONY: deps
deps:
	@tools/check-deps.sh

TEST_PREREQS := all unit iso user initramfs system

# The default system: Keel with busybox and a login shell on the serial port.
.PHONY: run
run: deps
	$(Q)$(MAKE) --no-print-directory all system
	$(Q)$(PYTHON) tools/qemu-run --kernel $(KERNEL_ELF) --initrd $(SYSTEM_INITRD) \
		--interactive $(if $(APPEND),--append "$(APPEND)")

.PHONY: debug
debug: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(PYTHON) tools/qemu-run --kernel $(KERNEL_ELF) --interactive --gdb $(if $(APPEND),--append "$(APPEND)")

.PHONY: test
test: deps
	$(Q)$(MAKE) --no-print-directory $(TEST_PREREQS)
	$(Q)$(PYTHON) tools/keel-test $(if $(ONLY),--only "$(ONLY)")

.PHONY: test-linux
test-linux: deps
	$(Q)$(MAKE) --no-print-directory initramfs system
	$(Q)$(PYTHON) tools/keel-test --linux $(if $(ONLY),--only "$(ONLY)")

.PHONY: scenarios-expected
scenarios-expected: deps
	$(Q)$(MAKE) --no-print-directory initramfs
	$(Q)$(PYTHON) tools/keel-test --linux --update-expected

.PHONY: compile_commands.json
compile_commands.json:
	$(Q)$(PYTHON) tools/compile-commands.py $(MAKE)

.PHONY: clean
clean:
	$(call msg,CLEAN,$(BUILD))
	$(Q)rm -rf $(BUILD)

# ---- benchmarks (issue 11) ---------------------------------------------------

# make bench [QUICK=1] [ICOUNT=1]: Linux and Keel side by side; writes
# $(BUILD)/bench/{report.md,results.json,ratios.svg}. ICOUNT=1 is the
# deterministic mode and fails unless two boots give identical figures.
# BENCH_ARGS adds options (tools/bench --help); docs/performance.md.
.PHONY: bench
bench: $(KERNEL_ELF) user
	$(Q)$(PYTHON) tools/bench --build $(BUILD) $(if $(QUICK),--quick) \
		$(if $(ICOUNT),--icount --repeat-check) $(BENCH_ARGS)
