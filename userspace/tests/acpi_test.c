// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: the ACPI tables (checksums, lengths, links, FADT and MADT fields). With
 * ACPI_DUMP_DIR set, the tables of a 2-CPU machine are also written there as rsdp.dat,
 * xsdt.dat, facp.dat, facs.dat, dsdt.dat and apic.dat for tests/acpi_test.sh, which parses
 * them back with iasl -d.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/acpi.h"
#include "harness.h"
#include "hw/ioapic.h"
#include "hw/pm.h"

#define BASE 0xe0000ULL

static u8 area[0x4000];

/* The table at guest address gpa inside area. */
static void *at(u64 gpa)
{
	return gpa >= BASE && gpa < BASE + sizeof(area) ? area + (gpa - BASE) : NULL;
}

static void dump(const char *dir, const char *name, const void *p, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	if (f) {
		fwrite(p, 1, len, f);
		fclose(f);
	}
}

TEST_HOST(acpi_tables_checksum_and_link_up)
{
	u64 rsdp_gpa = acpi__build(area, BASE, sizeof(area), 2, 0x140000000ULL);
	struct acpi_rsdp *rsdp = at(rsdp_gpa);
	struct acpi_header *xsdt, *dsdt;
	struct acpi_fadt *fadt;
	struct acpi_facs *facs;
	const char *dir = getenv("ACPI_DUMP_DIR");

	ASSERT_TRUE(rsdp);
	EXPECT_EQ(rsdp_gpa % 16, 0);
	EXPECT_TRUE(!memcmp(rsdp->signature, "RSD PTR ", 8));
	EXPECT_EQ(rsdp->revision, 2);
	EXPECT_EQ(rsdp->length, 36);
	EXPECT_EQ(acpi__sum(rsdp, 20), 0);
	EXPECT_EQ(acpi__sum(rsdp, 36), 0);
	xsdt = at(rsdp->xsdt_address);
	ASSERT_TRUE(xsdt);
	EXPECT_TRUE(!memcmp(xsdt->signature, "XSDT", 4));
	EXPECT_EQ(xsdt->length, 36 + 16);		/* the FADT and the MADT */
	EXPECT_EQ(acpi__sum(xsdt, xsdt->length), 0);
	fadt = at(le_get(xsdt + 1, 8));
	ASSERT_TRUE(fadt);
	EXPECT_TRUE(!memcmp(fadt->h.signature, "FACP", 4));
	EXPECT_EQ(fadt->h.length, 276);
	EXPECT_EQ(fadt->h.revision, 6);
	EXPECT_EQ(acpi__sum(fadt, fadt->h.length), 0);
	EXPECT_EQ(fadt->sci_int, 9);
	EXPECT_EQ(fadt->smi_cmd, 0);
	EXPECT_EQ(fadt->pm1a_evt_blk, PM1A_EVT_BLK);
	EXPECT_EQ(fadt->pm1a_cnt_blk, PM1A_CNT_BLK);
	EXPECT_EQ(fadt->pm_tmr_blk, PM_TMR_BLK);
	EXPECT_EQ(fadt->x_pm1a_cnt_blk.address, PM1A_CNT_BLK);
	EXPECT_EQ(fadt->x_pm1a_cnt_blk.space_id, 1);
	EXPECT_EQ(fadt->iapc_boot_arch & 3, 3);		/* legacy devices, 8042 */
	EXPECT_EQ(fadt->flags & (1 << 20), 0);		/* not hardware-reduced */
	facs = at(fadt->x_firmware_ctrl);
	ASSERT_TRUE(facs);
	EXPECT_EQ(fadt->x_firmware_ctrl % 64, 0);
	EXPECT_TRUE(!memcmp(facs->signature, "FACS", 4));
	dsdt = at(fadt->x_dsdt);
	ASSERT_TRUE(dsdt);
	EXPECT_EQ(fadt->dsdt, fadt->x_dsdt);
	EXPECT_TRUE(!memcmp(dsdt->signature, "DSDT", 4));
	EXPECT_EQ(dsdt->length, acpi_dsdt_aml_len);
	EXPECT_EQ(acpi__sum(dsdt, dsdt->length), 0);	/* iasl sealed it */
	if (dir) {
		dump(dir, "rsdp.dat", rsdp, 36);
		dump(dir, "xsdt.dat", xsdt, xsdt->length);
		dump(dir, "facp.dat", fadt, fadt->h.length);
		dump(dir, "facs.dat", facs, facs->length);
		dump(dir, "dsdt.dat", dsdt, dsdt->length);
		dump(dir, "apic.dat", at(le_get((u8 *)(xsdt + 1) + 8, 8)),
		     ((struct acpi_header *)at(le_get((u8 *)(xsdt + 1) + 8, 8)))->length);
	}
}

TEST_HOST(acpi_madt_lists_each_cpu_the_ioapic_and_the_isa_overrides)
{
	u64 rsdp_gpa = acpi__build(area, BASE, sizeof(area), 3, 0x140000000ULL);
	struct acpi_rsdp *rsdp = at(rsdp_gpa);
	struct acpi_header *xsdt;
	struct acpi_madt *m;
	unsigned int lapics = 0, ioapics = 0, isos = 0, nmis = 0;
	u8 *p, *end;

	ASSERT_TRUE(rsdp);
	xsdt = at(rsdp->xsdt_address);
	ASSERT_TRUE(xsdt);
	m = at(le_get((u8 *)(xsdt + 1) + 8, 8));
	ASSERT_TRUE(m);
	EXPECT_TRUE(!memcmp(m->h.signature, "APIC", 4));
	EXPECT_EQ(acpi__sum(m, m->h.length), 0);
	EXPECT_EQ(m->lapic_address, 0xfee00000);
	EXPECT_EQ(m->flags, MADT_PCAT_COMPAT);
	p = (u8 *)(m + 1);
	end = (u8 *)m + m->h.length;
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		if (p[0] == 0) {
			struct acpi_madt_lapic *l = (void *)p;

			EXPECT_EQ(l->apic_id, lapics);
			EXPECT_EQ(l->processor_uid, lapics);
			EXPECT_EQ(l->flags, 1);
			lapics++;
		} else if (p[0] == 1) {
			struct acpi_madt_ioapic *io = (void *)p;

			EXPECT_EQ(io->address, IOAPIC_BASE);
			EXPECT_EQ(io->gsi_base, 0);
			EXPECT_EQ(io->ioapic_id, IOAPIC_ID);
			ioapics++;
		} else if (p[0] == 2) {
			struct acpi_madt_iso *iso = (void *)p;

			if (iso->source == 0) {
				EXPECT_EQ(iso->gsi, 2);		/* the PIT on pin 2 */
			} else {
				EXPECT_EQ(iso->source, PM_SCI_IRQ);
				EXPECT_EQ(iso->gsi, PM_SCI_IRQ);
				EXPECT_EQ(iso->flags, 0xf);	/* level, active low */
			}
			isos++;
		} else if (p[0] == 4) {
			nmis++;
		}
		p += p[1];
	}
	EXPECT_TRUE(p == end);
	EXPECT_EQ(lapics, 3);
	EXPECT_EQ(ioapics, 1);
	EXPECT_EQ(isos, 2);
	EXPECT_EQ(nmis, 1);
}

TEST_HOST(acpi_pic_only_machine_has_no_madt)
{
	struct acpi_rsdp *rsdp = at(acpi__build(area, BASE, sizeof(area), 0, 0x140000000ULL));
	struct acpi_header *xsdt;

	ASSERT_TRUE(rsdp);
	xsdt = at(rsdp->xsdt_address);
	ASSERT_TRUE(xsdt);
	EXPECT_EQ(xsdt->length, 36 + 8);		/* the FADT alone */
	EXPECT_EQ(acpi__sum(xsdt, xsdt->length), 0);
	EXPECT_EQ(acpi__build(area, BASE, sizeof(area), 254, 0x140000000ULL) != 0, 1);	/* -c 254 fits */
}

TEST_HOST(acpi_tables_refuse_a_too_small_area)
{
	EXPECT_EQ(acpi__build(area, BASE, 256, 0, 0x140000000ULL), 0);
}
