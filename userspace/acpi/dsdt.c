// SPDX-License-Identifier: GPL-2.0
/* The DSDT's AML, compiled from acpi/dsdt.asl by iasl -tc (see the Makefile). */
#include "acpi.h"
#include "dsdt.hex"

const unsigned char *const acpi_dsdt_aml = dsdt_aml_code;
const size_t acpi_dsdt_aml_len = sizeof(dsdt_aml_code);
