# User-space programs: static musl binaries that run on Keel and on Linux.
# Included by the top-level Makefile.
#
#   make user    build every conformance test program and the test init:
#                user/tests/<area>/<name>.c -> $(BUILD)/user/tests/<area>/<name>
#                user/init/<name>.c         -> $(BUILD)/user/init/<name>
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

# Keep the objects (make would delete them as intermediates of a chain).
.SECONDARY: $(USER_LIB_OBJS) $(USER_TEST_OBJS) $(USER_INIT_OBJS)

.PHONY: user
user: $(USER_TESTS) $(USER_INITS)

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

-include $(USER_LIB_OBJS:.o=.d) $(USER_INIT_OBJS:.o=.d) $(patsubst %,$(BUILD)/user/obj/%.d,$(basename $(USER_TEST_SRCS)))
