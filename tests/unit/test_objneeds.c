// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * lib/objneeds.c on the objects tests/bpf/ builds (clang -target bpf):
 * exactly the expected sets, each item with a reason; and bad input, each
 * refused with one clear line and no crash.  The same sets are seen to be
 * sufficient and minimal for the real libbpf 1.5 loader in
 * tests/cli/suggest.bats.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/bpf.h>

#include <bpf/libbpf.h>

#include "objneeds.h"

#include "testutil.h"

#define B(x) (1ull << (x))
#define TCX_INGRESS 46 /* enum bpf_attach_type, 6.6+ (not in 6.1 UAPI) */

static char objdir[PATH_MAX];

static int find_objects(void **state)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	(void)state;
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	/* build/tests/unit/test_objneeds -> build/tests/bpf */
	snprintf(objdir, sizeof(objdir), "%s/../bpf", dirname(exe));
	return 0;
}

static void need_object(const char *name, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", objdir, name);
	if (access(path, R_OK) != 0)
		bpfd_skip("no %s (make builds tests/bpf/ with clang)", path);
}

struct expect {
	const char *obj;
	uint64_t mask[BPFD_NKINDS];
};

static const struct expect expected[] = {
    {"xdp.bpf.o",
     {B(BPF_MAP_CREATE) | B(BPF_PROG_LOAD) | B(BPF_BTF_LOAD),
      B(BPF_MAP_TYPE_ARRAY),
      B(BPF_PROG_TYPE_XDP) | B(BPF_PROG_TYPE_SOCKET_FILTER),
      B(BPF_CGROUP_INET_INGRESS)}},
    {"tc.bpf.o",
     {B(BPF_MAP_CREATE) | B(BPF_PROG_LOAD) | B(BPF_BTF_LOAD),
      B(BPF_MAP_TYPE_HASH),
      B(BPF_PROG_TYPE_SCHED_CLS) | B(BPF_PROG_TYPE_SOCKET_FILTER),
      B(BPF_CGROUP_INET_INGRESS) | B(TCX_INGRESS)}},
    {"trace.bpf.o",
     {B(BPF_MAP_CREATE) | B(BPF_PROG_LOAD) | B(BPF_BTF_LOAD),
      B(BPF_MAP_TYPE_RINGBUF) | B(BPF_MAP_TYPE_ARRAY),
      B(BPF_PROG_TYPE_TRACEPOINT) | B(BPF_PROG_TYPE_RAW_TRACEPOINT) |
	  B(BPF_PROG_TYPE_KPROBE) | B(BPF_PROG_TYPE_SOCKET_FILTER),
      B(BPF_CGROUP_INET_INGRESS)}},
    {"cgroup.bpf.o",
     {B(BPF_PROG_LOAD) | B(BPF_BTF_LOAD), 0,
      B(BPF_PROG_TYPE_CGROUP_SKB) | B(BPF_PROG_TYPE_CGROUP_SOCK) |
	  B(BPF_PROG_TYPE_CGROUP_SOCK_ADDR) | B(BPF_PROG_TYPE_SOCKET_FILTER),
      B(BPF_CGROUP_INET_INGRESS) | B(BPF_CGROUP_INET_EGRESS) |
	  B(BPF_CGROUP_INET_SOCK_CREATE) | B(BPF_CGROUP_INET4_CONNECT)}},
    {"mapinmap.bpf.o",
     {B(BPF_MAP_CREATE) | B(BPF_PROG_LOAD) | B(BPF_BTF_LOAD),
      B(BPF_MAP_TYPE_ARRAY_OF_MAPS) | B(BPF_MAP_TYPE_HASH),
      B(BPF_PROG_TYPE_SOCKET_FILTER), B(BPF_CGROUP_INET_INGRESS)}},
    {"nobtf.bpf.o",
     {B(BPF_PROG_LOAD), 0, B(BPF_PROG_TYPE_SOCKET_FILTER),
      B(BPF_CGROUP_INET_INGRESS)}},
};

static void test_expected_sets(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		const struct expect *x = &expected[i];
		struct bpfd_needs n = {0};
		struct bpfd_error e = {0};
		char path[PATH_MAX + 64];

		need_object(x->obj, path, sizeof(path));
		assert_int_equal(bpfd_objneeds_file(path, &n, &e), 0);
		for (int k = 0; k < BPFD_NKINDS; k++) {
			if (n.deleg.mask[k] != x->mask[k])
				fail_msg("%s: %s 0x%llx, expected 0x%llx",
					 x->obj,
					 bpfd_kind_name((enum bpfd_kind)k),
					 (unsigned long long)n.deleg.mask[k],
					 (unsigned long long)x->mask[k]);
		}
		/* one item per bit, each with a reason */
		size_t bits = 0;
		for (int k = 0; k < BPFD_NKINDS; k++)
			bits += (size_t)__builtin_popcountll(x->mask[k]);
		assert_int_equal(n.n, bits);
		for (size_t j = 0; j < n.n; j++)
			assert_true(n.items[j].reason[0] != '\0');
		bpfd_needs_free(&n);
	}
}

/* The reasons name the program, its section and libbpf's probes. */
static void test_reasons(void **state)
{
	struct bpfd_needs n = {0};
	char path[PATH_MAX + 64];
	bool xdp = false, probe = false, attach0 = false;

	(void)state;
	need_object("xdp.bpf.o", path, sizeof(path));
	assert_int_equal(bpfd_objneeds_file(path, &n, NULL), 0);
	for (size_t j = 0; j < n.n; j++) {
		const struct bpfd_need *it = &n.items[j];

		if (it->kind == BPFD_PROGS && it->value == BPF_PROG_TYPE_XDP)
			xdp = strcmp(it->reason, "program 'xdp_count' "
						 "(SEC(\"xdp\"))") == 0;
		if (it->kind == BPFD_PROGS &&
		    it->value == BPF_PROG_TYPE_SOCKET_FILTER)
			probe = strstr(it->reason, "libbpf's first load");
		if (it->kind == BPFD_ATTACHS && it->value == 0)
			attach0 = strstr(it->reason, "expected_attach_type 0");
	}
	assert_true(xdp && probe && attach0);
	bpfd_needs_free(&n);
}

/* Several objects add up into one set, no item twice. */
static void test_two_objects(void **state)
{
	struct bpfd_needs n = {0};
	char a[PATH_MAX + 64], b[PATH_MAX + 64];

	(void)state;
	need_object("xdp.bpf.o", a, sizeof(a));
	need_object("tc.bpf.o", b, sizeof(b));
	assert_int_equal(bpfd_objneeds_file(a, &n, NULL), 0);
	assert_int_equal(bpfd_objneeds_file(b, &n, NULL), 0);
	assert_true(n.deleg.mask[BPFD_MAPS] ==
		    (B(BPF_MAP_TYPE_ARRAY) | B(BPF_MAP_TYPE_HASH)));
	assert_true(n.deleg.mask[BPFD_PROGS] ==
		    (B(BPF_PROG_TYPE_XDP) | B(BPF_PROG_TYPE_SCHED_CLS) |
		     B(BPF_PROG_TYPE_SOCKET_FILTER)));
	assert_int_equal(n.n, 3 + 2 + 3 + 2);
	bpfd_needs_free(&n);
}

static void expect_refused(const void *buf, size_t len, int err,
			   const char *detail)
{
	struct bpfd_needs n = {0};
	struct bpfd_error e = {0};

	assert_int_equal(bpfd_objneeds_mem(buf, len, "t", &n, &e), -err);
	assert_true(e.refused);
	if (!strstr(e.detail, detail))
		fail_msg("detail '%s' lacks '%s'", e.detail, detail);
	assert_null(strchr(e.detail, '\n'));
	assert_int_equal(n.n, 0);
	bpfd_needs_free(&n);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = malloc(1 << 20);

	assert_non_null(f);
	assert_non_null(b);
	*len = fread(b, 1, 1 << 20, f);
	fclose(f);
	return b;
}

static void test_bad_memory(void **state)
{
	unsigned char hdr[64] = {0x7f, 'E', 'L', 'F', ELFCLASS32, 1, 1};
	char path[PATH_MAX + 64];
	unsigned char *b, *self;
	size_t len, slen;

	(void)state;
	expect_refused("", 0, ENOEXEC, "empty file");
	expect_refused("#!/bin/sh\necho hi\n", 18, ENOEXEC, "not an ELF file");
	expect_refused(hdr, 10, EINVAL, "shorter than an ELF header");
	expect_refused(hdr, sizeof(hdr), ENOEXEC, "32-bit ELF");
	hdr[EI_CLASS] = ELFCLASS64;
	hdr[EI_DATA] = ELFDATA2MSB;
	expect_refused(hdr, sizeof(hdr), ENOEXEC, "big-endian");
	/* this test program: an ELF file, but x86-64 */
	self = slurp("/proc/self/exe", &slen);
	expect_refused(self, slen, ENOEXEC, "an ELF file for x86-64");
	free(self);

	need_object("xdp.bpf.o", path, sizeof(path));
	b = slurp(path, &len);
	/* truncated at every 97th byte: refused, never a crash */
	for (size_t cut = 0; cut < len; cut += 97) {
		struct bpfd_needs n = {0};
		struct bpfd_error e = {0};
		int r = bpfd_objneeds_mem(b, cut, "t", &n, &e);

		assert_true(r == -EINVAL || r == -ENOEXEC);
		assert_true(e.refused && e.detail[0]);
		bpfd_needs_free(&n);
	}
	expect_refused(b, len / 2, EINVAL, "truncated");
	/* section headers past the end */
	((Elf64_Ehdr *)b)->e_shoff = len;
	expect_refused(b, len, EINVAL, "truncated: its section headers");
	/* not a relocatable object */
	((Elf64_Ehdr *)b)->e_type = ET_EXEC;
	expect_refused(b, len, ENOEXEC, "not a relocatable object");
	free(b);
	expect_refused(hdr, BPFD_OBJ_MAX_SIZE + 1ul, EFBIG, "larger than");
}

static void test_no_program(void **state)
{
	char path[PATH_MAX + 64];
	struct bpfd_needs n = {0};
	struct bpfd_error e = {0};

	(void)state;
	need_object("noprog.bpf.o", path, sizeof(path));
	assert_int_equal(bpfd_objneeds_file(path, &n, &e), -EINVAL);
	assert_string_equal(e.detail, "no BPF program libbpf would load in it");
	bpfd_needs_free(&n);
}

/* libbpf 1.1 crashes on this input (found by tests/fuzz/fuzz_objneeds.c):
 * the isolated reader turns the crash into an error; the same call in the
 * same process would kill the test. */
static void test_libbpf_crash_isolated(void **state)
{
	char path[PATH_MAX + 64];
	struct bpfd_needs n = {0};
	struct bpfd_error e = {0};
	unsigned char *b;
	size_t len;
	int r;

	(void)state;
	snprintf(path, sizeof(path),
		 "%.3000s/../../../tests/bpf/libbpf11-crash.elf", objdir);
	if (access(path, R_OK) != 0)
		bpfd_skip("no %.200s", path);
	b = slurp(path, &len);
	assert_int_equal(bpfd_objneeds_check_elf(b, len, &e), 0);
	r = bpfd_objneeds_isolated(b, len, "t", &n, &e);
	if (libbpf_major_version() == 1 && libbpf_minor_version() == 1) {
		assert_int_equal(r, -EINVAL);
		assert_non_null(strstr(e.detail, "libbpf crashed reading it "
						 "(signal 11"));
	} else {
		assert_true(r <= 0); /* a fixed libbpf: anything but a crash */
	}
	assert_true(r == 0 || e.refused);
	bpfd_needs_free(&n);
	free(b);
	/* the isolated reader gives what the in-process one gives */
	need_object("cgroup.bpf.o", path, sizeof(path));
	b = slurp(path, &len);
	struct bpfd_needs m = {0};
	assert_int_equal(bpfd_objneeds_isolated(b, len, "t", &n, NULL), 0);
	assert_int_equal(bpfd_objneeds_mem(b, len, "t", &m, NULL), 0);
	assert_int_equal(n.n, m.n);
	assert_memory_equal(&n.deleg, &m.deleg, sizeof(n.deleg));
	for (size_t i = 0; i < n.n; i++)
		assert_memory_equal(&n.items[i], &m.items[i],
				    sizeof(n.items[i]));
	bpfd_needs_free(&n);
	bpfd_needs_free(&m);
	free(b);
}

static void test_bad_files(void **state)
{
	char dir[] = "/tmp/bpfd-objneeds-XXXXXX", p[PATH_MAX];
	struct bpfd_needs n = {0};
	struct bpfd_error e = {0};
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/missing.o", dir);
	assert_int_equal(bpfd_objneeds_file(p, &n, &e), -ENOENT);
	assert_non_null(strstr(e.detail, "No such file"));
	memset(&e, 0, sizeof(e));
	assert_int_equal(bpfd_objneeds_file(dir, &n, &e), -EISDIR);
	assert_string_equal(e.detail, "a directory, not a BPF object");
	/* a FIFO: refused at once, never a hang */
	snprintf(p, sizeof(p), "%s/fifo", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	memset(&e, 0, sizeof(e));
	assert_int_equal(bpfd_objneeds_file(p, &n, &e), -EINVAL);
	assert_non_null(strstr(e.detail, "not a regular file"));
	unlink(p);
	/* huge (sparse): refused before reading */
	snprintf(p, sizeof(p), "%s/huge.o", dir);
	fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)BPFD_OBJ_MAX_SIZE + 1), 0);
	close(fd);
	memset(&e, 0, sizeof(e));
	assert_int_equal(bpfd_objneeds_file(p, &n, &e), -EFBIG);
	assert_non_null(strstr(e.detail, "larger than 64 MiB"));
	unlink(p);
	rmdir(dir);
	assert_int_equal(n.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_expected_sets),
	    cmocka_unit_test(test_reasons),
	    cmocka_unit_test(test_two_objects),
	    cmocka_unit_test(test_bad_memory),
	    cmocka_unit_test(test_no_program),
	    cmocka_unit_test(test_libbpf_crash_isolated),
	    cmocka_unit_test(test_bad_files),
	};
	return cmocka_run_group_tests(tests, find_objects, NULL);
}
