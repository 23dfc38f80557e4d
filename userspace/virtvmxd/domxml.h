/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Domain XML (libvirt's format) with libxml2. The whole document is kept, so elements
 * virtvmxd does not interpret (<metadata>, <clock>, <features>, <on_crash>, ...) come back
 * from dumpxml as they were given; devices it cannot provide are refused by name.
 */
#ifndef VIRTVMXD_DOMXML_H
#define VIRTVMXD_DOMXML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DOMXML_MAX_VCPUS	254
#define DOMXML_MAX_DISKS	16
#define DOMXML_MAX_NICS		8
#define DOMXML_NAME_MAX		200

struct domdisk {
	char *path;		/* <source file=/dev=> */
	char *target;		/* <target dev=>, e.g. vda */
	bool readonly;
};

struct domnic {
	bool bridge;		/* type='bridge' (else 'ethernet': a tap) */
	char *ifname;		/* <target dev=> */
	char *mac;		/* <mac address=> */
	char *brname;		/* <source bridge=> */
};

struct domdef {
	void *doc;		/* xmlDocPtr: the document as given (uuid filled in) */
	char *name;
	uint8_t uuid[16];
	unsigned long long mem_kib, cur_mem_kib;
	unsigned int vcpus;
	char *kernel, *initrd, *cmdline, *emulator;
	bool reboot_destroys;	/* <on_reboot>destroy</on_reboot> */
	struct domdisk disk[DOMXML_MAX_DISKS];
	int ndisks;
	struct domnic nic[DOMXML_MAX_NICS];
	int nnics;
};

/*
 * Parse and check a definition; NULL with a message in err (*code: the libvirt error
 * number: XML_ERROR, CONFIG_UNSUPPORTED, ...). A missing <uuid> is generated.
 */
struct domdef *domxml_parse(const char *xml, int *code, char *err, size_t errlen);
void domxml_free(struct domdef *def);
/* The document as text (malloc'ed); id >= 0 adds id='N' as libvirt shows running domains. */
char *domxml_format(const struct domdef *def, int id);
/* Whether a name can be a domain's (it becomes a file name). */
bool domxml_name_ok(const char *name);

char *caps_xml(const char *emulator);
char *domcaps_xml(const char *emulator);

#endif
