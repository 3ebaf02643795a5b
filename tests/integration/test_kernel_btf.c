// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The running kernel's BTF (/sys/kernel/btf/vmlinux): the streaming reader
 * against libbpf on the real 5-6 MB file, its cuts, and the names it gives
 * against the built-in table and the recorded kernels of
 * tests/kernel_enums.h.  The unit tests run the same checks on recorded
 * kernels only, so that they pass on any kernel (tests/unit/test_names.c,
 * test_btf_enums.c); what depends on the running kernel is here.
 */
#include <errno.h>
#include <fcntl.h>

#include "btf_checks.h"
#include "names_fixture.h"
#include "testutil.h"

#define VMLINUX "/sys/kernel/btf/vmlinux"

static void need_vmlinux(void)
{
	if (access(VMLINUX, R_OK) != 0)
		bpfd_skip("no %s (kernel without CONFIG_DEBUG_INFO_BTF)",
			  VMLINUX);
}

static void test_kernel_btf_vs_libbpf(void **state)
{
	(void)state;
	need_vmlinux();
	check_btf_vs_libbpf(VMLINUX);
}

static void test_kernel_btf_repeatable(void **state)
{
	(void)state;
	need_vmlinux();
	check_btf_repeatable(VMLINUX);
}

/* Cuts of the real 5.5 MB file: the header promises more than is there. */
static void test_kernel_btf_truncated(void **state)
{
	static const size_t cuts[] = {0, 10, 24, 4096, 100000, 1000000};
	const size_t max = cuts[ARRAY_SIZE(cuts) - 1];
	uint8_t *buf;
	char path[32];
	int fd, out;

	(void)state;
	need_vmlinux();
	buf = malloc(max);
	fd = open(VMLINUX, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0 && buf);
	/* sysfs gives a page per read */
	for (size_t got = 0; got < max;) {
		ssize_t r = pread(fd, buf + got, max - got, (off_t)got);

		assert_true(r > 0);
		got += (size_t)r;
	}
	close(fd);
	for (size_t i = 0; i < ARRAY_SIZE(cuts); i++) {
		struct bpfd_btf_enums e;

		strcpy(path, "/tmp/bpfd-btf-XXXXXX");
		out = mkstemp(path);
		assert_true(out >= 0);
		assert_int_equal(write(out, buf, cuts[i]), (ssize_t)cuts[i]);
		close(out);
		assert_int_equal(bpfd_btf_read_enums(path, &e), -EINVAL);
		bpfd_btf_enums_free(&e);
		unlink(path);
	}
	free(buf);
}

/* The running kernel's names: the built-in table's values (the same table
 * on the kernel it was generated from), and the recorded kernels'. */
static void test_kernel_names(void **state)
{
	const struct kernel_fixture *const ks[] = KERNEL_FIXTURES;
	struct bpfd_names *run = NULL, *fb = NULL;
	struct utsname u;

	(void)state;
	need_vmlinux();
	assert_int_equal(uname(&u), 0);
	assert_int_equal(bpfd_names_load(&run, NULL, 0, NULL), 0);
	assert_int_equal(bpfd_names_load(&fb, NULL, BPFD_NAMES_NO_BTF, NULL),
			 0);
	check_btf_vs_fallback(run, fb,
			      strcmp(u.release, bpfd_fallback_kernel) == 0);
	for (size_t i = 0; i < ARRAY_SIZE(ks); i++) {
		struct bpfd_names *rec = fixture_names(ks[i]);
		bool same = strcmp(u.release, ks[i]->release) == 0;

		assert_non_null(rec);
		for (int k = 0; k < BPFD_NKINDS; k++) {
			for (unsigned int v = 0; v < 64; v++) {
				const char *a = bpfd_names_get(run, k, v);
				const char *b = bpfd_names_get(rec, k, v);
				int w = a ? bpfd_names_lookup(rec, k, a) : 0;

				/* values are ABI */
				assert_true(!a || w == -ENOENT || w == (int)v);
				if (same)
					assert_true(a == b ||
						    (a && b && !strcmp(a, b)));
			}
		}
		if (same)
			print_message("[  INFO    ] running %s, recorded in "
				      "tests/kernel_enums.h: same names\n",
				      u.release);
		bpfd_names_free(rec);
	}
	bpfd_names_free(run);
	bpfd_names_free(fb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kernel_btf_vs_libbpf),
	    cmocka_unit_test(test_kernel_btf_repeatable),
	    cmocka_unit_test(test_kernel_btf_truncated),
	    cmocka_unit_test(test_kernel_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
