// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: the policy grammar of lib/policy.c.  The input is
 * written as the policy file of a private directory (made root-owned and
 * 0755 once; what comes before a line "---" goes to presets.d/a), loaded
 * with the built-in names, and a few requests are decided.  An error
 * always names FILE:LINE or the path, in one line; a verdict's reason is
 * one line and non-empty exactly when refused.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "policy.h"

static char dir[64];
static struct bpfd_names *names;

static void put(const char *rel, const uint8_t *data, size_t size)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, data, size) == (ssize_t)size);
	close(fd);
}

/* The directory goes when the fuzzer exits (libFuzzer calls exit()). */
static void cleanup(void)
{
	static const char *const rel[] = {"policy", "presets.d/a", "presets.d",
					  ""};
	char path[128];

	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, rel[i]);
		if (remove(path) < 0 && errno != ENOENT)
			perror(path);
	}
}

static void init(void)
{
	char path[128];

	snprintf(dir, sizeof(dir), "/tmp/bpfd-fuzz-policy.XXXXXX");
	FUZZ_CHECK(mkdtemp(dir) != NULL);
	FUZZ_CHECK(chmod(dir, 0755) == 0);
	snprintf(path, sizeof(path), "%s/presets.d", dir);
	FUZZ_CHECK(mkdir(path, 0755) == 0);
	atexit(cleanup);
	FUZZ_CHECK(bpfd_names_load(&names, NULL, BPFD_NAMES_NO_BTF, NULL) == 0);
}

static void decide_some(const struct bpfd_policy *p)
{
	struct bpfd_subject u = {.kind = BPFD_SUBJECT_USER,
				 .uid = 1,
				 .gid = 1,
				 .groups = {0, 2},
				 .ngroups = 2};
	struct bpfd_subject c = {.kind = BPFD_SUBJECT_CONTAINER,
				 .oci_id = "ci-1",
				 .bundle = "/srv/b"};
	struct bpfd_request q = {.cmd = BPFD_POLICY_ATTACH,
				 .target = "/sys/fs/bpf"};
	struct bpfd_verdict v;

	for (int i = 0; i < 3; i++) {
		int r;

		q.deleg.mask[i] = i == 0 ? BPFD_MASK_ANY : 0x16;
		r = bpfd_policy_decide(p, i == 1 ? &c : &u, &q, &v);
		FUZZ_CHECK(r == 0 || r == -EACCES);
		FUZZ_CHECK((r == 0) == v.allowed);
		FUZZ_CHECK((r == 0) == !v.reason[0]);
		FUZZ_CHECK(!strchr(v.reason, '\n'));
		q.cmd = BPFD_POLICY_RUN;
		q.netns_host = true;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep = NULL;
	struct bpfd_policy *p = NULL;
	struct bpfd_error e = {0};
	int r;

	if (!dir[0])
		init();
	for (size_t i = 0; i + 5 <= size; i++)
		if (memcmp(data + i, "\n---\n", 5) == 0) {
			sep = data + i;
			break;
		}
	put("presets.d/a", data, sep ? (size_t)(sep - data) + 1 : 0);
	if (sep) {
		size -= (size_t)(sep - data) + 5;
		data = sep + 5;
	}
	put("policy", data, size);
	r = bpfd_policy_load(dir, names, &p, &e);
	if (r < 0) {
		FUZZ_CHECK(p == NULL);
		FUZZ_CHECK(e.detail[0] && !strchr(e.detail, '\n'));
		FUZZ_CHECK(strncmp(e.detail, dir, strlen(dir)) == 0 ||
			   r == -ENOMEM || geteuid() != 0);
		return 0;
	}
	FUZZ_CHECK(bpfd_policy_nfiles(p) == 1);
	decide_some(p);
	bpfd_policy_free(p);
	return 0;
}
