// SPDX-License-Identifier: GPL-2.0
/*
 * Host checks (no device) of the one capability table, include/uapi/vmxmon_caps.h: it covers
 * every KVM_CAP_* of the <linux/kvm.h> we build against, each with a reason; the list in
 * include/uapi/vmxmon.h and README.md's table say what it says. (dev_test checks that the
 * device answers it.) Paths are relative to selftests/, where `make check` runs this;
 * VMXMON_SRC overrides the source tree's top.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uapi/vmxmon_caps.h>

#include "harness.h"
#include "util.h"
#include "../userspace/vm/caps.h"

#define README_BEGIN	"<!-- caps: "
#define README_END	"<!-- /caps -->"

static char file_buf[1 << 20];

static const char *src_path(char *buf, size_t len, const char *rel)
{
	const char *top = getenv("VMXMON_SRC");

	snprintf(buf, len, "%s/%s", top ? top : "..", rel);
	return buf;
}

static const struct vmxmon_cap *cap_by_name(const char *name)
{
	for (size_t i = 0; i < vmxmon_caps_count; i++)
		if (!strcmp(vmxmon_caps[i].name, name))
			return &vmxmon_caps[i];
	return NULL;
}

/* vmxmon's own capabilities (include/uapi/vmxmon.h): named VMXMON_CAP_*, numbered from
 * VMXMON_CAP_BASE. */
static size_t vmxmon_own_caps(void)
{
	size_t n = 0;

	for (size_t i = 0; i < vmxmon_caps_count; i++)
		n += !strncmp(vmxmon_caps[i].name, "VMXMON_CAP_", 11) &&
		     vmxmon_caps[i].cap >= VMXMON_CAP_BASE;
	return n;
}

TEST_HOST(caps_table_covers_every_capability_of_linux_kvm_h)
{
	const char *cc = getenv("CC");
	char cmd[256], line[512], name[128];
	size_t n = 0;
	unsigned int num;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s -E -dM -include linux/kvm.h -x c /dev/null",
		 cc && *cc ? cc : "cc");
	p = popen(cmd, "r");
	ASSERT_TRUE(p != NULL);
	while (fgets(line, sizeof(line), p)) {
		const struct vmxmon_cap *c;

		if (sscanf(line, "#define %127s %u", name, &num) != 2 ||
		    strncmp(name, "KVM_CAP_", 8))
			continue;
		n++;
		c = cap_by_name(name);
		if (!c)
			t_fail(t, __FILE__, __LINE__, "%s (%u) is not in the table", name, num);
		else if (c->cap != num)
			t_fail(t, __FILE__, __LINE__, "%s: %u in the header, %u in the table", name,
			       num, c->cap);
	}
	EXPECT_EQ(pclose(p), 0);
	EXPECT_GT(n, 200);			/* 6.1 has 218 */
	/* and nothing the header lacks, but vmxmon's own (VMXMON_CAP_*, above them all) */
	EXPECT_EQ(vmxmon_caps_count, n + vmxmon_own_caps());
}

TEST_HOST(caps_table_has_one_entry_and_a_reason_per_capability)
{
	for (size_t i = 0; i < vmxmon_caps_count; i++) {
		const struct vmxmon_cap *c = &vmxmon_caps[i];

		if (strlen(c->reason) < 8)
			t_fail(t, __FILE__, __LINE__, "%s: no reason given", c->name);
		if (c->answer < 0 && c->answer != VMXMON_CAP_HOST_XSAVE &&
		    c->answer != VMXMON_CAP_ONLINE_CPUS)
			t_fail(t, __FILE__, __LINE__, "%s: answer %ld", c->name, c->answer);
		if (i && c->cap <= vmxmon_caps[i - 1].cap)
			t_fail(t, __FILE__, __LINE__, "%s: not in number order (or twice)",
			       c->name);
	}
}

static size_t nonzero_count(void)
{
	size_t n = 0;

	for (size_t i = 0; i < vmxmon_caps_count; i++)
		n += vmxmon_caps[i].answer != 0;
	return n;
}

/*
 * include/uapi/vmxmon.h: "nonzero exactly for: A, B (remark), C (N; ...)": the names without
 * the KVM_CAP_ prefix, remarks in parentheses, ending at "(N;".
 */
TEST_HOST(uapi_header_lists_exactly_the_nonzero_capabilities)
{
	char path[4096], words[8192] = "", *p, *end, *tok, *save;
	size_t listed = 0;
	unsigned int count = 0;
	int depth = 0;

	ASSERT_EQ(read_file(src_path(path, sizeof(path), "include/uapi/vmxmon.h"), file_buf,
			    sizeof(file_buf)), 0);
	p = strstr(file_buf, "nonzero exactly for:");
	ASSERT_TRUE(p != NULL);
	p += strlen("nonzero exactly for:");
	/* Join the comment lines, dropping " * " and remarks in parentheses. */
	for (end = words; *p && end < words + sizeof(words) - 1; p++) {
		if (*p == '(' && depth == 0 && isdigit((unsigned char)p[1])) {
			sscanf(p + 1, "%u", &count);
			break;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (!depth && *p != '*' && *p != '\n')
			*end++ = *p;
	}
	*end = 0;
	EXPECT_EQ(count, nonzero_count());
	for (tok = strtok_r(words, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		char name[128];
		const struct vmxmon_cap *c;

		/* vmxmon's own capabilities are listed by their full name. */
		if (!strncmp(tok, "VMXMON_CAP_", 11))
			snprintf(name, sizeof(name), "%s", tok);
		else
			snprintf(name, sizeof(name), "KVM_CAP_%s", tok);
		c = cap_by_name(name);
		listed++;
		if (!c)
			t_fail(t, __FILE__, __LINE__, "vmxmon.h lists %s: no such capability", name);
		else if (!c->answer)
			t_fail(t, __FILE__, __LINE__, "vmxmon.h lists %s, which is 0: %s", name,
			       c->reason);
	}
	EXPECT_EQ(listed, nonzero_count());
}

/* README.md's table: one row per nonzero capability, exactly as this prints them. */
static int readme_row(char *buf, size_t len, const struct vmxmon_cap *c)
{
	char answer[64];

	if (c->answer == VMXMON_CAP_HOST_XSAVE)
		snprintf(answer, sizeof(answer), "1 (0 without XSAVE in the host)");
	else if (c->answer == VMXMON_CAP_ONLINE_CPUS)
		snprintf(answer, sizeof(answer), "online CPUs, at most %d", VMXMON_MAX_VCPUS);
	else
		snprintf(answer, sizeof(answer), "%ld", c->answer);
	return snprintf(buf, len, "| `%s` | %s | %s |\n", c->name, answer, c->reason);
}

TEST_HOST(readme_capability_table_matches_the_caps_table)
{
	char path[4096], want[16384], *w = want, *begin, *end;

	ASSERT_EQ(read_file(src_path(path, sizeof(path), "README.md"), file_buf,
			    sizeof(file_buf)), 0);
	w += snprintf(w, sizeof(want), "| capability | answer | why |\n|---|---|---|\n");
	for (size_t i = 0; i < vmxmon_caps_count; i++)
		if (vmxmon_caps[i].answer)
			w += readme_row(w, want + sizeof(want) - w, &vmxmon_caps[i]);
	begin = strstr(file_buf, README_BEGIN);
	if (!begin) {
		t_fail(t, __FILE__, __LINE__,
		       "README.md has no table between \"%s...-->\" and \"%s\"; it would be:",
		       README_BEGIN, README_END);
		for (char *l = strtok(want, "\n"); l; l = strtok(NULL, "\n"))
			t_log(t, "%s", l);
		t_abort(t);
	}
	begin = strchr(begin, '\n');
	end = strstr(file_buf, README_END);
	ASSERT_TRUE(begin && end && end > begin);
	*end = 0;
	if (strcmp(begin + 1, want)) {
		t_fail(t, __FILE__, __LINE__, "README.md's capability table differs; it should be:");
		for (char *l = strtok(want, "\n"); l; l = strtok(NULL, "\n"))
			t_log(t, "%s", l);
	}
}
