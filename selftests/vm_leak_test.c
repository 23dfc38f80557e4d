// SPDX-License-Identifier: GPL-2.0
/*
 * Creating and closing VMs must not leak: vmxmon's own page count comes back exactly, and the
 * kernel's free memory and unreclaimable slab come back within a tolerance.
 *
 * What must be caught, over CYCLES = 1000 cycles: one leaked page per cycle (4000 KiB less
 * available memory) and one leaked 256-byte object per cycle (250 KiB more SUnreclaim). The
 * tolerances are a quarter and a half of those signals.
 *
 * Measured in L1 (Bochs corei7_haswell_4770, 2 CPUs, 512 MiB), after mem_settle()
 * (lib/meminfo.h: per-CPU free pages are added back): without a leak, 1000 cycles moved
 * available memory by -8..+68 KiB and SUnreclaim by -76..+4 KiB. A test build of the module
 * that leaked a kmalloc(256) per VM grew SUnreclaim by 244 KiB a round; one that leaked a
 * page per VM dropped available memory by 4016 and 4044 KiB. On the shared build host, other
 * jobs caused bursts of up to 200 MiB and 170 KiB; so a round over tolerance is repeated once,
 * and only a second round over tolerance fails: a leak grows every round, a burst does not.
 * Every run prints its deltas.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kvm_util.h"
#include "meminfo.h"
#include "status.h"

#define WARMUP_CYCLES		100
#define CYCLES			1000
#define AVAIL_TOLERANCE_KB	1024	/* signal: 4000 KiB */
#define SUNRECLAIM_TOLERANCE_KB	128	/* signal: 250 KiB */

static void cycles(struct test_ctx *t, int n)
{
	for (int i = 0; i < n; i++) {
		int fd = dev_open(t->dev);
		int vm = fd < 0 ? fd : dev_create_vm(fd, 0);

		if (vm < 0) {
			t_fail(t, __FILE__, __LINE__, "cycle %d: %s: %s", i,
			       fd < 0 ? "open" : "KVM_CREATE_VM", strerror(-vm));
			t_abort(t);
		}
		close(vm);
		close(fd);
	}
}

struct leak_round {
	long long avail_drop_kb;	/* MemAvailable + per-CPU free pages, before - after */
	long long slab_growth_kb;	/* SUnreclaim, after - before */
};

/* One round of CYCLES from the sample *base, which becomes the round's end sample. */
static struct leak_round leak_round(struct test_ctx *t, struct mem_sample *base, int round)
{
	struct vmxmon_status s0, s1;
	struct mem_sample m;
	struct leak_round r;
	long long vmx_switches;

	t_status_idle(t, &s0);
	cycles(t, CYCLES);
	t_mem_sample(t, &m);

	/* VMX is held across the cycles (vmx_idle_ms): one VMXON and one VMXOFF per round. */
	vmx_switches = vmx_idle_ms() ? 1 : CYCLES;
	t_expect_state(t, &s0, 0, vmx_switches, vmx_switches, "after the round", &s1);
	EXPECT_EQ(s1.pages, s0.pages);	/* vmxmon's own pages: exactly back */
	r.avail_drop_kb = (base->avail_kb + base->pcp_kb) - (m.avail_kb + m.pcp_kb);
	r.slab_growth_kb = m.sunreclaim_kb - base->sunreclaim_kb;
	t_log(t, "round %d, %d cycles: available memory %+lld KiB (MemAvailable %+lld, per-CPU lists %+lld; tolerance -%d), SUnreclaim %+lld KiB (tolerance +%d), vmxmon pages %llu -> %llu",
	      round, CYCLES, -r.avail_drop_kb, m.avail_kb - base->avail_kb, m.pcp_kb - base->pcp_kb,
	      AVAIL_TOLERANCE_KB, r.slab_growth_kb, SUNRECLAIM_TOLERANCE_KB, s0.pages, s1.pages);
	*base = m;
	return r;
}

static bool over(const struct leak_round *r)
{
	return r->avail_drop_kb > AVAIL_TOLERANCE_KB || r->slab_growth_kb > SUNRECLAIM_TOLERANCE_KB;
}

TEST_DEFINE(create_close_1000_vms_leaks_nothing, TAG_VMXMON_ONLY, 1800)
{
	struct vmxmon_status s;
	struct mem_sample base;
	struct leak_round r1, r2;

	t_status(t, &s);
	ASSERT_EQ(s.vms, 0);
	cycles(t, WARMUP_CYCLES);	/* caches, slabs and our own heap reach steady state */
	t_mem_sample(t, &base);
	r1 = leak_round(t, &base, 1);
	if (!over(&r1))
		return;
	t_log(t, "over tolerance: one more round tells a leak (it grows again) from noise");
	r2 = leak_round(t, &base, 2);
	if (r1.avail_drop_kb > AVAIL_TOLERANCE_KB && r2.avail_drop_kb > AVAIL_TOLERANCE_KB)
		t_fail(t, __FILE__, __LINE__, "available memory dropped by %lld and %lld KiB (tolerance %d KiB): about %lld bytes per cycle",
		       r1.avail_drop_kb, r2.avail_drop_kb, AVAIL_TOLERANCE_KB,
		       r2.avail_drop_kb * 1024 / CYCLES);
	if (r1.slab_growth_kb > SUNRECLAIM_TOLERANCE_KB && r2.slab_growth_kb > SUNRECLAIM_TOLERANCE_KB)
		t_fail(t, __FILE__, __LINE__, "SUnreclaim grew by %lld and %lld KiB (tolerance %d KiB): about %lld bytes per cycle",
		       r1.slab_growth_kb, r2.slab_growth_kb, SUNRECLAIM_TOLERANCE_KB,
		       r2.slab_growth_kb * 1024 / CYCLES);
}
