# SPDX-License-Identifier: GPL-2.0
# Build settings shared by userspace/ and selftests/: static C11 binaries, warnings are errors.
# The including Makefile defines OBJ (its object directory, in terms of $(O), with "=")
# just before including this.
build_mk_dir := $(dir $(lastword $(MAKEFILE_LIST)))

O        ?= $(abspath $(build_mk_dir)../../build)
ifeq ($(origin CC),default)
CC       := gcc
endif
CFLAGS   ?= -O2 -g
override CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -MMD -MP \
		    -I$(abspath $(build_mk_dir)../../include)
# TSAN=1 (userspace check-tsan): ThreadSanitizer; SANITIZE=1 (userspace check-sanitize):
# ASan + UBSan. Both link dynamically (neither sanitizer can be static).
ifneq ($(TSAN),)
# -Wno-tsan: TSan cannot model a standalone fence; virtio's (virtio/queue.c) order accesses
# against the guest, which TSan does not see anyway.
override CFLAGS  += -fsanitize=thread -fno-omit-frame-pointer -Wno-tsan
override LDFLAGS += -fsanitize=thread
else ifneq ($(SANITIZE),)
override CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
override LDFLAGS += -fsanitize=address,undefined
else
override LDFLAGS += -static
endif

.SECONDARY:
# The dependency files included below define targets: keep `all` the default goal.
.DEFAULT_GOAL := all

$(OBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)
