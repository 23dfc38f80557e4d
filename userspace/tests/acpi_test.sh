#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Host test: the ACPI tables vmxrun builds, parsed back by iasl -d (the ACPICA disassembler
# is the reference parser), and the DSDT's resources matching the device models (TAP).
# TESTBIN (the unit test binaries) is set by make check.
TESTBIN=${TESTBIN:-../build/userspace/tests}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../../selftests/lib/tap.sh"

echo "TAP version 13"
echo "1..6"
if ! command -v iasl >/dev/null; then
	for t in facp dsdt dsdt_resources xsdt_facs madt; do result_skip "iasl_parses_$t" "no iasl (apt-get install acpica-tools)"; done
	exit 0
fi
ACPI_DUMP_DIR=$tmp "$TESTBIN/acpi_test" >/dev/null 2>&1
for t in xsdt facp facs dsdt apic; do
	(cd "$tmp" && iasl -d "$t.dat" >"$t.log" 2>&1)
done

# facp: the disassembler finds no errors and reads the PM blocks and SCI we meant.
f=$tmp/facp.dsl
[ -s "$f" ] && ! grep -qi 'error' "$tmp/facp.log" &&
	grep -q 'SCI Interrupt : 0009' "$f" &&
	grep -q 'PM1A Event Block Address : 00000600' "$f" &&
	grep -q 'PM1A Control Block Address : 00000604' "$f" &&
	grep -q 'PM Timer Block Address : 00000608' "$f" &&
	grep -qE 'Hardware Reduced \(V5\) : 0' "$f"
ok=$?
{ cat "$tmp/facp.log"; grep -E 'SCI|PM1A|PM Timer' "$f"; } >"$tmp/diag" 2>&1
result iasl_parses_facp $ok "$tmp/diag"

# dsdt: parses, and has \_S5 with SLP_TYP 5 and the platform's devices.
f=$tmp/dsdt.dsl
[ -s "$f" ] && ! grep -qi 'error' "$tmp/dsdt.log" && grep -q '_S5' "$f" &&
	for id in PNP0A03 PNP0000 PNP0100 PNP0B00 PNP0303 PNP0501; do
		grep -q "\"$id\"" "$f" || exit 1
	done
ok=$?
cp "$tmp/dsdt.log" "$tmp/diag"
result iasl_parses_dsdt $ok "$tmp/diag"

# Resources: each device's ports and IRQ as hw/ implements them.
expect_io() { grep -A3 "IO (Decode16," "$f" | grep -q "0x$1,.*// Range Minimum"; }
ok=0
for io in 03F8 0060 0064 0070 0040 0020 00A0 04D0 0CF8 0600 00F4; do
	expect_io "$io" || { echo "no IO resource at 0x$io" >>"$tmp/diag2"; ok=1; }
done
for irq in '{4}' '{1}' '{8}' '{0}' '{2}'; do
	grep -qF "IRQNoFlags ()" "$f" && grep -qF "$irq" "$f" || { echo "no IRQ $irq" >>"$tmp/diag2"; ok=1; }
done
grep -A2 'Name (_S5' "$f" | grep -q '0x05' || { echo "_S5 is not SLP_TYP 5" >>"$tmp/diag2"; ok=1; }
result iasl_parses_dsdt_resources $ok "$tmp/diag2"

# PCI: the 64-bit window patched to the machine's (above RAM: 0x140000000 in acpi_test),
# and a _PRT with both tables (APIC: GSI 16-19, PIC: IRQ 10/11).
ok=0
grep -A3 'QWordMemory' "$f" | grep -q '0x0000000140000000,.*Range Minimum' ||
	{ echo "64-bit window not patched to 0x140000000" >>"$tmp/diag3"; ok=1; }
grep -q 'Method (_PRT' "$f" && grep -q '0x0001FFFF,' "$f" && grep -q '0x13$' "$f" && grep -q '0x0B$' "$f" ||
	{ echo "no _PRT with GSI 0x13 and IRQ 0x0B" >>"$tmp/diag3"; grep -A3 -E '_PRT|PRTA' "$f" >>"$tmp/diag3"; ok=1; }
result iasl_parses_pci_windows_and_prt $ok "$tmp/diag3"

# (iasl -d does not take a bare RSDP; acpi_test checks its checksums and link.)
[ -s "$tmp/xsdt.dsl" ] && [ -s "$tmp/facs.dsl" ] && ! grep -qi 'error' "$tmp/xsdt.log" "$tmp/facs.log" &&
	grep -q 'ACPI Table Address   0 : 00000000000E0' "$tmp/xsdt.dsl"
ok=$?
cat "$tmp/xsdt.log" "$tmp/xsdt.dsl" "$tmp/facs.log" >"$tmp/diag"
result iasl_parses_xsdt_facs $ok "$tmp/diag"
# madt: two local APICs, the IOAPIC at 0xfec00000 from GSI 0, IRQ0 -> GSI 2, the SCI
# level-triggered and active low, LINT1 NMI.
f=$tmp/apic.dsl
[ -s "$f" ] && ! grep -qi 'error' "$tmp/apic.log" &&
	[ "$(grep -c 'Subtable Type : 00 \[Processor Local APIC\]' "$f")" = 2 ] &&
	grep -q 'Local Apic Address : FEE00000' "$f" &&
	grep -q 'Address : FEC00000' "$f" &&
	grep -q 'Interrupt : 00000000' "$f" &&
	grep -A6 'Source Override' "$f" | grep -q 'Interrupt : 00000002' &&
	grep -A8 'Source Override' "$f" | grep -q 'Trigger Mode : 3' &&
	grep -A8 'Source Override' "$f" | grep -q 'Polarity : 3' &&
	grep -q 'Local APIC NMI' "$f"
ok=$?
cat "$tmp/apic.log" "$f" >"$tmp/diag" 2>&1
result iasl_parses_madt $ok "$tmp/diag"
[ "$failed" = 0 ]
