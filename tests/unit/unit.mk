# Host unit tests: real kernel sources compiled for the host under cmocka,
# AddressSanitizer and UndefinedBehaviorSanitizer. Included by the top-level
# Makefile, which provides BUILD, HOSTCC, Q and msg.
#
#   make unit        build $(BUILD)/unit/test_<name> for every
#                    tests/unit/test_<name>.c
#   make unit-run    build them and run each (TAP on stdout); fails if any
#                    test fails
#
# Which kernel sources a test links:
#   UNIT_COMMON_SRCS      linked into every test (kernel/lib/string.c: the
#                         rest of the kernel needs it and it needs nothing)
#   UNIT_SRCS_test_<name> the test's own extra sources, kernel or helper
#                         .c files, e.g.
#                           UNIT_SRCS_test_cmdline := kernel/init/cmdline.c
#                         Define it below, next to the others. A test without
#                         one links UNIT_COMMON_SRCS only.
# Every source is compiled once per build into $(BUILD)/unit/obj/<path>.o
# with the same flags as the tests: -DKEEL_HOST, -Ikernel/include, and
# `-include tests/unit/host.h`, which renames the kernel's libc-named
# functions (memcpy -> keel_memcpy, ...) so they coexist with the host libc
# (see that file). Kernel code that calls into subsystems not linked here
# needs a stub, which goes in a tests/unit/*.c helper listed in the test's
# UNIT_SRCS. Nothing is built unless a unit target (or a file under
# $(BUILD)/unit) is asked for; objects track header changes via -MMD but
# not the compiler: to switch HOSTCC, use another BUILD= or make clean.

UNIT_DIR     := tests/unit
UNIT_OUT     := $(BUILD)/unit
UNIT_TESTS   := $(sort $(patsubst $(UNIT_DIR)/%.c,%,\
		$(wildcard $(UNIT_DIR)/test_*.c)))
UNIT_BINS    := $(addprefix $(UNIT_OUT)/,$(UNIT_TESTS))

UNIT_COMMON_SRCS := kernel/lib/string.c tests/unit/host_preempt.c

UNIT_SRCS_test_string   :=
UNIT_SRCS_test_vsprintf := kernel/lib/vsprintf.c
UNIT_SRCS_test_kstrtox  := kernel/lib/kstrtox.c
UNIT_SRCS_test_list     :=
UNIT_SRCS_test_rbtree   := kernel/lib/rbtree.c
UNIT_SRCS_test_bitmap   := kernel/lib/bitmap.c
UNIT_SRCS_test_hash     :=
UNIT_SRCS_test_sort     := kernel/lib/sort.c
UNIT_SRCS_test_log_ring := kernel/debug/log_ring.c kernel/lib/vsprintf.c
UNIT_SRCS_test_acpi_tables := kernel/drivers/acpi/tables.c
UNIT_SRCS_test_cpio     := kernel/fs/cpio.c
UNIT_SRCS_test_inflate  := kernel/lib/inflate.c

# printk for host tests: captures the log for assertions (log_capture.h).
UNIT_PRINTK := tests/unit/log_capture.c kernel/lib/vsprintf.c

UNIT_SRCS_test_memmap   := kernel/init/memmap.c kernel/lib/kstrtox.c \
			   kernel/lib/sort.c $(UNIT_PRINTK)
UNIT_SRCS_test_params   := kernel/init/params.c kernel/lib/kstrtox.c \
			   $(UNIT_PRINTK)
UNIT_SRCS_test_slab     := kernel/mm/slab.c kernel/mm/slab_debug.c \
			   kernel/mm/kmalloc.c tests/unit/fake_page_alloc.c \
			   tests/unit/host_arch.c $(UNIT_PRINTK)
UNIT_SRCS_test_buddy    := kernel/mm/buddy.c $(UNIT_PRINTK)
# page_alloc.c itself is #included by the test (for its static functions).
UNIT_SRCS_test_page_alloc := kernel/mm/buddy.c kernel/lib/kstrtox.c \
			   tests/unit/host_arch.c $(UNIT_PRINTK)
# spinlock_debug.c is #included by the test, which stands in for the arch.
UNIT_SRCS_test_lockdep  := $(UNIT_PRINTK)
# cmos.c itself is #included by the test (after fake port accessors).
UNIT_SRCS_test_rtc      := $(UNIT_PRINTK)
UNIT_SRCS_test_timer_queue := kernel/sched/timer.c kernel/lib/rbtree.c
UNIT_SRCS_test_sched_fair := kernel/sched/fair.c kernel/lib/rbtree.c
UNIT_SRCS_test_sched_rt := kernel/sched/rt.c kernel/lib/bitmap.c
# multiboot2.c itself is #included by the test (with boot.c's helpers stubbed).
UNIT_SRCS_test_multiboot2 := kernel/init/memmap.c kernel/lib/kstrtox.c \
			     kernel/lib/sort.c $(UNIT_PRINTK)
UNIT_SRCS_test_elf      := kernel/proc/elf_parse.c

UNIT_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
UNIT_CFLAGS  := -std=gnu11 -g -O1 -fno-omit-frame-pointer $(UNIT_SAN) \
	-fno-builtin -fno-strict-aliasing \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wvla \
	-DKEEL_HOST -Ikernel/include -I$(UNIT_DIR)/include -include $(UNIT_DIR)/host.h \
	$(UNIT_EXTRA_CFLAGS)
UNIT_LDLIBS  := -lcmocka

# Objects of a source path: $(call unit_obj,kernel/lib/string.c)
unit_obj = $(patsubst %.c,$(UNIT_OUT)/obj/%.o,$(1))
unit_srcs = $(UNIT_DIR)/$(1).c $(UNIT_COMMON_SRCS) $(UNIT_SRCS_$(1))

UNIT_ALL_OBJS := $(sort $(foreach t,$(UNIT_TESTS),\
		$(call unit_obj,$(call unit_srcs,$(t)))))

.PHONY: unit unit-run
unit: $(UNIT_BINS)

unit-run: $(UNIT_BINS)
	$(Q)fail=0; for t in $(UNIT_BINS); do \
		CMOCKA_MESSAGE_OUTPUT=TAP $$t || fail=1; \
	done; exit $$fail

$(UNIT_OUT)/obj/%.o: %.c $(UNIT_DIR)/host.h
	$(call msg,HOSTCC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -MMD -MP -MF $(@:.o=.d) -c $< -o $@

# One link rule per test, so each gets its own prerequisite list.
define unit_link_rule
$(UNIT_OUT)/$(1): $(call unit_obj,$(call unit_srcs,$(1)))
	$$(call msg,HOSTLD,$$@)
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) $$^ $(UNIT_LDLIBS) -o $$@
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_link_rule,$(t))))

-include $(UNIT_ALL_OBJS:.o=.d)
