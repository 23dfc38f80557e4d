// SPDX-License-Identifier: GPL-2.0
/* Domain XML with libxml2 (see domxml.h). */
#include <ctype.h>
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domxml.h"
#include "virtvmxd.h"

struct parse {
	struct domdef *def;
	int code;
	char *err;
	size_t errlen;
};

static int fail(struct parse *p, int code, const char *fmt, ...)
{
	va_list ap;

	p->code = code;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static bool is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* An attribute (malloc'ed) or NULL. */
static char *attr(const xmlNode *n, const char *name)
{
	return (char *)xmlGetProp(n, (const xmlChar *)name);
}

static bool attr_is(const xmlNode *n, const char *name, const char *want)
{
	char *v = attr(n, name);
	bool r = v && !strcmp(v, want);

	xmlFree(v);
	return r;
}

/* The element's text, trimmed (malloc'ed, never NULL unless out of memory). */
static char *text(const xmlNode *n)
{
	char *s = (char *)xmlNodeGetContent(n), *b, *e, *r;

	if (!s)
		return strdup("");
	for (b = s; isspace((unsigned char)*b); b++)
		;
	for (e = b + strlen(b); e > b && isspace((unsigned char)e[-1]); e--)
		;
	r = strndup(b, (size_t)(e - b));
	xmlFree(s);
	return r;
}

static xmlNode *child(const xmlNode *n, const char *name)
{
	for (xmlNode *c = n->children; c; c = c->next)
		if (is(c, name))
			return c;
	return NULL;
}

static char *child_attr(const xmlNode *n, const char *elem, const char *name)
{
	xmlNode *c = child(n, elem);

	return c ? attr(c, name) : NULL;
}

bool domxml_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > DOMXML_NAME_MAX || name[0] == '.' || name[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (name[i] == '/' || (unsigned char)name[i] < 0x20)
			return false;
	return true;
}

/* <memory unit='MiB'>512</memory> in KiB. */
static int parse_mem(struct parse *p, const xmlNode *n, unsigned long long *kib)
{
	static const struct { const char *unit; unsigned long long mul; } units[] = {
		{ "b", 1 }, { "bytes", 1 }, { "KB", 1000 }, { "k", 1024 }, { "KiB", 1024 },
		{ "MB", 1000000 }, { "M", 1 << 20 }, { "MiB", 1 << 20 }, { "GB", 1000000000 },
		{ "G", 1 << 30 }, { "GiB", 1 << 30 }, { "TB", 1000000000000ull },
		{ "T", 1ull << 40 }, { "TiB", 1ull << 40 },
	};
	char *u = attr(n, "unit"), *t = text(n), *end;
	unsigned long long v, mul = 0;
	int r = 0;

	errno = 0;
	v = strtoull(t ? t : "", &end, 10);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(u ? u : "KiB", units[i].unit))
			mul = units[i].mul;
	if (!t || !*t || *end || errno || !mul || v > (1ull << 50) / mul)
		r = fail(p, ERR_XML_ERROR, "<%s unit='%s'>%s</%s>: not a memory size", n->name,
			 u ? u : "KiB", t ? t : "", n->name);
	else
		*kib = v * mul / 1024;
	xmlFree(u);
	free(t);
	return r;
}

static int parse_os(struct parse *p, xmlNode *os)
{
	struct domdef *def = p->def;

	for (xmlNode *c = os->children; c; c = c->next) {
		char *v;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is(c, "type")) {
			char *arch = attr(c, "arch");
			int bad = 0;

			v = text(c);
			if (v && strcmp(v, "hvm"))
				bad = fail(p, ERR_CONFIG_UNSUPPORTED, "<os><type>%s</type>: only hvm guests run on vmxmon", v);
			else if (arch && strcmp(arch, "x86_64"))
				bad = fail(p, ERR_CONFIG_UNSUPPORTED, "<os><type arch='%s'>: only x86_64 guests run on vmxmon", arch);
			xmlFree(arch);
			free(v);
			if (bad)
				return -1;
		} else if (is(c, "kernel")) {
			free(def->kernel);
			def->kernel = text(c);
		} else if (is(c, "initrd")) {
			free(def->initrd);
			def->initrd = text(c);
		} else if (is(c, "cmdline")) {
			free(def->cmdline);
			def->cmdline = text(c);
		} else if (is(c, "loader") || is(c, "nvram")) {
			return fail(p, ERR_CONFIG_UNSUPPORTED,
				    "<os><%s>: vmxmon VMs have no firmware; vmxrun boots <kernel> directly",
				    c->name);
		}
		/* <boot>, <bootmenu>, <smbios>, ... are kept and have no effect. */
	}
	if (!def->kernel || !*def->kernel)
		return fail(p, ERR_CONFIG_UNSUPPORTED,
			    "<os>: no <kernel>: vmxmon VMs have no firmware, vmxrun boots a Linux or multiboot kernel directly (<kernel>/path/to/vmlinuz</kernel>)");
	if (def->kernel[0] != '/' || (def->initrd && def->initrd[0] != '/'))
		return fail(p, ERR_CONFIG_UNSUPPORTED, "<os>: <kernel> and <initrd> must be absolute paths");
	return 0;
}

static int parse_disk(struct parse *p, xmlNode *n)
{
	struct domdef *def = p->def;
	char *type = attr(n, "type"), *device = attr(n, "device"), *fmt, *bus;
	struct domdisk *dk;
	int r = 0;

	fmt = child_attr(n, "driver", "type");
	bus = child_attr(n, "target", "bus");
	if (device && strcmp(device, "disk"))
		r = fail(p, ERR_CONFIG_UNSUPPORTED, "unsupported device <disk device='%s'>: vmxmon VMs have virtio disks only (device='disk')", device);
	else if (type && strcmp(type, "file") && strcmp(type, "block"))
		r = fail(p, ERR_CONFIG_UNSUPPORTED, "unsupported device <disk type='%s'>: only type='file' or 'block' (a raw image or a block device)", type);
	else if (fmt && strcmp(fmt, "raw"))
		r = fail(p, ERR_CONFIG_UNSUPPORTED, "unsupported device <disk>: <driver type='%s'>: only raw images", fmt);
	else if (bus && strcmp(bus, "virtio"))
		r = fail(p, ERR_CONFIG_UNSUPPORTED, "unsupported device <disk>: <target bus='%s'>: only virtio", bus);
	else if (def->ndisks == DOMXML_MAX_DISKS)
		r = fail(p, ERR_CONFIG_UNSUPPORTED, "<disk>: at most %d disks", DOMXML_MAX_DISKS);
	if (!r) {
		dk = &def->disk[def->ndisks];
		dk->path = child_attr(n, "source", type && !strcmp(type, "block") ? "dev" : "file");
		dk->target = child_attr(n, "target", "dev");
		dk->readonly = child(n, "readonly") != NULL;
		def->ndisks++;
		if (!dk->path || dk->path[0] != '/')
			r = fail(p, ERR_XML_ERROR, "<disk>: <source %s='/absolute/path'> missing",
				 type && !strcmp(type, "block") ? "dev" : "file");
	}
	xmlFree(type);
	xmlFree(device);
	xmlFree(fmt);
	xmlFree(bus);
	return r;
}

static int parse_interface(struct parse *p, xmlNode *n)
{
	struct domdef *def = p->def;
	char *type = attr(n, "type"), *model = child_attr(n, "model", "type");
	struct domnic *nic;
	int r = 0;

	if (!type || (strcmp(type, "ethernet") && strcmp(type, "bridge")))
		r = fail(p, ERR_CONFIG_UNSUPPORTED, "unsupported device <interface type='%s'>: only type='ethernet' (a tap) or 'bridge'", type ? type : "");
	else if (model && strcmp(model, "virtio"))
		r = fail(p, ERR_CONFIG_UNSUPPORTED, "unsupported device <interface>: <model type='%s'>: only virtio", model);
	else if (def->nnics == DOMXML_MAX_NICS)
		r = fail(p, ERR_CONFIG_UNSUPPORTED, "<interface>: at most %d interfaces", DOMXML_MAX_NICS);
	if (!r) {
		nic = &def->nic[def->nnics++];
		nic->bridge = !strcmp(type, "bridge");
		nic->ifname = child_attr(n, "target", "dev");
		nic->mac = child_attr(n, "mac", "address");
		nic->brname = child_attr(n, "source", "bridge");
		if (nic->bridge && !nic->brname)
			r = fail(p, ERR_XML_ERROR, "<interface type='bridge'>: <source bridge='NAME'/> missing");
	}
	xmlFree(type);
	xmlFree(model);
	return r;
}

/* One element of <devices>. */
static int parse_device(struct parse *p, xmlNode *n)
{
	const char *name = (const char *)n->name;
	char *type;
	int r = 0;

	if (is(n, "emulator")) {
		free(p->def->emulator);
		p->def->emulator = text(n);
		return 0;
	}
	if (is(n, "disk"))
		return parse_disk(p, n);
	if (is(n, "interface"))
		return parse_interface(p, n);
	if (is(n, "serial") || is(n, "console"))
		return 0;	/* the UART at 0x3f8: the console stream */
	type = attr(n, "type");
	if (is(n, "memballoon") && attr_is(n, "model", "none"))
		r = 0;
	else if (is(n, "controller") && type && !strcmp(type, "pci") && attr_is(n, "model", "pci-root"))
		r = 0;		/* the host bridge vmxrun has */
	else if (is(n, "controller") && type && !strcmp(type, "usb") && attr_is(n, "model", "none"))
		r = 0;
	else if (is(n, "input") && type && !strcmp(type, "keyboard") && attr_is(n, "bus", "ps2"))
		r = 0;		/* the i8042 */
	else
		r = fail(p, ERR_CONFIG_UNSUPPORTED,
			 "unsupported device <%s%s%s%s>: vmxmon VMs have a serial console, virtio disks and virtio network interfaces (remove the element, or for virt-install: --graphics none --video none --sound none --memballoon none --rng none --controller usb,model=none)",
			 name, type ? " type='" : "", type ? type : "", type ? "'" : "");
	xmlFree(type);
	return r;
}

static int parse_root(struct parse *p, xmlNode *root)
{
	struct domdef *def = p->def;
	char *v;

	if (!is(root, "domain"))
		return fail(p, ERR_XML_ERROR, "expected a <domain> element, not <%s>", root->name);
	v = attr(root, "type");
	if (!v || strcmp(v, "kvm")) {
		fail(p, ERR_CONFIG_UNSUPPORTED, "<domain type='%s'>: vmxmon runs type='kvm' domains",
		     v ? v : "");
		xmlFree(v);
		return -1;
	}
	xmlFree(v);
	def->vcpus = 1;
	for (xmlNode *c = root->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is(c, "name")) {
			free(def->name);
			def->name = text(c);
		} else if (is(c, "uuid")) {
			v = text(c);
			if (!v || uuid_parse(v, def->uuid)) {
				fail(p, ERR_XML_ERROR, "<uuid>%s</uuid>: not a UUID", v ? v : "");
				free(v);
				return -1;
			}
			free(v);
		} else if (is(c, "memory")) {
			if (parse_mem(p, c, &def->mem_kib))
				return -1;
		} else if (is(c, "currentMemory")) {
			if (parse_mem(p, c, &def->cur_mem_kib))
				return -1;
		} else if (is(c, "vcpu")) {
			char *end;

			v = text(c);
			def->vcpus = (unsigned int)strtoul(v ? v : "", &end, 10);
			if (!v || !*v || *end || !def->vcpus || def->vcpus > DOMXML_MAX_VCPUS) {
				fail(p, ERR_XML_ERROR, "<vcpu>%s</vcpu>: not a vCPU count (1-%d)",
				     v ? v : "", DOMXML_MAX_VCPUS);
				free(v);
				return -1;
			}
			free(v);
		} else if (is(c, "os")) {
			if (parse_os(p, c))
				return -1;
		} else if (is(c, "on_reboot")) {
			v = text(c);
			def->reboot_destroys = v && !strcmp(v, "destroy");
			free(v);
		} else if (is(c, "devices")) {
			for (xmlNode *d = c->children; d; d = d->next)
				if (d->type == XML_ELEMENT_NODE && parse_device(p, d))
					return -1;
		}
		/* Anything else is kept as it is and shown by dumpxml. */
	}
	if (!def->name || !domxml_name_ok(def->name))
		return fail(p, ERR_XML_ERROR, "<name>%s</name>: %s", def->name ? def->name : "",
			    def->name ? "not a usable name (1-200 characters, no '/', not starting with '.' or '-')" : "missing");
	if (!def->mem_kib)
		return fail(p, ERR_XML_ERROR, "<memory> missing");
	if (def->mem_kib < 16 * 1024)
		return fail(p, ERR_CONFIG_UNSUPPORTED, "<memory>: %llu KiB is too small: a vmxmon VM needs at least 16 MiB",
			    def->mem_kib);
	if (!child(root, "os"))
		return fail(p, ERR_CONFIG_UNSUPPORTED, "<os> missing: vmxrun needs <os><kernel>");
	if (!def->cur_mem_kib || def->cur_mem_kib > def->mem_kib)
		def->cur_mem_kib = def->mem_kib;
	return 0;
}

static void silent(void *ctx, const xmlError *e)
{
	(void)ctx, (void)e;
}

struct domdef *domxml_parse(const char *xml, int *code, char *err, size_t errlen)
{
	struct domdef *def = calloc(1, sizeof(*def));
	struct parse p = { def, ERR_XML_ERROR, err, errlen };
	bool have_uuid = false;
	xmlDoc *doc;
	xmlNode *root;

	if (!def) {
		snprintf(err, errlen, "out of memory");
		*code = ERR_INTERNAL_ERROR;
		return NULL;
	}
	xmlSetStructuredErrorFunc(NULL, (xmlStructuredErrorFunc)silent);
	doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	if (!doc) {
		const xmlError *e = xmlGetLastError();

		snprintf(err, errlen, "(domain_definition):%d: %s", e ? e->line : 0,
			 e && e->message ? e->message : "not well-formed XML\n");
		err[strcspn(err, "\n")] = 0;
		*code = ERR_XML_ERROR;
		free(def);
		return NULL;
	}
	def->doc = doc;
	root = xmlDocGetRootElement(doc);
	if (!root) {
		fail(&p, ERR_XML_ERROR, "empty document");
		goto bad;
	}
	have_uuid = child(root, "uuid") != NULL;
	if (parse_root(&p, root))
		goto bad;
	if (!have_uuid) {
		char u[37];
		xmlNode *n, *name = child(root, "name");

		uuid_generate(def->uuid);
		uuid_format(def->uuid, u);
		n = xmlNewNode(NULL, (const xmlChar *)"uuid");
		xmlNodeSetContent(n, (const xmlChar *)u);
		if (name)
			xmlAddNextSibling(name, n);
		else
			xmlAddChild(root, n);
	}
	return def;
bad:
	*code = p.code;
	domxml_free(def);
	return NULL;
}

void domxml_free(struct domdef *def)
{
	if (!def)
		return;
	xmlFreeDoc(def->doc);
	free(def->name);
	free(def->kernel);
	free(def->initrd);
	free(def->cmdline);
	free(def->emulator);
	for (int i = 0; i < def->ndisks; i++) {
		xmlFree(def->disk[i].path);
		xmlFree(def->disk[i].target);
	}
	for (int i = 0; i < def->nnics; i++) {
		xmlFree(def->nic[i].ifname);
		xmlFree(def->nic[i].mac);
		xmlFree(def->nic[i].brname);
	}
	free(def);
}

char *domxml_format(const struct domdef *def, int id)
{
	xmlNode *root = xmlDocGetRootElement(def->doc), *copy;
	xmlBuffer *buf = xmlBufferCreate();
	char *out = NULL, ids[16];

	if (!buf || !root)
		return strdup("");
	copy = xmlCopyNode(root, 1);
	if (copy && id >= 0) {
		snprintf(ids, sizeof(ids), "%d", id);
		xmlSetProp(copy, (const xmlChar *)"id", (const xmlChar *)ids);
	}
	if (copy && xmlNodeDump(buf, def->doc, copy, 0, 1) >= 0)
		if (asprintf(&out, "%s\n", (const char *)xmlBufferContent(buf)) < 0)
			out = NULL;
	xmlFreeNode(copy);
	xmlBufferFree(buf);
	return out ? out : strdup("");
}

char *caps_xml(const char *emulator)
{
	char *out;

	if (asprintf(&out,
		     "<capabilities>\n"
		     "  <host>\n"
		     "    <cpu>\n"
		     "      <arch>x86_64</arch>\n"
		     "    </cpu>\n"
		     "    <power_management/>\n"
		     "    <iommu support='no'/>\n"
		     "    <migration_features/>\n"
		     "  </host>\n"
		     "  <guest>\n"
		     "    <os_type>hvm</os_type>\n"
		     "    <arch name='x86_64'>\n"
		     "      <wordsize>64</wordsize>\n"
		     "      <emulator>%s</emulator>\n"
		     "      <machine maxCpus='%d'>pc</machine>\n"
		     "      <domain type='kvm'/>\n"
		     "    </arch>\n"
		     "    <features>\n"
		     "      <acpi default='on' toggle='no'/>\n"
		     "      <apic default='on' toggle='no'/>\n"
		     "    </features>\n"
		     "  </guest>\n"
		     "</capabilities>\n", emulator, DOMXML_MAX_VCPUS) < 0)
		return strdup("");
	return out;
}

char *domcaps_xml(const char *emulator)
{
	char *out;

	if (asprintf(&out,
		     "<domainCapabilities>\n"
		     "  <path>%s</path>\n"
		     "  <domain>kvm</domain>\n"
		     "  <machine>pc</machine>\n"
		     "  <arch>x86_64</arch>\n"
		     "  <vcpu max='%d'/>\n"
		     "  <iothreads supported='no'/>\n"
		     "  <os supported='yes'>\n"
		     "    <loader supported='no'/>\n"
		     "  </os>\n"
		     "  <cpu>\n"
		     "    <mode name='host-passthrough' supported='no'/>\n"
		     "    <mode name='maximum' supported='no'/>\n"
		     "    <mode name='host-model' supported='no'/>\n"
		     "    <mode name='custom' supported='no'/>\n"
		     "  </cpu>\n"
		     "  <memoryBacking supported='no'/>\n"
		     "  <devices>\n"
		     "    <disk supported='yes'>\n"
		     "      <enum name='diskDevice'>\n"
		     "        <value>disk</value>\n"
		     "      </enum>\n"
		     "      <enum name='bus'>\n"
		     "        <value>virtio</value>\n"
		     "      </enum>\n"
		     "      <enum name='model'/>\n"
		     "    </disk>\n"
		     "    <graphics supported='no'/>\n"
		     "    <video supported='no'/>\n"
		     "    <hostdev supported='no'/>\n"
		     "    <rng supported='no'/>\n"
		     "    <filesystem supported='no'/>\n"
		     "    <tpm supported='no'/>\n"
		     "    <redirdev supported='no'/>\n"
		     "    <channel supported='no'/>\n"
		     "    <crypto supported='no'/>\n"
		     "  </devices>\n"
		     "  <features>\n"
		     "    <gic supported='no'/>\n"
		     "    <vmcoreinfo supported='no'/>\n"
		     "    <genid supported='no'/>\n"
		     "    <backingStoreInput supported='no'/>\n"
		     "    <backup supported='no'/>\n"
		     "    <sev supported='no'/>\n"
		     "  </features>\n"
		     "</domainCapabilities>\n", emulator, DOMXML_MAX_VCPUS) < 0)
		return strdup("");
	return out;
}
