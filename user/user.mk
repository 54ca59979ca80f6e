# User-space programs: static musl binaries that run on Keel and on Linux.
# Included by the top-level Makefile.
#
#   make user    build every conformance test program and the test init:
#                user/tests/<area>/<name>.c -> $(BUILD)/user/tests/<area>/<name>
#                user/init/<name>.c         -> $(BUILD)/user/init/<name>
#                and every benchmark program:
#                user/bench/<name>.c        -> $(BUILD)/user/bench/<name>
#                and the programs of the default system image:
#                user/system/<name>.c       -> $(BUILD)/user/system/<name>
#
# Each test program is one .c file linked with user/lib/*.c (TAP helpers).
# A test that needs several files can be a directory later; keep one
# program per file for now. Programs must not depend on anything but musl.

USER_CC      ?= musl-gcc
USER_CFLAGS  := -static -std=gnu11 -O2 -g -D_GNU_SOURCE \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers \
	-Iuser/lib
USER_LIB_SRCS := $(sort $(wildcard user/lib/*.c))
USER_LIB_OBJS := $(patsubst %.c,$(BUILD)/user/obj/%.o,$(USER_LIB_SRCS))
USER_TEST_SRCS := $(sort $(wildcard user/tests/*/*.c))
USER_TESTS   := $(patsubst user/tests/%.c,$(BUILD)/user/tests/%,$(USER_TEST_SRCS))
USER_TEST_OBJS := $(patsubst %.c,$(BUILD)/user/obj/%.o,$(USER_TEST_SRCS))
# Init programs are one file each and use no user/lib code.
USER_INIT_SRCS := $(sort $(wildcard user/init/*.c))
USER_INITS   := $(patsubst user/init/%.c,$(BUILD)/user/init/%,$(USER_INIT_SRCS))
USER_INIT_OBJS := $(patsubst %.c,$(BUILD)/user/obj/%.o,$(USER_INIT_SRCS))

# The default system's own programs (tools/mksystem.py puts them in /bin of
# `make run`'s image) are one file each, like the inits.
USER_SYSTEM_SRCS := $(sort $(wildcard user/system/*.c))
USER_SYSTEM  := $(patsubst user/system/%.c,$(BUILD)/user/system/%,$(USER_SYSTEM_SRCS))
USER_SYSTEM_OBJS := $(patsubst %.c,$(BUILD)/user/obj/%.o,$(USER_SYSTEM_SRCS))

# Benchmarks link user/bench/lib/*.c (the timing harness), not user/lib;
# bench_true, the exec target of the exec benchmarks, links nothing.
USER_BENCH_LIB_SRCS := $(sort $(wildcard user/bench/lib/*.c))
USER_BENCH_LIB_OBJS := $(patsubst %.c,$(BUILD)/user/obj/%.o,$(USER_BENCH_LIB_SRCS))
USER_BENCH_SRCS := $(sort $(wildcard user/bench/*.c))
USER_BENCHES := $(patsubst user/bench/%.c,$(BUILD)/user/bench/%,$(USER_BENCH_SRCS))
USER_BENCH_OBJS := $(patsubst %.c,$(BUILD)/user/obj/%.o,$(USER_BENCH_SRCS))

# Keep the objects (make would delete them as intermediates of a chain).
.SECONDARY: $(USER_LIB_OBJS) $(USER_TEST_OBJS) $(USER_INIT_OBJS) \
	$(USER_BENCH_LIB_OBJS) $(USER_BENCH_OBJS) $(USER_SYSTEM_OBJS)

.PHONY: user
user: $(USER_TESTS) $(USER_INITS) $(USER_BENCHES) $(USER_SYSTEM)

$(BUILD)/user/obj/%.o: %.c
	$(call msg,MUSLCC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(USER_CC) $(USER_CFLAGS) -MMD -MP -MF $(@:.o=.d) -c $< -o $@

$(BUILD)/user/tests/%: $(BUILD)/user/obj/user/tests/%.o $(USER_LIB_OBJS)
	$(call msg,MUSLLD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(USER_CC) $(USER_CFLAGS) $^ -o $@

$(BUILD)/user/init/%: $(BUILD)/user/obj/user/init/%.o
	$(call msg,MUSLLD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(USER_CC) $(USER_CFLAGS) $^ -o $@

$(BUILD)/user/system/%: $(BUILD)/user/obj/user/system/%.o
	$(call msg,MUSLLD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(USER_CC) $(USER_CFLAGS) $^ -o $@

$(BUILD)/user/bench/bench_true: $(BUILD)/user/obj/user/bench/bench_true.o
	$(call msg,MUSLLD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(USER_CC) $(USER_CFLAGS) $^ -o $@

$(BUILD)/user/bench/%: $(BUILD)/user/obj/user/bench/%.o $(USER_BENCH_LIB_OBJS)
	$(call msg,MUSLLD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(USER_CC) $(USER_CFLAGS) $^ -o $@

-include $(USER_BENCH_LIB_OBJS:.o=.d) $(USER_BENCH_OBJS:.o=.d)
-include $(USER_SYSTEM_OBJS:.o=.d)
-include $(USER_LIB_OBJS:.o=.d) $(USER_INIT_OBJS:.o=.d) $(patsubst %,$(BUILD)/user/obj/%.d,$(basename $(USER_TEST_SRCS)))
