# vmxmon — top-level build. `make` builds the module, the launcher and the selftests;
# `make check` runs every test; `make run` runs the main job (see README.md).
#
# KDIR selects the kernel to build the module for. By default it is the Debian 6.1 kernel the
# Bochs testbed boots (ABI resolved from Debian's metapackages by scripts/kabi); on a real
# VT-x host use the running kernel: make KDIR=/lib/modules/$(uname -r)/build
# KVER=6.12 builds for Debian 12's other kernel series instead (headers auto-installed), in
# build/k6.12/ (vmxmon.ko there): a tree of symlinks to the sources, because Kbuild writes its
# objects next to the sources and the tree's own vmxmon.ko stays the 6.1 one.

SHELL      := /bin/bash
TOP        := $(CURDIR)
BUILD      := $(TOP)/build
export BUILD

KVER       ?= 6.1
ifeq ($(origin KDIR),undefined)
KDIR_AUTO  := 1
KDIR        = /usr/src/linux-headers-$(shell $(TOP)/scripts/kabi $(KVER))-amd64
endif
ifeq ($(KVER),6.1)
MDIR       := $(TOP)
else
MDIR       := $(BUILD)/k$(KVER)
endif
MODSRC     := Kbuild kmod vmx x86 include

# The sub-makes build in parallel, one job per CPU, unless make was given -j itself: a cold
# `make run` (module, launcher, selftests) builds in about half the time on 2 cores.
ifeq ($(findstring -j,$(MAKEFLAGS)),)
SUBJOBS    := -j$(shell nproc)
endif

.PHONY: all deps modsrc module userspace selftests sparse payload payload-6.12 check check-host \
	check-build check-bochs check-full run bench clean help fuzz check-debug check-debug-shared

all: module userspace selftests

help:
	@echo "make            build vmxmon.ko, vmxrun and the selftests"
	@echo "make run        the main job: boot Debian's kernel under vmxmon (inside Bochs without VT-x)"
	@echo "make check      every test: host unit tests, module build + sparse, Bochs suite (make run's boot included)"
	@echo "make check-full make check with the long suites: all of main on the 6.12 L1, every virtio boot on both devices"
	@echo "make sparse     the module under sparse (C=2)"
	@echo "make bench      VM-exit round trips, vmxmon vs kvm_intel (build/bench/results.md)"
	@echo "make fuzz       the reliability suite (fuzzing, hostile guests, kills, hotplug) at 10x its make check counts"
	@echo "make check-debug  build a KASAN/lockdep/kmemleak/UBSAN 6.1 kernel (cached) and run the Bochs suite on it"
	@echo "make check-debug-shared  on that kernel: the memory code, then VMX shared with a KVM VM (~1 h)"
	@echo "variables:      KDIR=<kernel build dir> (default: Debian 6.1 headers, auto-installed)"
	@echo "                KVER=6.12: build and sparse for Debian's 6.12 instead (build/k6.12/vmxmon.ko)"

deps:
	@VMXMON_KERNEL=$(KVER) $(TOP)/scripts/deps build

# The module's sources where Kbuild builds them: in place for 6.1, else a symlink tree
# (refreshed each time; links to removed files go).
modsrc:
ifneq ($(MDIR),$(TOP))
	@mkdir -p $(MDIR) && cp -rsf $(addprefix $(TOP)/,$(MODSRC)) $(MDIR)/ && \
	  find $(MDIR) -xtype l -delete
endif

module: deps modsrc
	$(MAKE) $(SUBJOBS) -C "$(KDIR)" M=$(MDIR) modules

sparse: deps modsrc
	@mkdir -p $(BUILD)
	@# C=2 checks every file, built or not; kernel headers are filtered out, our files must be clean.
	$(MAKE) -C "$(KDIR)" M=$(MDIR) C=2 CHECK="sparse" modules > $(BUILD)/sparse-$(KVER).log 2>&1 || \
	  { cat $(BUILD)/sparse-$(KVER).log; exit 1; }
	@if grep -E '^$(MDIR)/(kmod|vmx|x86|include)/.*: (warning|error):' $(BUILD)/sparse-$(KVER).log; then \
	  echo "sparse: warnings above (build/sparse-$(KVER).log)"; exit 1; fi
	@echo "sparse: clean for $(KVER) ($$(grep -c CHECK $(BUILD)/sparse-$(KVER).log) files)"

userspace: deps
	$(MAKE) $(SUBJOBS) -C userspace O=$(BUILD)

selftests: deps
	$(MAKE) $(SUBJOBS) -C selftests O=$(BUILD)

# Everything that goes into the L1 initramfs under /vmxmon (see scripts/testbed).
payload: module userspace selftests
	@rm -rf $(BUILD)/l1 && mkdir -p $(BUILD)/l1/bin $(BUILD)/l1/selftests
	@strip --strip-debug -o $(BUILD)/l1/vmxmon.ko vmxmon.ko
	@cp -a $(BUILD)/bin/. $(BUILD)/l1/bin/
	@$(MAKE) -s -C selftests O=$(BUILD) install DESTDIR=$(BUILD)/l1/selftests
	@# The L2 test guest for vmxrun (issue 5): the stock compressed Debian vmlinuz (the L1
	@# kernel's own), a busybox initramfs, and the L1 check that boots it (/vmxmon/guest).
	@$(TOP)/scripts/guest/payload $(BUILD)/l1/guest
	@echo "payload: $(BUILD)/l1 ($$(du -sh $(BUILD)/l1 | cut -f1))"

# The same payload for the 6.12 L1 (scripts/testbed run --kernel 6.12): build/l1 hard-linked,
# with the module built for 6.12 as /vmxmon/vmxmon.ko. The L2 guest kernel stays 6.1's.
payload-6.12: payload
	$(MAKE) module KVER=6.12
	@rm -rf $(BUILD)/l1-6.12 && cp -al $(BUILD)/l1 $(BUILD)/l1-6.12
	@rm -f $(BUILD)/l1-6.12/vmxmon.ko
	@strip --strip-debug -o $(BUILD)/l1-6.12/vmxmon.ko $(BUILD)/k6.12/vmxmon.ko
	@echo "payload: $(BUILD)/l1-6.12 (vmxmon.ko for $$(modinfo -F vermagic $(BUILD)/l1-6.12/vmxmon.ko | cut -d' ' -f1))"

check: check-host check-build check-bochs

check-host: userspace selftests
	$(MAKE) -C userspace O=$(BUILD) check
	$(MAKE) -C userspace O=$(BUILD) check-tsan
	$(MAKE) -C userspace O=$(BUILD) check-sanitize
	$(MAKE) -C selftests O=$(BUILD) check
	@# make run's decision and commands, the testbed's runner (a fake Bochs): scripts/tests/
	$(TOP)/selftests/lib/tap_summary.sh scripts-host $(TOP)/scripts/tests/*.sh

# Both kernels Debian 12 ships: warning-free (-Werror) and sparse-clean on each.
check-build: module sparse
	$(MAKE) module sparse KVER=6.12

check-bochs: payload-6.12
	$(TOP)/scripts/testbed check

# make check with the long suites: all of main on the 6.12 L1 (make check runs a
# representative part there) and the reliability suite in vmxmon's shared mode.
check-full: check-host check-build payload-6.12
	VMXMON_CHECK_FULL=1 $(TOP)/scripts/testbed check --full

# The main job: boot a Linux guest under vmxmon (in Bochs when this host has no VT-x).
run: payload
	$(TOP)/scripts/run

# Exit round trips, vmxmon vs kvm_intel in one Bochs run: build/bench/results.{md,csv,svg}
bench: payload
	$(TOP)/scripts/bench/run

# The reliability suite at 10x the counts of make check (10^6 ioctls, 1000 kills, ...).
# idle=nomwait: Bochs loses MWAIT wake-ups during CPU hotplug (selftests/hotplug_test.c).
fuzz: payload
	$(TOP)/scripts/testbed run --name fuzz --timeout 7200 --append idle=nomwait -- \
		'VMXMON_FUZZ_SCALE=10 VMXMON_SUSPEND=1 /vmxmon/selftests/run_l1.sh reliability'

# The Bochs suite on a debug kernel built from linux-source-6.1 (scripts/debug-kernel/).
check-debug: payload
	$(TOP)/scripts/debug-kernel/debug-kernel check

# The same kernel, run_l1.sh debug-shared: demand paging, huge pages and EPT watches with
# vmxmon owning VMX, then in shared mode beside a KVM VM with the reliability suite.
check-debug-shared: payload
	$(TOP)/scripts/debug-kernel/debug-kernel check --shared

clean:
	-$(MAKE) -C "$(KDIR)" M=$(TOP) clean 2>/dev/null
	rm -rf $(BUILD)
