/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * vmxrun's DSDT: the ISA devices of the platform (userspace/hw/) for Linux's PNP layer, the
 * PCI root bridge (type-1 configuration at 0xcf8), and the S5 sleep type that powers the
 * machine off. Compiled with iasl at build time; acpi/acpi.c puts the AML in guest memory.
 * Ports and IRQs must match the hw/ headers (tests/acpi_test.sh checks the disassembly).
 * PCI (userspace/pci/): the 32-bit MMIO window 0xc0000000-0xfebfffff and a 64-bit window
 * above RAM, whose placeholder (0x10_0000_0000, 16 GiB) acpi/acpi.c replaces with the
 * machine's (pci__mmio64_base); INTx by _PRT: slot s's INTA# on line (s - 1) % 4, which is
 * GSI 16 + line with the IOAPIC (_PIC 1) and IRQ 10 or 11 without (_PIC 0), as pci/intx.c
 * wires them. Slots 1-16 (hw/virtio/devices.h: at most 16 devices).
 */
DefinitionBlock ("", "DSDT", 2, "VMXMON", "VMXRUN", 0x00000001)
{
    /* S5 (soft off): SLP_TYP 5 in PM1a_CNT, as hw/pm.h PM_SLP_TYP_S5. */
    Name (\_S5, Package (0x04) { 0x05, 0x05, Zero, Zero })

    /* The OS says which interrupt model it uses: 0 PIC, 1 APIC (ACPI 6.4, 5.8.1). */
    Name (PICM, Zero)
    Method (\_PIC, 1, NotSerialized)
    {
        PICM = Arg0
    }

    Scope (\_SB)
    {
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A03"))
            Name (_UID, Zero)
            Name (_CRS, ResourceTemplate ()
            {
                WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
                    0x0000, 0x0000, 0x00FF, 0x0000, 0x0100)
                IO (Decode16, 0x0CF8, 0x0CF8, 0x01, 0x08)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000, 0x0000, 0x0CF7, 0x0000, 0x0CF8)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000, 0x0D00, 0xFFFF, 0x0000, 0xF300)
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable,
                    ReadWrite, 0x00000000, 0xC0000000, 0xFEBFFFFF, 0x00000000, 0x3EC00000)
                QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Prefetchable,
                    ReadWrite, 0x0000000000000000, 0x0000001000000000, 0x00000013FFFFFFFF,
                    0x0000000000000000, 0x0000000400000000)
            })
            Method (_PRT, 0, NotSerialized)
            {
                If (PICM)
                {
                    Return (PRTA)
                }
                Return (PRTP)
            }
            Name (PRTA, Package (0x10)
            {
                Package (0x04) { 0x0001FFFF, Zero, Zero, 16 },
                Package (0x04) { 0x0002FFFF, Zero, Zero, 17 },
                Package (0x04) { 0x0003FFFF, Zero, Zero, 18 },
                Package (0x04) { 0x0004FFFF, Zero, Zero, 19 },
                Package (0x04) { 0x0005FFFF, Zero, Zero, 16 },
                Package (0x04) { 0x0006FFFF, Zero, Zero, 17 },
                Package (0x04) { 0x0007FFFF, Zero, Zero, 18 },
                Package (0x04) { 0x0008FFFF, Zero, Zero, 19 },
                Package (0x04) { 0x0009FFFF, Zero, Zero, 16 },
                Package (0x04) { 0x000AFFFF, Zero, Zero, 17 },
                Package (0x04) { 0x000BFFFF, Zero, Zero, 18 },
                Package (0x04) { 0x000CFFFF, Zero, Zero, 19 },
                Package (0x04) { 0x000DFFFF, Zero, Zero, 16 },
                Package (0x04) { 0x000EFFFF, Zero, Zero, 17 },
                Package (0x04) { 0x000FFFFF, Zero, Zero, 18 },
                Package (0x04) { 0x0010FFFF, Zero, Zero, 19 }
            })
            Name (PRTP, Package (0x10)
            {
                Package (0x04) { 0x0001FFFF, Zero, Zero, 10 },
                Package (0x04) { 0x0002FFFF, Zero, Zero, 11 },
                Package (0x04) { 0x0003FFFF, Zero, Zero, 10 },
                Package (0x04) { 0x0004FFFF, Zero, Zero, 11 },
                Package (0x04) { 0x0005FFFF, Zero, Zero, 10 },
                Package (0x04) { 0x0006FFFF, Zero, Zero, 11 },
                Package (0x04) { 0x0007FFFF, Zero, Zero, 10 },
                Package (0x04) { 0x0008FFFF, Zero, Zero, 11 },
                Package (0x04) { 0x0009FFFF, Zero, Zero, 10 },
                Package (0x04) { 0x000AFFFF, Zero, Zero, 11 },
                Package (0x04) { 0x000BFFFF, Zero, Zero, 10 },
                Package (0x04) { 0x000CFFFF, Zero, Zero, 11 },
                Package (0x04) { 0x000DFFFF, Zero, Zero, 10 },
                Package (0x04) { 0x000EFFFF, Zero, Zero, 11 },
                Package (0x04) { 0x000FFFFF, Zero, Zero, 10 },
                Package (0x04) { 0x0010FFFF, Zero, Zero, 11 }
            })
        }

        Device (PIC)
        {
            Name (_HID, EisaId ("PNP0000"))
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0020, 0x0020, 0x01, 0x02)
                IO (Decode16, 0x00A0, 0x00A0, 0x01, 0x02)
                IO (Decode16, 0x04D0, 0x04D0, 0x01, 0x02)
                IRQNoFlags () {2}
            })
        }

        Device (TMR)
        {
            Name (_HID, EisaId ("PNP0100"))
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0040, 0x0040, 0x01, 0x04)
                IRQNoFlags () {0}
            })
        }

        Device (RTC)
        {
            Name (_HID, EisaId ("PNP0B00"))
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0070, 0x0070, 0x01, 0x02)
                IRQNoFlags () {8}
            })
        }

        Device (KBD)
        {
            Name (_HID, EisaId ("PNP0303"))
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0060, 0x0060, 0x01, 0x01)
                IO (Decode16, 0x0064, 0x0064, 0x01, 0x01)
                IRQNoFlags () {1}
            })
        }

        Device (COM1)
        {
            Name (_HID, EisaId ("PNP0501"))
            Name (_UID, One)
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08)
                IRQNoFlags () {4}
            })
        }

        /* Motherboard resources: the ACPI PM block and the debug-exit port. */
        Device (MBRS)
        {
            Name (_HID, EisaId ("PNP0C02"))
            Name (_UID, Zero)
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0600, 0x0600, 0x01, 0x0C)
                IO (Decode16, 0x00F4, 0x00F4, 0x01, 0x04)
            })
        }
    }
}
