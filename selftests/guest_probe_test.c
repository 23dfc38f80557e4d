// SPDX-License-Identifier: GPL-2.0
/*
 * Guest probes (lib/probe.h): a 64-bit guest whose exception handler records and resumes
 * walks whole ranges of what a guest can touch, one item at a time: MSR index ranges (read,
 * write back, junk writes), ports (every access exits with its port, size and data, none
 * reaches the host's hardware), each bit of CR0 and CR4 (accepted as the SDM says or #GP;
 * no VMXE, no SMXE), the VMX instructions and others vmxmon hides (#UD), and VMCALL with
 * junk (-KVM_ENOSYS). Counts: VMXMON_FUZZ_SCALE >= 10 (make fuzz) probes every port.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "hostile.h"
#include "kick.h"
#include "kvm_util.h"
#include "probe.h"
#include "rng.h"
#include "util.h"
#include "vm.h"

struct msr_range {
	uint32_t first, count;
};

static const struct msr_range msr_ranges[] = {
	{ 0x0, 0x2000 },		/* architectural and model-specific */
	{ 0x40000000, 0x200 },		/* hypervisor (Hyper-V) */
	{ 0x4b564d00, 0x100 },		/* KVM paravirtual: none is advertised */
	{ 0xc0000000, 0x2000 },		/* AMD64 and extended */
	{ 0xc0010000, 0x100 },
};

#define MSR_BITMAP_GPA	PROBE_BUF_GPA
#define MSR_VALUES_GPA	(PROBE_BUF_GPA + 0x1000)

/* One sweep of a range in the given mode; returns how many indices faulted. */
static long msr_sweep(struct test_ctx *t, struct vcpu *g, const struct msr_range *m, int mode,
		      uint64_t value)
{
	uint8_t *bitmap = probe_buf(g, MSR_BITMAP_GPA);
	struct kvm_regs regs = { .rsi = m->count, .r9 = m->first, .r11 = mode, .r10 = value,
				 .rdi = MSR_BITMAP_GPA };
	long faults = 0;

	memset(bitmap, 0, m->count / 8 + 1);
	t_probe_call(t, g, PROBE_MSR, &regs, NULL, NULL, 16);
	for (uint32_t i = 0; i < m->count; i++)
		faults += bitmap[i / 8] >> (i % 8) & 1;
	return faults;
}

TEST_VMXMON_ONLY(msr_probes_of_whole_index_ranges_fault_or_answer)
{
	uint64_t seed = t_seed(t, "MSR probe");
	long junk_rounds = stress_count(2);
	struct vcpu *g;
	struct health h;
	struct rng r;

	rng_init(&r, seed);
	kick_signal_install();
	t_health_begin(t, &h);
	g = t_probe_vm(t);
	for (size_t i = 0; i < ARRAY_SIZE(msr_ranges); i++) {
		const struct msr_range *m = &msr_ranges[i];
		long rd = msr_sweep(t, g, m, 0, 0);
		long wb = msr_sweep(t, g, m, 2, 0);

		t_log(t, "MSRs %#x..%#x: %ld readable, %ld read+write-back OK",
		      m->first, m->first + m->count - 1, m->count - rd, m->count - wb);
		EXPECT_GT(rd, 0);			/* most of each range is not there */
		EXPECT_GE(wb, rd);			/* what cannot be read cannot be written back */
	}
	/*
	 * Junk writes: reserved bits must #GP, accepted values may change the guest's own
	 * state (even kill it): the run only has to end in a defined way.
	 */
	for (long k = 0; k < junk_rounds; k++) {
		struct run_tally tl = { 0 };
		uint64_t value = rng_next(&r);

		for (size_t i = 0; i < ARRAY_SIZE(msr_ranges); i++) {
			struct kvm_regs regs = { .rsi = msr_ranges[i].count, .r9 = msr_ranges[i].first,
						 .r11 = 1, .r10 = value, .rdi = MSR_BITMAP_GPA };
			char why[256];

			t_log(t, "junk WRMSR %#llx to %#x..: seed %#llx round %ld",
			      (unsigned long long)value, msr_ranges[i].first, (unsigned long long)seed, k);
			if (probe_call(g, PROBE_MSR, &regs, NULL, NULL, 16, why, sizeof(why))) {
				/* The guest broke itself: run on to a defined end, then start over. */
				run_to_end(t, g, &r, &tl, "junk WRMSR", k);
				vm_free(g->vm);
				g = t_probe_vm(t);
			}
		}
	}
	vm_free(g->vm);
	t_health_end(t, &h, "MSR probes");
}

/* Ports: each access must exit to userspace with exactly its port, size and direction. */
struct port_check {
	const uint16_t *ports;
	long next, count, bad;
	unsigned int size, out;
};

static bool port_exit(struct vcpu *g, void *opaque)
{
	struct port_check *pc = opaque;
	struct kvm_run *run = g->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	uint32_t v = 0;

	if (run->exit_reason != KVM_EXIT_IO || pc->next >= pc->count)
		return false;
	if (run->io.port != pc->ports[pc->next] || run->io.size != pc->size || run->io.count != 1 ||
	    run->io.direction != (pc->out ? KVM_EXIT_IO_OUT : KVM_EXIT_IO_IN))
		pc->bad++;
	if (pc->out) {
		memcpy(&v, data, pc->size);
		if (v != (pc->ports[pc->next] & (pc->size == 4 ? ~0u : (1u << pc->size * 8) - 1)))
			pc->bad++;
	} else {
		v = pc->ports[pc->next] ^ 0xa5a5a5a5;
		memcpy(data, &v, pc->size);
	}
	pc->next++;
	return true;
}

TEST_DEFINE(every_port_access_exits_with_its_port_size_and_data, TAG_VMXMON_ONLY, 3600)
{
	/* make check: every 61st port and the edges; make fuzz (scale >= 10): every port. */
	long stride = stress_count(1) >= 10 ? 1 : 61;
	uint16_t *ports;
	struct vcpu *g = t_probe_vm(t);
	long n = 0, exits = 0;

	ports = probe_buf(g, PROBE_BUF_GPA);
	for (long p = 0; p < 0x10000; p += stride)
		ports[n++] = (uint16_t)p;
	ports[n++] = 0xffff;
	ports[n++] = 0xcf9;		/* reset control: must not reach the host's chipset */
	ports[n++] = 0x64;		/* keyboard controller (reset line) */
	ports[n++] = 0x92;		/* fast A20 / reset */
	for (unsigned int size = 1; size <= 4; size *= 2) {
		for (unsigned int out = 0; out < 2; out++) {
			uint64_t res_gpa = PROBE_BUF_GPA + 0x30000;
			struct port_check pc = { .ports = ports, .count = n, .size = size, .out = out };
			struct kvm_regs regs = { .rsi = n, .r9 = PROBE_BUF_GPA, .r11 = size, .r10 = out,
						 .rdi = res_gpa };
			uint32_t *res = probe_buf(g, res_gpa);

			t_probe_call(t, g, PROBE_PORTS, &regs, port_exit, &pc, n + 2);
			EXPECT_EQ(pc.next, n);
			EXPECT_EQ(pc.bad, 0);
			for (long i = 0; !out && i < n; i++) {
				uint32_t want = (ports[i] ^ 0xa5a5a5a5) &
						(size == 4 ? ~0u : (1u << size * 8) - 1);

				if (res[i] != want && pc.bad++ < 3)
					t_log(t, "IN%u from %#x: guest read %#x, host gave %#x",
					      size * 8, ports[i], res[i], want);
			}
			EXPECT_EQ(pc.bad, 0);
			exits += pc.next;
		}
	}
	t_log(t, "%ld ports x 3 sizes x IN/OUT: %ld exits, each with its port, size and data", n, exits);
	vm_free(g->vm);
}

/* CR0 bits 31:0 other than PE MP EM TS ET NE WP AM NW CD PG: reserved, writes ignored. */
#define CR0_RESERVED_LOW	(0xffffffffull & ~0xe005003full)

/* Each bit of CR0 and CR4, set and cleared from the 64-bit guest's state. */
TEST_VMXMON_ONLY(cr0_and_cr4_bits_are_accepted_or_gp)
{
	struct vcpu *g = t_probe_vm(t);
	uint64_t *vec = probe_buf(g, PROBE_BUF_GPA), *val = vec + 64;

	for (int cr = 0; cr <= 4; cr += 4) {
		for (int clear = 0; clear < 2; clear++) {
			struct kvm_regs regs = { .r11 = cr, .r10 = clear, .rdi = PROBE_BUF_GPA,
						 .r12 = PROBE_BUF_GPA + 64 * 8 };
			uint64_t ok = 0, gp = 0;

			t_probe_call(t, g, PROBE_CR, &regs, NULL, NULL, 16);
			for (int b = 0; b < 64; b++) {
				if (vec[b] == PROBE_NO_FAULT)
					ok |= 1ull << b;
				else if (vec[b] == 13)
					gp |= 1ull << b;
				else
					t_fail(t, __FILE__, __LINE__, "CR%d bit %d %s: vector %llu, not #GP",
					       cr, b, clear ? "clear" : "set", (unsigned long long)vec[b]);
				/*
				 * An accepted bit reads back as written, except CR0's hard-wired ET
				 * and its reserved bits 31:0, whose writes are ignored (SDM 2.5).
				 */
				if (vec[b] == PROBE_NO_FAULT && !(cr == 0 && b == 4))
					EXPECT_EQ(val[b] >> b & 1,
						  (uint64_t)(!clear && !(cr == 0 && CR0_RESERVED_LOW >> b & 1)));
			}
			t_log(t, "CR%d %s: accepted %#llx, #GP %#llx", cr, clear ? "clear" : "set",
			      (unsigned long long)ok, (unsigned long long)gp);
			EXPECT_EQ(ok | gp, ~0ull);
			if (!clear) {
				EXPECT_EQ(gp >> 32, 0xffffffffull);	/* bits 63:32 are reserved */
				if (cr == 4) {
					EXPECT_EQ(gp >> 13 & 1, 1);	/* VMXE: no nested VMX */
					EXPECT_EQ(gp >> 14 & 1, 1);	/* SMXE */
				} else {
					EXPECT_EQ(gp >> 29 & 1, 1);	/* NW without CD */
					EXPECT_EQ(gp & CR0_RESERVED_LOW, 0);	/* ignored, no #GP */
				}
			} else if (cr == 0) {
				EXPECT_EQ(gp >> 31 & 1, 1);		/* PG, in 64-bit mode */
				EXPECT_EQ(gp & 1, 1);			/* PE, with PG set */
			} else {
				EXPECT_EQ(gp >> 5 & 1, 1);		/* PAE, in IA-32e mode */
			}
		}
	}
	vm_free(g->vm);
}

TEST_VMXMON_ONLY(vmx_and_hidden_instructions_raise_ud_in_the_guest)
{
	struct vcpu *g = t_probe_vm(t);
	uint64_t *vec = probe_buf(g, PROBE_BUF_GPA);
	struct kvm_regs regs = { .rdi = PROBE_BUF_GPA, .rbx = PROBE_BUF_GPA + 0x1000 };

	t_probe_call(t, g, PROBE_INSNS, &regs, NULL, NULL, 64);
	for (unsigned int i = 0; i < probe_nr_insns; i++) {
		const char *name = probe_insn_names[i];
		uint64_t want = !strcmp(name, "RDPMC") ? 13 :
				!strcmp(name, "INVD") || !strcmp(name, "WBINVD") ? PROBE_NO_FAULT : 6;

		/* XSETBV of junk: #GP, or #UD while the guest's CR4.OSXSAVE is clear */
		if (!strcmp(name, "XSETBV") && vec[i] == 13)
			continue;
		if (vec[i] != want)
			t_fail(t, __FILE__, __LINE__, "%s in the guest: vector %llu, expected %llu",
			       name, (unsigned long long)vec[i], (unsigned long long)want);
	}
	t_log(t, "%u instructions: VMX, GETSEC, MONITOR/MWAIT, ENCLS/ENCLU #UD; RDPMC, junk XSETBV #GP; INVD, WBINVD run",
	      probe_nr_insns);
	vm_free(g->vm);
}

TEST_VMXMON_ONLY(vmcall_with_junk_returns_enosys)
{
	uint64_t seed = t_seed(t, "VMCALL junk");
	struct vcpu *g = t_probe_vm(t);
	uint64_t *nrs = probe_buf(g, PROBE_BUF_GPA), *ret = nrs + 256;
	struct kvm_regs regs = { .rsi = 256, .r9 = PROBE_BUF_GPA, .rdi = PROBE_BUF_GPA + 256 * 8 };
	struct rng r;

	rng_init(&r, seed);
	for (int i = 0; i < 256; i++)		/* far above any KVM hypercall number */
		nrs[i] = (rng_next(&r) | 0x100000000ull) >> rng_below(&r, 16);
	regs.r13 = rng_next(&r);
	t_probe_call(t, g, PROBE_VMCALL, &regs, NULL, NULL, 16);
	for (int i = 0; i < 256; i++)
		if (ret[i] != (uint64_t)-1000 && !t_failed(t))
			t_fail(t, __FILE__, __LINE__, "VMCALL %#llx returned %#llx, not -KVM_ENOSYS",
			       (unsigned long long)nrs[i], (unsigned long long)ret[i]);
	EXPECT_EQ(probe_data(g)->faults, 0);
	vm_free(g->vm);
}
