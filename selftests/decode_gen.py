#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The reference cases of decode_test (x86/decode.c on the host).

Writes decode_cases.S, which the GNU assembler turns into the bytes of every case (so the
encodings and their lengths come from binutils, not from the decoder under test), and
decode_cases.h, what each case must decode to, from this script's own model of the
instruction it asked for: operation, size, register, memory operand (base, index, scale,
displacement, RIP-relative, default or override segment), address size, prefixes.

The cases: every instruction form the MMIO emulator runs (the MOV family, MOVS/STOS/LODS
with and without REP, the SSE/MMX moves, as in mmio_test, mmio_string_test and
mmio_sse_test and beyond them), for every register, with every ModRM/SIB addressing form
of 16-, 32- and 64-bit code, address- and operand-size prefixes and segment overrides; and
instructions it must refuse (arithmetic on memory, CMPS/SCAS, VEX, LOCK, REP on a MOV,
register operands, ...). Encodings the assembler will not write come as .byte lines with
their fields written out by hand.

usage: decode_gen.py OUT.S OUT.h
"""
import random
import sys

OP = dict(NONE=0, LOAD=1, STORE_REG=2, STORE_IMM=3, LOAD_ZX=4, LOAD_SX=5, MOVS=6, STOS=7,
          LODS=8, VEC_LOAD=9, VEC_STORE=10)
SEG = dict(es=0, cs=1, ss=2, ds=3, fs=4, gs=5)
SEG_PREFIX = dict(es=0x26, cs=0x2e, ss=0x36, ds=0x3e, fs=0x64, gs=0x65)
UNSUP, OK = -1, 0
M64 = (1 << 64) - 1

R64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi'] + ['r%d' % i for i in range(8, 16)]
R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] + ['r%dd' % i for i in range(8, 16)]
R16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'] + ['r%dw' % i for i in range(8, 16)]
R8 = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil'] + ['r%db' % i for i in range(8, 16)]
HIGH8 = ['ah', 'ch', 'dh', 'bh']
REGS = {1: R8, 2: R16, 4: R32, 8: R64}
SUFFIX = {1: 'b', 2: 'w', 4: 'l', 8: 'q'}
RSP, RBP = 4, 5


class Mem:
    """A memory operand: its AT&T text and what the decoder must find in it."""

    def __init__(self, text, addr_size, base=-1, index=-1, scale=0, disp=0, rip_rel=False,
                 rex=False):
        self.text, self.addr_size = text, addr_size
        self.base, self.index, self.scale = base, index, scale
        self.disp, self.rip_rel, self.rex = disp & M64, rip_rel, rex

    def seg(self):
        return SEG['ss'] if self.base in (RSP, RBP) else SEG['ds']


def mems(mode, rnd):
    """The addressing forms of code with default size @mode (2, 4 or 8 bytes)."""
    out = []
    disps = [0, 0x12, -0x80, 0x7f, 0x1234, -0x1235]

    def modrm32(size):			# 32- or 64-bit addressing
        regs = R64 if size == 8 else R32
        top = 16 if mode == 8 else 8
        for b in range(top):
            for d in disps + [0x12345, -0x7654321]:
                text = ('%#x' % d if d >= 0 else '-%#x' % -d) if d else ''
                out.append(Mem('%s(%%%s)' % (text, regs[b]), size, base=b, disp=d, rex=b >= 8))
        for _ in range(60):		# SIB with an index
            b, i = rnd.randrange(top), rnd.randrange(top)
            if i == RSP:
                continue
            s, d = rnd.randrange(4), rnd.choice(disps + [0x7fffffff, -0x80000000])
            out.append(Mem('%d(%%%s,%%%s,%d)' % (d, regs[b], regs[i], 1 << s), size, base=b,
                           index=i, scale=s, disp=d, rex=b >= 8 or i >= 8))
        for i in range(top):		# SIB without a base: disp32
            if i != RSP:
                out.append(Mem('0x1000(,%%%s,8)' % regs[i], size, index=i, scale=3,
                               disp=0x1000, rex=i >= 8))
        for a in (0, 0x10, 0x7ffffff0) if size == mode else ():
            out.append(Mem('%#x' % a, size, disp=a))	# absolute: disp32 (or moffs)
        if mode == 8:			# RIP-relative: 64-bit mode only (EIP with addr32)
            ip = 'rip' if size == 8 else 'eip'
            for d in (0, 0x100, -0x100, 0x7ffffff0):
                out.append(Mem('%d(%%%s)' % (d, ip), size, disp=d, rip_rel=True))

    def modrm16():
        # SDM Vol. 2A table 2-1: [SI] and [DI] are index registers without a base
        forms = [('bx,%si', 3, 6), ('bx,%di', 3, 7), ('bp,%si', 5, 6), ('bp,%di', 5, 7),
                 ('si', -1, 6), ('di', -1, 7), ('bp', 5, -1), ('bx', 3, -1)]
        for text, b, i in forms:
            for d in (0, 0x12, -0x80, 0x1234, -0x7000):
                dt = ('%#x' % d if d >= 0 else '-%#x' % -d) if d else ''
                out.append(Mem('%s(%%%s)' % (dt, text), 2, base=b, index=i, disp=d))
        for a in (0, 0x10, 0x7ff0) if mode == 2 else ():
            out.append(Mem('%#x' % a, 2, disp=a))

    if mode == 2:
        modrm16()
        modrm32(4)
    elif mode == 4:
        modrm32(4)
        modrm16()
    else:
        modrm32(8)
        modrm32(4)
    return out


class Case:
    def __init__(self, mode, text, result=OK, op=0, size=0, dst_size=0, reg=0, high=False,
                 aligned=False, mmx=False, addr_size=None, rep=0, seg=None, imm=0, mem=None,
                 raw=None):
        self.mode, self.text, self.result, self.raw = mode, text, result, raw
        self.f = dict(op=op, size=size, dst_size=dst_size, reg=reg, high=int(high),
                      aligned=int(aligned), mmx=int(mmx), rep=rep, imm=imm & M64)
        m = mem or Mem('', addr_size or mode)
        self.f.update(addr_size=m.addr_size, base=m.base, index=m.index, scale=m.scale,
                      disp=m.disp, rip_rel=int(m.rip_rel),
                      seg=seg if seg is not None else (m.seg() if mem else SEG['ds']))


def reg_name(size, r, mode):
    return REGS[size][r]


def mov_cases(mode, rnd, cases):
    sizes = [1, 2, 4, 8] if mode == 8 else [1, 2, 4]
    nregs = 16 if mode == 8 else 8
    ms = mems(mode, rnd)
    few = [m for m in ms if not m.rex][:6] + ms[-4:]
    for size in sizes:
        for m in ms:			# every addressing form, a few registers
            for r in rnd.sample(range(nregs), 2):
                if r >= 8 and mode != 8:
                    continue
                reg_mov(mode, size, r, m, cases)
            imm_mov(mode, size, m, rnd, cases)
        for m in few:			# every register, a few addressing forms
            for r in range(nregs):
                reg_mov(mode, size, r, m, cases)
            if size == 1 and not m.rex:
                for h in range(4):	# AH, CH, DH, BH: no REX
                    for st in (True, False):
                        t = ('mov %%%s, %s' if st else 'mov %s, %%%s')
                        t = t % ((HIGH8[h], m.text) if st else (m.text, HIGH8[h]))
                        cases.append(Case(mode, t, op=OP['STORE_REG' if st else 'LOAD'],
                                          size=1, reg=h, high=True, mem=m))
        for m in few:			# segment overrides
            for s, n in SEG.items():
                reg_mov(mode, size, 0, m, cases, seg=s)
    # MOVZX/MOVSX: byte or word source, 16/32/64-bit destination
    for m in ms[::3] + few:
        for src in (1, 2):
            for dst in sizes:
                if dst <= src:
                    continue
                for r in rnd.sample(range(nregs), 3) + [4, 5, 6, 7]:
                    for sx in (False, True):
                        t = 'mov%s%s%s %s, %%%s' % ('s' if sx else 'z', SUFFIX[src], SUFFIX[dst],
                                                  m.text, REGS[dst][r])
                        cases.append(Case(mode, t, op=OP['LOAD_SX' if sx else 'LOAD_ZX'],
                                          size=src, dst_size=dst, reg=r, mem=m))
    # MOVNTI: 32 and 64 bits
    for m in ms[::2]:
        for size in (4, 8) if mode == 8 else (4,):
            r = rnd.randrange(nregs)
            cases.append(Case(mode, 'movnti %%%s, %s' % (REGS[size][r], m.text),
                              op=OP['STORE_REG'], size=size, reg=r, mem=m))
    # MOV moffs (the accumulator with an absolute address)
    for size in sizes:
        acc = REGS[size][0]
        for a in (0x10, 0x1234, 0x7ff0):
            if mode == 8:
                for st in (True, False):
                    t = 'movabs %%%s, %#x' % (acc, a) if st else 'movabs %#x, %%%s' % (a, acc)
                    cases.append(Case(mode, t, op=OP['STORE_REG' if st else 'LOAD'], size=size,
                                      reg=0, mem=Mem('', 8, disp=a)))
            else:
                for st in (True, False):
                    t = 'mov %%%s, %#x' % (acc, a) if st else 'mov %#x, %%%s' % (a, acc)
                    cases.append(Case(mode, t, op=OP['STORE_REG' if st else 'LOAD'], size=size,
                                      reg=0, mem=Mem('', mode, disp=a)))


def reg_mov(mode, size, r, m, cases, seg=None):
    if size == 1 and 4 <= r < 8 and mode != 8:
        return				# 4-7 without REX are AH..BH (above)
    mt = ('%%%s:%s' % (seg, m.text)) if seg else m.text
    rn = REGS[size][r]
    s = SEG[seg] if seg else None
    cases.append(Case(mode, 'mov %%%s, %s' % (rn, mt), op=OP['STORE_REG'], size=size, reg=r,
                      mem=m, seg=s))
    cases.append(Case(mode, 'mov %s, %%%s' % (mt, rn), op=OP['LOAD'], size=size, reg=r, mem=m,
                      seg=s))


def imm_mov(mode, size, m, rnd, cases):
    v = {1: 0x5a, 2: 0xbeef, 4: 0x12345678, 8: -2}[size]
    imm = v & ((1 << (8 * size)) - 1) if size < 8 else v
    cases.append(Case(mode, 'mov%s $%d, %s' % (SUFFIX[size], v, m.text), op=OP['STORE_IMM'],
                      size=size, imm=imm, mem=m))


def string_cases(mode, rnd, cases):
    sizes = [1, 2, 4, 8] if mode == 8 else [1, 2, 4]
    asizes = {2: (2, 4), 4: (4, 2), 8: (8, 4)}[mode]
    apfx = {2: 'addr16', 4: 'addr32'}
    for name in ('movs', 'stos', 'lods'):
        for size in sizes:
            for rep in (0, 0xf3, 0xf2):
                for a in asizes:
                    for seg in [None] + list(SEG):
                        pre = ('rep ' if rep == 0xf3 else 'repne ' if rep == 0xf2 else '')
                        if a != mode:
                            pre = apfx[a] + ' ' + pre
                        if seg:		# as takes no ES/CS/SS/DS prefix word in 64-bit code
                            pre = '.byte %#x; ' % SEG_PREFIX[seg] + pre
                        cases.append(Case(mode, pre + name + SUFFIX[size],
                                          op=OP[name.upper()], size=size, rep=rep, addr_size=a,
                                          seg=SEG[seg] if seg else SEG['ds']))


VEC = [  # mnemonic, direction (store?), prefix, aligned, mmx, size
    ('movups', 16, False, False), ('movupd', 16, False, False), ('movaps', 16, True, False),
    ('movapd', 16, True, False), ('movdqa', 16, True, False), ('movdqu', 16, False, False),
]


def vec_cases(mode, rnd, cases):
    ms = mems(mode, rnd)
    nx = 16 if mode == 8 else 8
    for m in ms[::2]:
        x = rnd.randrange(nx)
        for name, size, aligned, _ in VEC:
            cases.append(Case(mode, '%s %%xmm%d, %s' % (name, x, m.text), op=OP['VEC_STORE'],
                              size=size, reg=x, aligned=aligned, mem=m))
            cases.append(Case(mode, '%s %s, %%xmm%d' % (name, m.text, x), op=OP['VEC_LOAD'],
                              size=size, reg=x, aligned=aligned, mem=m))
        for name in ('movntps', 'movntpd', 'movntdq'):
            cases.append(Case(mode, '%s %%xmm%d, %s' % (name, x, m.text), op=OP['VEC_STORE'],
                              size=16, reg=x, aligned=True, mem=m))
        mm = rnd.randrange(8)
        cases.append(Case(mode, 'movq %%mm%d, %s' % (mm, m.text), op=OP['VEC_STORE'], size=8,
                          reg=mm, mmx=True, mem=m))
        cases.append(Case(mode, 'movq %s, %%mm%d' % (m.text, mm), op=OP['VEC_LOAD'], size=8,
                          reg=mm, mmx=True, mem=m))
        cases.append(Case(mode, 'movd %%xmm%d, %s' % (x, m.text), op=OP['VEC_STORE'], size=4,
                          reg=x, mem=m))
        cases.append(Case(mode, 'movd %s, %%xmm%d' % (m.text, x), op=OP['VEC_LOAD'], size=4,
                          reg=x, mem=m))
        cases.append(Case(mode, 'movq %%xmm%d, %s' % (x, m.text), op=OP['VEC_STORE'], size=8,
                          reg=x, mem=m))	# 66 0F D6
        cases.append(Case(mode, 'movq %s, %%xmm%d' % (m.text, x), op=OP['VEC_LOAD'], size=8,
                          reg=x, mem=m))	# F3 0F 7E
    for x in range(nx):			# every register
        m = ms[1]
        cases.append(Case(mode, 'movdqu %%xmm%d, %s' % (x, m.text), op=OP['VEC_STORE'], size=16,
                          reg=x, mem=m))


# Instructions that touch memory but are not emulated, and register forms.
REFUSED = [
    'add %eax, (%ebx)', 'sub (%ebx), %ecx', 'andl $1, (%ebx)', 'orl $0x10, 4(%ebx)',
    'xor %al, (%ebx)', 'cmp %eax, (%ebx)', 'test %eax, (%ebx)', 'xchg %eax, (%ebx)',
    'incl (%ebx)', 'decb 3(%ebx)', 'notl (%ebx)', 'negl (%ebx)', 'pushl (%ebx)',
    'popl (%ebx)', 'cmpsb', 'rep cmpsl', 'scasb', 'repne scasw', 'insb', 'outsb',
    'rep insl', 'rep outsw', 'mov %eax, %ebx', 'mov %bl, %al', 'movl $1, %eax',
    'movzbl %al, %eax', 'lea 4(%ebx), %eax', 'mov (%ebx), %ds', 'mov %es, (%ebx)',
    'cmpxchg %ecx, (%ebx)', 'xadd %ecx, (%ebx)', 'bt %eax, (%ebx)', 'call *(%ebx)',
    'jmp *4(%ebx)', 'nop', 'cpuid', 'hlt', 'movss (%ebx), %xmm0', 'movss %xmm1, (%ebx)',
    'movsd (%ebx), %xmm0', 'movhps (%ebx), %xmm0', 'movlps %xmm1, (%ebx)', 'movntq %mm0, (%ebx)',
    'lddqu (%ebx), %xmm0', 'movups %xmm0, %xmm1', 'movq %mm0, %mm1', 'movd %eax, %xmm0',
    'pxor (%ebx), %xmm0', 'movbe (%ebx), %eax', 'fldl (%ebx)', 'fxsave (%ebx)',
    'vmovdqu %ymm0, (%ebx)', 'vmovups (%ebx), %xmm1', 'cmovz (%ebx), %eax',
    'setz (%ebx)', 'movntdqa (%ebx), %xmm0', 'maskmovq %mm1, %mm0', 'clflush (%ebx)',
]
REFUSED64 = ['movslq (%rbx), %rax', 'movq %rax, %xmm0', 'movq %xmm0, %rax',
             'lock addl $1, (%rbx)', 'pushq (%rbx)', 'popq (%rbx)']


def raw_cases(cases):
    """Encodings the assembler does not write, with their fields by hand (SDM Vol. 2)."""
    def raw(mode, bs, **kw):
        text = '.byte ' + ', '.join('%#x' % b for b in bs)
        cases.append(Case(mode, text, raw=len(bs), **kw))

    m = lambda mode, **kw: Mem('', mode, **kw)
    # rep ds movsq (mmio_string_test): DS override before REX.W
    raw(8, [0xf3, 0x3e, 0x48, 0xa5], op=OP['MOVS'], size=8, rep=0xf3, seg=SEG['ds'])
    # REX.W 66: REX wins (64-bit operand), 66 ignored
    raw(8, [0x66, 0x48, 0x89, 0x03], op=OP['STORE_REG'], size=8, reg=0, mem=m(8, base=3))
    # 66 then REX.W C7: imm32 sign-extended to 64
    raw(8, [0x66, 0x48, 0xc7, 0x03, 0xfe, 0xff, 0xff, 0xff], op=OP['STORE_IMM'], size=8,
        imm=-2, mem=m(8, base=3))
    # MOVD/MOVQ through REX.W: 66 REX.W 0F 6E / 7E
    raw(8, [0x66, 0x48, 0x0f, 0x6e, 0x03], op=OP['VEC_LOAD'], size=8, reg=0, mem=m(8, base=3))
    raw(8, [0x66, 0x4c, 0x0f, 0x7e, 0x03], op=OP['VEC_STORE'], size=8, reg=8, mem=m(8, base=3))
    # REX.R on an MMX register is ignored
    raw(8, [0x44, 0x0f, 0x7f, 0x03], op=OP['VEC_STORE'], size=8, reg=0, mmx=True,
        mem=m(8, base=3))
    # a bare REX (0x40) makes register 4-7 SPL..DIL, not AH..BH
    raw(8, [0x40, 0x88, 0x33], op=OP['STORE_REG'], size=1, reg=6, mem=m(8, base=3))
    # several prefixes of one group: the last segment override and the last F2/F3 count
    raw(8, [0x64, 0x65, 0xa4], op=OP['MOVS'], size=1, seg=SEG['gs'])
    raw(8, [0xf2, 0xf3, 0xaa], op=OP['STOS'], size=1, rep=0xf3)
    raw(4, [0x66, 0x66, 0x89, 0x03], op=OP['STORE_REG'], size=2, reg=0, mem=m(4, base=3))
    # 14 prefixes + opcode = 15 bytes: still an instruction
    raw(4, [0x3e] * 14 + [0xa4], op=OP['MOVS'], size=1)
    # MOVNTI is NP 0F C3 (SDM Vol. 2B): a 66 prefix is not allowed, in any mode
    raw(4, [0x66, 0x0f, 0xc3, 0x03], result=UNSUP)
    raw(2, [0x66, 0x0f, 0xc3, 0x07], result=UNSUP)
    # LOCK on a MOV (#UD), REP on a MOV, F2 on MOVDQU's opcode, 66 with F3 on a vector move
    raw(4, [0xf0, 0x89, 0x03], result=UNSUP)
    raw(4, [0xf3, 0x89, 0x03], result=UNSUP)
    raw(4, [0xf2, 0x0f, 0x6f, 0x03], result=UNSUP)
    raw(4, [0x66, 0xf3, 0x0f, 0x7f, 0x03], result=UNSUP)
    # C6/C7 with reg != 0 (XABORT/XBEGIN space and reserved)
    raw(4, [0xc6, 0x0b, 0x01], result=UNSUP)
    raw(4, [0xc7, 0x13, 1, 2, 3, 4], result=UNSUP)
    # a prefix after REX ends REX: 48 66 89 is not an instruction we take
    raw(8, [0x48, 0x66, 0x89, 0x03], result=UNSUP)
    # 16 prefixes: the instruction never ends within 15 bytes
    raw(4, [0x3e] * 15, result=-2)


def main():
    out_s, out_h = sys.argv[1], sys.argv[2]
    rnd = random.Random(14)
    cases = []
    for mode in (8, 4, 2):
        mov_cases(mode, rnd, cases)
        string_cases(mode, rnd, cases)
        vec_cases(mode, rnd, cases)
        for t in REFUSED + (REFUSED64 if mode == 8 else []):
            if mode == 8 and t.split()[0] in ('pushl', 'popl'):
                continue		# no 32-bit PUSH/POP in 64-bit mode
            cases.append(Case(mode, t, result=UNSUP))
    raw_cases(cases)

    code = {2: '.code16', 4: '.code32', 8: '.code64'}
    with open(out_s, 'w') as s:
        s.write('/* Generated by decode_gen.py: the bytes of each decode_test case. */\n')
        s.write('\t.section .rodata.decode_bytes, "a"\n\t.globl decode_bytes\ndecode_bytes:\n')
        for i, c in enumerate(cases):
            s.write('\t%s\nc%d:\t%s\nc%de:\n' % (code[c.mode], i, c.text, i))
        s.write('\t.code64\n\t.section .rodata.decode_index, "a"\n\t.balign 4\n')
        s.write('\t.globl decode_index\ndecode_index:\n')
        for i in range(len(cases)):
            s.write('\t.long c%d - decode_bytes, c%de - c%d\n' % (i, i, i))
        s.write('\t.section .note.GNU-stack, "", @progbits\n')
    with open(out_h, 'w') as h:
        h.write('/* Generated by decode_gen.py: what each case decodes to. */\n')
        h.write('#define DECODE_NR_CASES %d\n' % len(cases))
        h.write('static const struct decode_case decode_cases[DECODE_NR_CASES] = {\n')
        for c in cases:
            f = c.f
            h.write('\t{ %s, %d, %d, { %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %#xull, '
                    '%d, %d, %d, %d, %#xull } },\n' % (
                        '"%s"' % c.text.replace('\\', '\\\\').replace('"', '\\"'), c.mode,
                        c.result, f['op'], f['size'], f['dst_size'], f['reg'], f['high'],
                        f['aligned'], f['mmx'], f['addr_size'], f['rep'], f['seg'], 0,
                        f['imm'], f['base'], f['index'], f['scale'], f['rip_rel'], f['disp']))
        h.write('};\n')


if __name__ == '__main__':
    main()
