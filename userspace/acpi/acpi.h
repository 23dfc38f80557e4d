/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ACPI tables for the guest (ACPI 6.4): RSDP -> XSDT -> FADT -> (FACS, DSDT), and the MADT
 * (a local APIC per vCPU, the IOAPIC, ISA interrupt overrides) unless the machine is
 * PIC-only. The DSDT is acpi/dsdt.asl compiled by iasl at build time.
 */
#ifndef VMXRUN_ACPI_ACPI_H
#define VMXRUN_ACPI_ACPI_H

#include "../util/types.h"

#define ACPI_TABLES_BASE	0xe0000ULL	/* in the reserved BIOS area (e820) */
#define ACPI_TABLES_SIZE	0x4000ULL

struct acpi_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	char creator_id[4];
	u32 creator_revision;
} __attribute__((packed));

struct acpi_rsdp {
	char signature[8];		/* "RSD PTR " */
	u8 checksum;			/* of the first 20 bytes */
	char oem_id[6];
	u8 revision;			/* 2: ACPI 2.0+, XSDT valid */
	u32 rsdt_address;
	u32 length;
	u64 xsdt_address;
	u8 extended_checksum;		/* of all 36 bytes */
	u8 reserved[3];
} __attribute__((packed));

/* Generic Address Structure. */
struct acpi_gas {
	u8 space_id;			/* 1: system I/O */
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;			/* 1 byte, 2 word, 3 dword */
	u64 address;
} __attribute__((packed));

struct acpi_fadt {
	struct acpi_header h;
	u32 firmware_ctrl, dsdt;
	u8 reserved0, preferred_pm_profile;
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	u32 pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk, pm2_cnt_blk, pm_tmr_blk;
	u32 gpe0_blk, gpe1_blk;
	u8 pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len, gpe0_blk_len, gpe1_blk_len;
	u8 gpe1_base, cst_cnt;
	u16 p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	u8 duty_offset, duty_width, day_alrm, mon_alrm, century;
	u16 iapc_boot_arch;
	u8 reserved1;
	u32 flags;
	struct acpi_gas reset_reg;
	u8 reset_value;
	u16 arm_boot_arch;
	u8 minor_version;
	u64 x_firmware_ctrl, x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk, x_pm_tmr_blk, x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas sleep_control_reg, sleep_status_reg;
	u64 hypervisor_vendor_id;
} __attribute__((packed));

/* MADT (ACPI 6.4, 5.2.12) and the entries vmxrun uses. */
struct acpi_madt {
	struct acpi_header h;
	u32 lapic_address;
	u32 flags;			/* PCAT_COMPAT: there are 8259s too */
} __attribute__((packed));

struct acpi_madt_lapic {		/* type 0 */
	u8 type, length;
	u8 processor_uid, apic_id;
	u32 flags;			/* 1: enabled */
} __attribute__((packed));

struct acpi_madt_ioapic {		/* type 1 */
	u8 type, length;
	u8 ioapic_id, reserved;
	u32 address;
	u32 gsi_base;
} __attribute__((packed));

struct acpi_madt_iso {			/* type 2: interrupt source override */
	u8 type, length;
	u8 bus, source;			/* bus 0: ISA */
	u32 gsi;
	u16 flags;			/* polarity bits 0-1, trigger mode bits 2-3 */
} __attribute__((packed));

struct acpi_madt_lapic_nmi {		/* type 4 */
	u8 type, length;
	u8 processor_uid;		/* 0xff: all */
	u16 flags;
	u8 lint;
} __attribute__((packed));

#define MADT_PCAT_COMPAT	1u
#define MADT_ISO_ACTIVE_HIGH	1u
#define MADT_ISO_ACTIVE_LOW	3u
#define MADT_ISO_EDGE		(1u << 2)
#define MADT_ISO_LEVEL		(3u << 2)

struct acpi_facs {
	char signature[4];
	u32 length;
	u32 hardware_signature, firmware_waking_vector, global_lock, flags;
	u64 x_firmware_waking_vector;
	u8 version;
	u8 reserved[3];
	u32 ospm_flags;
	u8 reserved2[24];
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_header) == 36, "ACPI header");
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP");
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT flags");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT X_DSDT");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT (revision 6)");
_Static_assert(sizeof(struct acpi_facs) == 64, "FACS");
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT");
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "MADT local APIC");
_Static_assert(sizeof(struct acpi_madt_ioapic) == 12, "MADT I/O APIC");
_Static_assert(sizeof(struct acpi_madt_iso) == 10, "MADT interrupt source override");
_Static_assert(sizeof(struct acpi_madt_lapic_nmi) == 6, "MADT local APIC NMI");

/* The compiled DSDT (build/.../dsdt.hex, from iasl -tc). */
extern const unsigned char *const acpi_dsdt_aml;
extern const size_t acpi_dsdt_aml_len;

/*
 * Write the tables into guest memory at [base, base + size) (host pointer mem, guest
 * address base) for a machine with apic_cpus local APICs (IDs 0..apic_cpus-1) and the
 * IOAPIC, or PIC-only if 0 (no MADT); returns the RSDP's guest address, or 0 if they do
 * not fit. mmio64: the base of the PCI 64-bit window (its size is PCI_MMIO64_SIZE), patched
 * into the DSDT's _CRS.
 */
u64 acpi__build(u8 *mem, u64 base, u64 size, unsigned int apic_cpus, u64 mmio64);
/* The DSDT's placeholder for the 64-bit window's base (acpi/dsdt.asl). */
#define ACPI_DSDT_MMIO64_PLACEHOLDER	0x1000000000ULL
/* Sum of len bytes (a valid table sums to 0). */
u8 acpi__sum(const void *p, size_t len);

#endif
