// SPDX-License-Identifier: GPL-2.0
/*
 * What the GDB stub shows of a vCPU: the x86-64 target description (GDB's features
 * org.gnu.gdb.i386.core, .sse and .segments, plus the control registers), the registers in
 * its order from KVM_GET_REGS/SREGS/FPU, and guest-virtual memory through the guest's own
 * page tables (4-level, PAE, 32-bit, or none), walked here on the RAM vmxrun maps.
 */
#include <string.h>
#include <sys/ioctl.h>

#include "../vm/vm.h"
#include "gdb.h"

#define TYPES \
	"<flags id=\"i386_eflags\" size=\"4\">" \
	"<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>" \
	"<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>" \
	"<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>" \
	"<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>" \
	"<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>" \
	"<field name=\"RF\" start=\"16\" end=\"16\"/><field name=\"VM\" start=\"17\" end=\"17\"/>" \
	"<field name=\"AC\" start=\"18\" end=\"18\"/><field name=\"ID\" start=\"21\" end=\"21\"/>" \
	"</flags>" \
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>" \
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>" \
	"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>" \
	"<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>" \
	"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>" \
	"<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>" \
	"<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/>" \
	"<field name=\"v2_double\" type=\"v2d\"/><field name=\"v16_int8\" type=\"v16i8\"/>" \
	"<field name=\"v8_int16\" type=\"v8i16\"/><field name=\"v4_int32\" type=\"v4i32\"/>" \
	"<field name=\"v2_int64\" type=\"v2i64\"/><field name=\"uint128\" type=\"uint128\"/>" \
	"</union>"

#define R(name, bits, type) "<reg name=\"" name "\" bitsize=\"" #bits "\" type=\"" type "\"/>"
#define R64(name) R(name, 64, "int64")
#define R32(name) R(name, 32, "int32")

const char gdb_target_xml[] =
	"<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target version=\"1.0\"><architecture>i386:x86-64</architecture>"
	"<feature name=\"org.gnu.gdb.i386.core\">" TYPES
	R64("rax") R64("rbx") R64("rcx") R64("rdx") R64("rsi") R64("rdi")
	R(  "rbp", 64, "data_ptr") R(  "rsp", 64, "data_ptr")
	R64("r8") R64("r9") R64("r10") R64("r11") R64("r12") R64("r13") R64("r14") R64("r15")
	R(  "rip", 64, "code_ptr") R(  "eflags", 32, "i386_eflags")
	R32("cs") R32("ss") R32("ds") R32("es") R32("fs") R32("gs")
	R("st0", 80, "i387_ext") R("st1", 80, "i387_ext") R("st2", 80, "i387_ext")
	R("st3", 80, "i387_ext") R("st4", 80, "i387_ext") R("st5", 80, "i387_ext")
	R("st6", 80, "i387_ext") R("st7", 80, "i387_ext")
	R32("fctrl") R32("fstat") R32("ftag") R32("fiseg") R32("fioff") R32("foseg")
	R32("fooff") R32("fop")
	"</feature><feature name=\"org.gnu.gdb.i386.sse\">" TYPES
	R("xmm0", 128, "vec128") R("xmm1", 128, "vec128") R("xmm2", 128, "vec128")
	R("xmm3", 128, "vec128") R("xmm4", 128, "vec128") R("xmm5", 128, "vec128")
	R("xmm6", 128, "vec128") R("xmm7", 128, "vec128") R("xmm8", 128, "vec128")
	R("xmm9", 128, "vec128") R("xmm10", 128, "vec128") R("xmm11", 128, "vec128")
	R("xmm12", 128, "vec128") R("xmm13", 128, "vec128") R("xmm14", 128, "vec128")
	R("xmm15", 128, "vec128") R32("mxcsr")
	"</feature><feature name=\"org.gnu.gdb.i386.segments\">"
	R64("fs_base") R64("gs_base")
	"</feature><feature name=\"org.vmxmon.gdb.x86.sys\">"
	R64("cr0") R64("cr2") R64("cr3") R64("cr4") R64("cr8") R64("efer")
	"</feature></target>";

/* GDB's register numbers, in the order above. */
enum { REG_RIP = 16, REG_EFLAGS, REG_CS, REG_ST0 = 24, REG_FCTRL = 32, REG_XMM0 = 40,
       REG_MXCSR = 56, REG_FS_BASE, REG_GS_BASE, REG_CR0, REG_NR = REG_CR0 + 6 };

int gdb_reg_count(void)
{
	return REG_NR;
}

int gdb_vcpu_state(struct gdb_vcpu_state *st, int fd)
{
	if (ioctl(fd, KVM_GET_REGS, &st->regs) || ioctl(fd, KVM_GET_SREGS, &st->sregs) ||
	    ioctl(fd, KVM_GET_FPU, &st->fpu))
		return -1;
	return 0;
}

/* The 64-bit GPRs in GDB's order (rax rbx rcx rdx rsi rdi rbp rsp r8..r15). */
static __u64 *gpr(struct kvm_regs *r, int n)
{
	__u64 *p[16] = { &r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi, &r->rbp,
			 &r->rsp, &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14,
			 &r->r15 };

	return p[n];
}

/* Register @n into @out (little-endian, its full size): the size, or 0 for no such one. */
size_t gdb_reg_get(const struct gdb_vcpu_state *cst, int n, u8 *out)
{
	struct gdb_vcpu_state *st = (struct gdb_vcpu_state *)cst;
	const struct kvm_sregs *s = &st->sregs;
	const struct kvm_fpu *f = &st->fpu;
	u64 v;
	u32 w;

	if (n < 0 || n >= REG_NR)
		return 0;
	if (n < 16 || n == REG_RIP) {
		v = n == REG_RIP ? st->regs.rip : *gpr(&st->regs, n);
		memcpy(out, &v, 8);
		return 8;
	}
	if (n >= REG_ST0 && n < REG_ST0 + 8) {
		memcpy(out, f->fpr[n - REG_ST0], 10);
		return 10;
	}
	if (n >= REG_XMM0 && n < REG_XMM0 + 16) {
		memcpy(out, f->xmm[n - REG_XMM0], 16);
		return 16;
	}
	if (n >= REG_FS_BASE) {
		const u64 vals[] = { s->fs.base, s->gs.base, s->cr0, s->cr2, s->cr3, s->cr4,
				     s->cr8, s->efer };

		memcpy(out, &vals[n - REG_FS_BASE], 8);
		return 8;
	}
	switch (n) {
	case REG_EFLAGS: w = (u32)st->regs.rflags; break;
	case REG_CS: w = s->cs.selector; break;
	case REG_CS + 1: w = s->ss.selector; break;
	case REG_CS + 2: w = s->ds.selector; break;
	case REG_CS + 3: w = s->es.selector; break;
	case REG_CS + 4: w = s->fs.selector; break;
	case REG_CS + 5: w = s->gs.selector; break;
	case REG_FCTRL: w = f->fcw; break;
	case REG_FCTRL + 1: w = f->fsw; break;
	case REG_FCTRL + 2:	/* KVM's abridged tag: 1 = valid; GDB's full one: 11 = empty */
		w = 0;
		for (int i = 0; i < 8; i++)
			w |= (f->ftwx & (1u << i)) ? 0 : 3u << (2 * i);
		break;
	case REG_FCTRL + 3: w = 0; break;
	case REG_FCTRL + 4: w = (u32)f->last_ip; break;
	case REG_FCTRL + 5: w = 0; break;
	case REG_FCTRL + 6: w = (u32)f->last_dp; break;
	case REG_FCTRL + 7: w = f->last_opcode; break;
	case REG_MXCSR: w = f->mxcsr; break;
	default: return 0;
	}
	memcpy(out, &w, 4);
	return 4;
}

/*
 * Write register @n from @in (its full size). The general registers, RIP and RFLAGS only:
 * -1 for the others (GDB then says it cannot write it). Writes go to *st; the caller puts
 * the registers back with KVM_SET_REGS.
 */
int gdb_reg_set(struct gdb_vcpu_state *st, int n, const u8 *in)
{
	u64 v = 0;

	if (n < 16 || n == REG_RIP) {
		memcpy(&v, in, 8);
		if (n == REG_RIP)
			st->regs.rip = v;
		else
			*gpr(&st->regs, n) = v;
		return 0;
	}
	if (n == REG_EFLAGS) {
		memcpy(&v, in, 4);
		st->regs.rflags = v;
		return 0;
	}
	return -1;
}

/*
 * Guest-virtual to guest-physical through the guest's page tables (no access checks: a
 * debugger reads what the kernel could). false when not present or not RAM.
 */
static bool gva_to_gpa(struct vm *vm, const struct kvm_sregs *s, u64 gva, u64 *gpa, u64 *left)
{
	bool lma = s->efer & (1u << 10), pae = s->cr4 & (1u << 5), pse = s->cr4 & (1u << 4);
	u64 table = s->cr3, entry = 0, mask = 0x000ffffffffff000ull;
	int levels, shift;

	if (!(s->cr0 & (1ull << 31))) {
		*gpa = lma ? gva : (u32)gva;
		*left = 4096 - (gva & 4095);
		return true;
	}
	levels = lma ? ((s->cr4 & (1u << 12)) ? 5 : 4) : pae ? 3 : 2;
	shift = lma ? 12 + 9 * (levels - 1) : pae ? 30 : 22;
	if (!lma)
		gva = (u32)gva;
	for (int l = levels; l > 0; l--) {
		u64 idx, *p64;
		u32 *p32;

		if (!lma && pae && l == 3) {		/* the four PDPTEs, 32-byte aligned */
			idx = (gva >> 30) & 3;
			table = s->cr3 & ~31ull;
			p64 = vm__gpa(vm, table + idx * 8, 8);
			if (!p64)
				return false;
			entry = *p64;
		} else if (lma || pae) {
			idx = (gva >> shift) & 511;
			p64 = vm__gpa(vm, (table & mask) + idx * 8, 8);
			if (!p64)
				return false;
			entry = *p64;
		} else {
			idx = (gva >> shift) & 1023;
			p32 = vm__gpa(vm, (table & 0xfffff000) + idx * 4, 4);
			if (!p32)
				return false;
			entry = *p32;
		}
		if (!(entry & 1))
			return false;
		/* A large page: PS in a PD entry (2/4 MiB), or in a PDPT entry in 64-bit mode. */
		if ((entry & 0x80) && (l == 2 || (l == 3 && lma)) && (lma || pae || pse)) {
			u64 size = 1ull << shift, base;

			if (!lma && !pae)		/* 4 MiB page: bits 31:22 (+ PSE-36 ignored) */
				base = entry & 0xffc00000;
			else
				base = entry & mask & ~(size - 1);
			*gpa = base | (gva & (size - 1));
			*left = size - (gva & (size - 1));
			return true;
		}
		table = entry;
		shift -= (lma || pae) ? 9 : 10;
	}
	*gpa = ((lma || pae) ? (entry & mask) : (entry & 0xfffff000)) | (gva & 4095);
	*left = 4096 - (gva & 4095);
	return true;
}

/*
 * [@gva, @gva + @len) as guest-physical ranges, each inside one 4 KiB page (an EPT watch
 * must be: vmxmon's watches are per page), in order: their count, or -1 if a byte is not
 * mapped to RAM, @len is 0, or more than @max ranges are needed. Adjacent pages that are
 * adjacent in guest-physical memory still give one range each.
 */
int gdb_gva_ranges(struct vm *vm, const struct kvm_sregs *s, u64 gva, u64 len,
		   struct gdb_gpa_range *r, int max)
{
	int n = 0;

	if (!len || gva + len - 1 < gva)
		return -1;
	while (len) {
		u64 gpa, left, k;

		if (n == max || !gva_to_gpa(vm, s, gva, &gpa, &left))
			return -1;
		k = MIN(len, MIN(left, 4096 - (gpa & 4095)));
		if (!vm__gpa(vm, gpa, k))
			return -1;
		r[n].gpa = gpa;
		r[n++].len = k;
		gva += k;
		len -= k;
	}
	return n;
}

/* Copy @len bytes at guest-virtual @gva to or from @buf: the bytes done (stops at a hole). */
size_t gdb_mem_access(struct vm *vm, const struct kvm_sregs *s, u64 gva, u8 *buf, size_t len,
		      bool write)
{
	size_t done = 0;

	while (done < len) {
		u64 gpa, left, n;
		u8 *p;

		if (!gva_to_gpa(vm, s, gva + done, &gpa, &left))
			break;
		n = MIN(left, len - done);
		n = MIN(n, 4096 - (gpa & 4095));
		p = vm__gpa(vm, gpa, n);
		if (!p)
			break;
		if (write)
			memcpy(p, buf + done, n);
		else
			memcpy(buf + done, p, n);
		done += n;
	}
	return done;
}
