// SPDX-License-Identifier: GPL-2.0
/*
 * Exits to userspace for I/O: port I/O of each size and direction (KVM_EXIT_IO, data at
 * io.data_offset; the next KVM_RUN delivers IN data and moves RIP past IN/OUT, unless
 * userspace moved RIP meanwhile), REP string I/O in chunks of at most a page, and MMIO to
 * guest-physical addresses outside every memslot (KVM_EXIT_MMIO).
 */
#include <errno.h>
#include <string.h>

#include "util.h"
#include "vm.h"

#define RAX_BEFORE	0x1122334455667788ull	/* what IN/MMIO loads must (not) keep */

/* ---- port I/O, one element ---- */

struct pio {
	uint8_t direction, size;
	uint16_t port;
	uint32_t data;
	uint64_t rax_after;		/* IN: RAX as the guest must see it */
};

/* What guest_pio does, in order: the guest and the host both follow this table. */
static const struct pio pio_seq[] = {
	{ KVM_EXIT_IO_OUT, 1, 0x70, 0xa5, 0 },
	{ KVM_EXIT_IO_OUT, 2, 0x1f0, 0xbeef, 0 },
	{ KVM_EXIT_IO_OUT, 4, 0xcfc, 0xdeadbeef, 0 },
	{ KVM_EXIT_IO_IN, 1, 0x71, 0x5a, 0x112233445566775aull },	/* AL only */
	{ KVM_EXIT_IO_IN, 2, 0x1f2, 0xc0de, 0x112233445566c0deull },	/* AX only */
	{ KVM_EXIT_IO_IN, 4, 0xcf8, 0xcafef00d, 0xcafef00dull },		/* EAX, zero-extended */
};

static void GUEST_CODE guest_pio(void)
{
	uint64_t rax;

	__asm__ volatile("outb %%al, $0x70" : : "a"(0xa5) : "memory");	/* immediate port */
	guest_outw(0x1f0, 0xbeef);					/* port in DX */
	guest_outl(0xcfc, 0xdeadbeef);
	rax = RAX_BEFORE;
	__asm__ volatile("inb $0x71, %%al" : "+a"(rax) : : "memory");
	GUEST_ASSERT_EQ(rax, pio_seq[3].rax_after);
	rax = RAX_BEFORE;
	__asm__ volatile("inw %%dx, %%ax" : "+a"(rax) : "d"(0x1f2) : "memory");
	GUEST_ASSERT_EQ(rax, pio_seq[4].rax_after);
	rax = RAX_BEFORE;
	__asm__ volatile("inl %%dx, %%eax" : "+a"(rax) : "d"(0xcf8) : "memory");
	GUEST_ASSERT_EQ(rax, pio_seq[5].rax_after);
}

static void expect_io(struct test_ctx *t, struct vcpu *vcpu, uint8_t direction, uint8_t size,
		      uint16_t port)
{
	vcpu_run_expect(vcpu, KVM_EXIT_IO);
	EXPECT_EQ(vcpu->run->io.direction, direction);
	EXPECT_EQ(vcpu->run->io.size, size);
	EXPECT_EQ(vcpu->run->io.port, port);
	EXPECT_EQ(vcpu->run->io.data_offset % GUEST_PAGE_SIZE, 0);	/* its own page */
	EXPECT_GE(vcpu->run->io.data_offset, sizeof(struct kvm_run));
}

TEST_KVM_IDENTICAL(io_exits_report_port_size_direction_and_data)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_pio), 0, 0);

	for (size_t i = 0; i < ARRAY_SIZE(pio_seq); i++) {
		const struct pio *p = &pio_seq[i];
		uint32_t data = 0;

		expect_io(t, vcpu, p->direction, p->size, p->port);
		EXPECT_EQ(vcpu->run->io.count, 1);
		if (p->direction == KVM_EXIT_IO_OUT) {
			memcpy(&data, vcpu_io_data(vcpu), p->size);
			EXPECT_EQ(data, p->data);
		} else {
			memcpy(vcpu_io_data(vcpu), &p->data, p->size);
		}
		if (t_failed(t))
			t_abort(t);
	}
	vcpu_run_done(vcpu);	/* the guest checked every IN result */
}

static void GUEST_CODE guest_in_once(void)
{
	uint64_t rax = RAX_BEFORE;

	__asm__ volatile("inl %%dx, %%eax" : "+a"(rax) : "d"(0xcf8) : "memory");
	GUEST_SYNC(rax);
}

/* KVM_RUN completes a pending IN before it looks at immediate_exit (KVM API: "completion"). */
TEST_KVM_IDENTICAL(immediate_exit_still_completes_a_pending_in)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_in_once), 0, 0);
	const uint32_t data = 0x600dcafe;
	struct kvm_regs regs;
	struct ucall uc;
	uint64_t rip;

	expect_io(t, vcpu, KVM_EXIT_IO_IN, 4, 0xcf8);
	rip = vcpu_rip(vcpu);			/* still at the IN */
	memcpy(vcpu_io_data(vcpu), &data, 4);
	vcpu->run->immediate_exit = 1;
	EXPECT_EQ(__vcpu_run(vcpu), -EINTR);
	vcpu_get_regs(vcpu, &regs);
	EXPECT_EQ(regs.rax, data);
	EXPECT_EQ(regs.rip, rip + 1);		/* "inl (%dx), %eax" is one byte */

	vcpu->run->immediate_exit = 0;
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], data);
	vcpu_run_done(vcpu);
}

static void GUEST_CODE guest_out_once(uint64_t port)
{
	guest_outl(port, 0x0ddba11);		/* "outl %eax, (%dx)": one byte */
	GUEST_SYNC(1);
}

/*
 * An OUT completes on the next KVM_RUN too: during the exit RIP is still on the instruction
 * (KVM 6.1 kvm_fast_pio_out), except on port 0x7e, where KVM_X86_QUIRK_OUT_7E_INC_RIP (on by
 * default) moves it past before the exit.
 */
TEST_KVM_IDENTICAL(out_exit_leaves_rip_on_the_instruction_until_the_next_run)
{
	const uint16_t ports[] = { 0xcfc, 0x7e };

	for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
		struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_out_once), ports[i], 0);
		uint64_t rip, done = ports[i] == 0x7e;	/* the quirk's port */
		struct ucall uc;

		expect_io(t, vcpu, KVM_EXIT_IO_OUT, 4, ports[i]);
		rip = vcpu_rip(vcpu);
		vcpu->run->immediate_exit = 1;	/* completes the OUT, does not enter */
		EXPECT_EQ(__vcpu_run(vcpu), -EINTR);
		EXPECT_EQ(vcpu_rip(vcpu), rip + 1 - done);
		vcpu->run->immediate_exit = 0;
		vcpu_run_sync(vcpu, &uc);
		EXPECT_EQ(uc.args[0], 1);
		vcpu_run_done(vcpu);
	}
}

static void GUEST_CODE guest_elsewhere(void)
{
	for (;;)
		GUEST_SYNC(0x77);
}

/* Userspace that moves RIP during an I/O exit (a reset, a debugger) abandons the I/O. */
TEST_KVM_IDENTICAL(pending_io_is_abandoned_when_userspace_moves_rip)
{
	void (*start[])(uint64_t, uint64_t) = { GUEST_FN(guest_out_once), GUEST_FN(guest_in_once) };
	const uint8_t dir[] = { KVM_EXIT_IO_OUT, KVM_EXIT_IO_IN };

	for (size_t i = 0; i < ARRAY_SIZE(start); i++) {
		struct vcpu *vcpu = t_guest_new(t, start[i], 0xcfc, 0);
		struct kvm_regs regs, after;
		struct ucall uc;

		expect_io(t, vcpu, dir[i], 4, 0xcfc - 4 * i);
		memset(vcpu_io_data(vcpu), 0xee, 4);
		vcpu_get_regs(vcpu, &regs);
		regs.rip = (uintptr_t)guest_elsewhere;
		regs.rsp = (regs.rsp & ~15ull) - 8;	/* as after a call */
		regs.rax = RAX_BEFORE;
		vcpu_set_regs(vcpu, &regs);
		vcpu->run->immediate_exit = 1;
		EXPECT_EQ(__vcpu_run(vcpu), -EINTR);
		vcpu_get_regs(vcpu, &after);
		EXPECT_EQ(after.rip, regs.rip);		/* not skipped ... */
		EXPECT_EQ(after.rax, RAX_BEFORE);	/* ... and no IN data */
		vcpu->run->immediate_exit = 0;
		vcpu_run_sync(vcpu, &uc);
		EXPECT_EQ(uc.args[0], 0x77);
	}
}

/* ---- REP string I/O ---- */

struct str_case {
	uint8_t in, size, backwards;	/* backwards: DF=1 */
	uint16_t port;
	uint32_t count;			/* RCX: elements to move */
};

/* More than a page of data each, so a compliant hypervisor needs several exits. */
static const struct str_case str_cases[] = {
	{ 0, 1, 0, 0x3f8, 4096 + 100 },
	{ 0, 2, 0, 0x1f0, 2048 + 50 },
	{ 0, 4, 0, 0xcfc, 1024 + 10 },
	{ 0, 2, 1, 0x1f0, 700 },
	{ 0, 1, 0, 0x3f8, 0 },		/* RCX=0: nothing moves, no exit */
	{ 1, 1, 0, 0x60, 4096 + 100 },
	{ 1, 2, 0, 0x1f0, 2048 + 50 },
	{ 1, 4, 0, 0xcf8, 1024 + 10 },
	{ 1, 4, 1, 0xcf8, 300 },
};

static uint8_t str_buf[3 * 4096 + 8] __attribute__((aligned(4096)));

/* The byte at offset o of the buffer (guest OUTS source, guest INS expectation). */
static inline __attribute__((always_inline)) uint8_t str_pattern(uint32_t o)
{
	return (uint8_t)(o * 7 + 3) ^ (uint8_t)(o >> 8);
}

/* Buffer offset of the k-th element moved (in execution order). */
static uint32_t str_offset(const struct str_case *c, uint32_t k)
{
	return (c->backwards ? c->count - 1 - k : k) * c->size;
}

/* One REP OUTS/INS of each size; DF set around it for backwards. */
#define REP_STR(insn, reg, ptr, rcx, port, back)						\
	__asm__ volatile("test %[b], %[b]\n\tjz 1f\n\tstd\n1:\trep " insn "\n\tcld"		\
			 : "+" reg(ptr), "+c"(rcx) : "d"(port), [b] "r"(back) : "memory", "cc")

static void GUEST_CODE guest_string_io(void)
{
	for (uint64_t i = 0; i < ARRAY_SIZE(str_cases); i++) {
		const struct str_case *c = &str_cases[i];
		uint8_t *start = c->backwards && c->count ? str_buf + (c->count - 1) * c->size
							  : str_buf;
		uint64_t rcx = c->count, back = c->backwards, bytes = c->count * c->size;
		uint8_t *p = start;

		for (uint32_t o = 0; o < sizeof(str_buf); o++)
			str_buf[o] = c->in ? 0 : str_pattern(o);
		switch (c->in << 3 | c->size) {
		case 1: REP_STR("outsb", "S", p, rcx, c->port, back); break;
		case 2: REP_STR("outsw", "S", p, rcx, c->port, back); break;
		case 4: REP_STR("outsl", "S", p, rcx, c->port, back); break;
		case 9: REP_STR("insb", "D", p, rcx, c->port, back); break;
		case 10: REP_STR("insw", "D", p, rcx, c->port, back); break;
		case 12: REP_STR("insl", "D", p, rcx, c->port, back); break;
		}
		GUEST_ASSERT_EQ(rcx, 0);
		GUEST_ASSERT_EQ(p, back ? start - c->size * c->count : start + bytes);
		for (uint32_t o = 0; c->in && o < sizeof(str_buf); o++)
			GUEST_ASSERT_EQ(str_buf[o], o < bytes ? str_pattern(o) : 0);
		GUEST_SYNC(i);
	}
}

/* Check (OUT) or supply (IN) one exit's elements; returns how many. */
static uint32_t string_io_exit(struct test_ctx *t, struct vcpu *vcpu, const struct str_case *c,
			       uint32_t done)
{
	uint8_t *data;
	uint32_t count;

	expect_io(t, vcpu, c->in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT, c->size, c->port);
	data = vcpu_io_data(vcpu);
	count = vcpu->run->io.count;
	EXPECT_GE(count, 1);
	EXPECT_LE(count, GUEST_PAGE_SIZE / c->size);
	EXPECT_LE(count, c->count - done);
	if (t_failed(t))
		t_abort(t);
	for (uint32_t k = 0; k < count; k++) {
		for (uint32_t j = 0; j < c->size; j++) {
			uint8_t want = str_pattern(str_offset(c, done + k) + j);

			if (c->in) {
				data[k * c->size + j] = want;
			} else if (data[k * c->size + j] != want) {
				t_fail(t, __FILE__, __LINE__,
				       "element %u byte %u: expected %#x, got %#x", done + k, j,
				       want, data[k * c->size + j]);
				t_abort(t);
			}
		}
	}
	return count;
}

TEST_KVM_IDENTICAL(rep_string_io_moves_every_element_in_page_sized_chunks)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_string_io), 0, 0);
	struct ucall uc;

	for (size_t i = 0; i < ARRAY_SIZE(str_cases); i++) {
		const struct str_case *c = &str_cases[i];
		uint32_t done = 0, exits = 0;

		while (done < c->count) {
			done += string_io_exit(t, vcpu, c, done);
			exits++;
		}
		vcpu_run_sync(vcpu, &uc);	/* the guest checked RCX, RSI/RDI and the data */
		EXPECT_EQ(uc.args[0], i);
		t_log(t, "%s%s size %u: %u elements in %u exits", c->in ? "ins" : "outs",
		      c->backwards ? " (DF=1)" : "", c->size, c->count, exits);
	}
	vcpu_run_done(vcpu);
}

/* ---- MMIO: accesses outside every memslot ---- */

#define MMIO_GPA 0xc0000000ull		/* 3 GiB: far above guest RAM */

struct mmio {
	uint8_t len;
	uint8_t offset;
	uint64_t data;
	uint64_t rax_after;		/* reads: RAX as the guest must see it */
};

static const struct mmio mmio_writes[] = {
	{ 1, 1, 0x11, 0 },
	{ 2, 2, 0x2233, 0 },
	{ 4, 4, 0x44556677, 0 },
	{ 8, 8, 0x8899aabbccddeeffull, 0 },
};

static const struct mmio mmio_reads[] = {
	{ 1, 0x11, 0xa1, 0x11223344556677a1ull },		/* AL only */
	{ 2, 0x12, 0xb2c3, 0x112233445566b2c3ull },		/* AX only */
	{ 4, 0x14, 0xd4e5f607, 0xd4e5f607ull },			/* zero-extended */
	{ 8, 0x18, 0x0123456789abcdefull, 0x0123456789abcdefull },
};

static void GUEST_CODE guest_mmio(void)
{
	volatile uint8_t *p = (volatile uint8_t *)MMIO_GPA;
	uint64_t v;

	__asm__ volatile("movb %b0, (%1)" : : "q"(0x11), "r"(p + 1) : "memory");
	__asm__ volatile("movw %w0, (%1)" : : "r"(0x2233), "r"(p + 2) : "memory");
	__asm__ volatile("movl %k0, (%1)" : : "r"(0x44556677), "r"(p + 4) : "memory");
	__asm__ volatile("movq %0, (%1)" : : "r"(0x8899aabbccddeeffull), "r"(p + 8) : "memory");

	v = RAX_BEFORE;
	__asm__ volatile("movb (%1), %b0" : "+q"(v) : "r"(p + 0x11) : "memory");
	GUEST_ASSERT_EQ(v, mmio_reads[0].rax_after);
	v = RAX_BEFORE;
	__asm__ volatile("movw (%1), %w0" : "+r"(v) : "r"(p + 0x12) : "memory");
	GUEST_ASSERT_EQ(v, mmio_reads[1].rax_after);
	v = RAX_BEFORE;
	__asm__ volatile("movl (%1), %k0" : "+r"(v) : "r"(p + 0x14) : "memory");
	GUEST_ASSERT_EQ(v, mmio_reads[2].rax_after);
	__asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(p + 0x18) : "memory");
	GUEST_ASSERT_EQ(v, mmio_reads[3].rax_after);
}

TEST_KVM_IDENTICAL(mmio_outside_memslots_exits_with_address_length_and_data)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_mmio), 0, 0);
	const struct mmio *m;
	uint64_t data;

	vm_map(vcpu->vm, MMIO_GPA, MMIO_GPA);
	for (m = mmio_writes; m < mmio_writes + ARRAY_SIZE(mmio_writes); m++) {
		vcpu_run_expect_mmio(vcpu, MMIO_GPA + m->offset, m->len, true);
		data = 0;
		memcpy(&data, vcpu->run->mmio.data, m->len);
		EXPECT_EQ(data, m->data);
	}
	for (m = mmio_reads; m < mmio_reads + ARRAY_SIZE(mmio_reads); m++) {
		vcpu_run_expect_mmio(vcpu, MMIO_GPA + m->offset, m->len, false);
		memcpy(vcpu->run->mmio.data, &m->data, m->len);	/* completes on the next run */
	}
	vcpu_run_done(vcpu);	/* the guest checked what each read loaded */
}
