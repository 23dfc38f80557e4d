// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "x86_defs.h"

#include "../hw/ioapic.h"
#include "../hw/pm.h"
#include "../pci/pci.h"
#include "acpi.h"

#define FADT_WBINVD		(1u << 0)
#define FADT_PROC_C1		(1u << 2)
#define FADT_SLP_BUTTON		(1u << 5)	/* no sleep button */
#define FADT_TMR_VAL_EXT	(1u << 8)	/* 32-bit PM timer */
#define BOOT_LEGACY_DEVICES	(1u << 0)	/* ISA devices (described in the DSDT) */
#define BOOT_8042		(1u << 1)
#define BOOT_VGA_NOT_PRESENT	(1u << 2)

/* The table area as it is filled: tables are 16-byte aligned, the FACS 64. */
struct acpi_area {
	u8 *mem;
	u64 base, size, used;
};

static void *acpi__alloc(struct acpi_area *a, u64 len, u64 align, u64 *gpa)
{
	u64 off = ALIGN_UP(a->used, align);

	if (off + len > a->size)
		return NULL;
	a->used = off + len;
	*gpa = a->base + off;
	memset(a->mem + off, 0, len);
	return a->mem + off;
}

u8 acpi__sum(const void *p, size_t len)
{
	u8 s = 0;

	for (size_t i = 0; i < len; i++)
		s += ((const u8 *)p)[i];
	return s;
}

static void acpi__header(struct acpi_header *h, const char *sig, u32 len, u8 rev)
{
	memcpy(h->signature, sig, 4);
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, "VMXMON", 6);
	memcpy(h->oem_table_id, "VMXRUN  ", 8);
	h->oem_revision = 1;
	memcpy(h->creator_id, "VMXR", 4);
	h->creator_revision = 1;
}

static void acpi__seal(struct acpi_header *h)
{
	h->checksum = 0;
	h->checksum = (u8)-acpi__sum(h, h->length);
}

static struct acpi_gas gas_io(u64 port, u8 bytes)
{
	return (struct acpi_gas){ .space_id = 1, .bit_width = 8 * bytes,
				  .access_size = bytes == 4 ? 3 : bytes == 2 ? 2 : 1,
				  .address = port };
}

static void acpi__fill_fadt(struct acpi_fadt *f, u64 facs, u64 dsdt)
{
	acpi__header(&f->h, "FACP", sizeof(*f), 6);
	f->firmware_ctrl = (u32)facs;
	f->dsdt = (u32)dsdt;
	f->x_firmware_ctrl = facs;
	f->x_dsdt = dsdt;
	f->sci_int = PM_SCI_IRQ;
	f->smi_cmd = 0;			/* always in ACPI mode: no SMI handshake */
	f->pm1a_evt_blk = PM1A_EVT_BLK;
	f->pm1a_cnt_blk = PM1A_CNT_BLK;
	f->pm_tmr_blk = PM_TMR_BLK;
	f->pm1_evt_len = 4;
	f->pm1_cnt_len = 2;
	f->pm_tmr_len = 4;
	f->x_pm1a_evt_blk = gas_io(PM1A_EVT_BLK, 4);
	f->x_pm1a_evt_blk.access_size = 2;	/* PM1_STS and PM1_EN are 16-bit registers */
	f->x_pm1a_cnt_blk = gas_io(PM1A_CNT_BLK, 2);
	f->x_pm_tmr_blk = gas_io(PM_TMR_BLK, 4);
	f->p_lvl2_lat = 101;		/* > 100: no C2 */
	f->p_lvl3_lat = 1001;		/* > 1000: no C3 */
	f->century = 0x32;		/* hw/rtc.c */
	f->iapc_boot_arch = BOOT_LEGACY_DEVICES | BOOT_8042 | BOOT_VGA_NOT_PRESENT;
	f->flags = FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON | FADT_TMR_VAL_EXT;
	memcpy(&f->hypervisor_vendor_id, "VMXMON\0\0", 8);
	acpi__seal(&f->h);
}

/*
 * The MADT: the local APICs, the IOAPIC (GSIs 0-23), IRQ0 on GSI 2 (the PIT, hw/board.c
 * irq__set), the SCI level-triggered and active low (the FADT's SCI_INT), LINT1 as NMI.
 */
static u64 acpi__madt(struct acpi_area *a, unsigned int cpus)
{
	u64 len = sizeof(struct acpi_madt) + cpus * sizeof(struct acpi_madt_lapic) +
		  sizeof(struct acpi_madt_ioapic) + 2 * sizeof(struct acpi_madt_iso) +
		  sizeof(struct acpi_madt_lapic_nmi), gpa = 0;
	struct acpi_madt *m = acpi__alloc(a, len, 16, &gpa);
	struct acpi_madt_lapic *l;
	struct acpi_madt_ioapic *io;
	struct acpi_madt_iso *iso;
	struct acpi_madt_lapic_nmi *nmi;

	if (!m)
		return 0;
	acpi__header(&m->h, "APIC", len, 5);
	m->lapic_address = APIC_DEFAULT_PHYS_BASE;
	m->flags = MADT_PCAT_COMPAT;
	l = (struct acpi_madt_lapic *)(m + 1);
	for (unsigned int i = 0; i < cpus; i++, l++)
		*l = (struct acpi_madt_lapic){ .type = 0, .length = sizeof(*l),
					       .processor_uid = i, .apic_id = i, .flags = 1 };
	io = (struct acpi_madt_ioapic *)l;
	*io = (struct acpi_madt_ioapic){ .type = 1, .length = sizeof(*io), .ioapic_id = IOAPIC_ID,
					 .address = IOAPIC_BASE, .gsi_base = 0 };
	iso = (struct acpi_madt_iso *)(io + 1);
	iso[0] = (struct acpi_madt_iso){ .type = 2, .length = sizeof(*iso), .source = 0, .gsi = 2,
					 .flags = 0 };	/* conforms to the bus: edge, high */
	iso[1] = (struct acpi_madt_iso){ .type = 2, .length = sizeof(*iso), .source = PM_SCI_IRQ,
					 .gsi = PM_SCI_IRQ,
					 .flags = MADT_ISO_LEVEL | MADT_ISO_ACTIVE_LOW };
	nmi = (struct acpi_madt_lapic_nmi *)(iso + 2);
	*nmi = (struct acpi_madt_lapic_nmi){ .type = 4, .length = sizeof(*nmi),
					     .processor_uid = 0xff, .flags = 0, .lint = 1 };
	acpi__seal(&m->h);
	return gpa;
}

/* The QWordMemory of PCI0's _CRS: minimum, maximum, translation, length after the marker. */
static void acpi__patch_mmio64(u8 *aml, size_t len, u64 mmio64)
{
	u8 want[16];

	le_put(want, 8, ACPI_DSDT_MMIO64_PLACEHOLDER);
	le_put(want + 8, 8, ACPI_DSDT_MMIO64_PLACEHOLDER + PCI_MMIO64_SIZE - 1);
	for (size_t i = 0; i + 32 <= len; i++) {
		if (memcmp(aml + i, want, sizeof(want)))
			continue;
		le_put(aml + i, 8, mmio64);
		le_put(aml + i + 8, 8, mmio64 + PCI_MMIO64_SIZE - 1);
		return;
	}
}

u64 acpi__build(u8 *mem, u64 base, u64 size, unsigned int apic_cpus, u64 mmio64)
{
	struct acpi_area a = { mem, base, size, 0 };
	u64 rsdp_gpa = 0, xsdt_gpa = 0, fadt_gpa = 0, facs_gpa = 0, dsdt_gpa = 0;
	struct acpi_rsdp *rsdp = acpi__alloc(&a, sizeof(*rsdp), 16, &rsdp_gpa);
	u32 nr_tables = apic_cpus ? 2 : 1;
	struct acpi_header *xsdt = acpi__alloc(&a, sizeof(*xsdt) + 8 * nr_tables, 16, &xsdt_gpa);
	struct acpi_fadt *fadt = acpi__alloc(&a, sizeof(*fadt), 16, &fadt_gpa);
	struct acpi_facs *facs = acpi__alloc(&a, sizeof(*facs), 64, &facs_gpa);
	u8 *dsdt = acpi__alloc(&a, acpi_dsdt_aml_len, 16, &dsdt_gpa);
	u64 madt_gpa = apic_cpus ? acpi__madt(&a, apic_cpus) : 0;

	if (!rsdp || !xsdt || !fadt || !facs || !dsdt || (apic_cpus && !madt_gpa))
		return 0;
	memcpy(dsdt, acpi_dsdt_aml, acpi_dsdt_aml_len);
	acpi__patch_mmio64(dsdt, acpi_dsdt_aml_len, mmio64);
	acpi__seal((struct acpi_header *)dsdt);

	memcpy(facs->signature, "FACS", 4);
	facs->length = sizeof(*facs);
	facs->version = 2;

	acpi__fill_fadt(fadt, facs_gpa, dsdt_gpa);

	acpi__header(xsdt, "XSDT", sizeof(*xsdt) + 8 * nr_tables, 1);
	le_put(xsdt + 1, 8, fadt_gpa);
	if (apic_cpus)
		le_put((u8 *)(xsdt + 1) + 8, 8, madt_gpa);
	acpi__seal(xsdt);

	memcpy(rsdp->signature, "RSD PTR ", 8);
	memcpy(rsdp->oem_id, "VMXMON", 6);
	rsdp->revision = 2;
	rsdp->length = sizeof(*rsdp);
	rsdp->xsdt_address = xsdt_gpa;
	rsdp->checksum = (u8)-acpi__sum(rsdp, 20);
	rsdp->extended_checksum = (u8)-acpi__sum(rsdp, sizeof(*rsdp));
	return rsdp_gpa;
}
