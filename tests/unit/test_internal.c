// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The shared helpers of lib/internal.h that replaced copies which did not
 * all behave alike: the sysctl reader (three copies: one read a single
 * digit), the capability readers (one parsed CapEff of /proc/self/status),
 * and the cleanup attributes.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/capability.h>

#include "internal.h"
#include "testutil.h"

static char dir[] = "/tmp/bpfd-test-internal-XXXXXX";

static const char *file_with(const char *name, const char *text)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_sysctl_long(void **state)
{
	(void)state;
	assert_int_equal(bpfd_sysctl_long(file_with("a", "2\n")), 2);
	assert_int_equal(bpfd_sysctl_long(file_with("b", "65536\n")), 65536);
	/* more than one digit: the old unprivileged_bpf_disabled read took
	 * the first one only */
	assert_int_equal(bpfd_sysctl_long(file_with("c", "12\n")), 12);
	assert_int_equal(bpfd_sysctl_long(file_with("d", "abc\n")), -1);
	assert_int_equal(bpfd_sysctl_long(file_with("e", "-3\n")), -1);
	assert_int_equal(bpfd_sysctl_long(file_with("f", "")), -1);
	assert_int_equal(bpfd_sysctl_long("/nonexistent/sysctl"), -1);
	/* the real one: 0, 1 or 2 on every kernel with unprivileged BPF */
	long v = bpfd_sysctl_long("/proc/sys/kernel/unprivileged_bpf_disabled");
	assert_true(v >= 0 && v <= 2);
}

static void test_read_line(void **state)
{
	char buf[8];

	(void)state;
	assert_true(bpfd_read_line(file_with("g", "first\nsecond\n"), buf,
				   sizeof(buf)));
	assert_string_equal(buf, "first");
	assert_true(
	    bpfd_read_line(file_with("h", "no newline"), buf, sizeof(buf)));
	assert_string_equal(buf, "no newl"); /* cut to the buffer */
	assert_false(bpfd_read_line(file_with("i", ""), buf, sizeof(buf)));
	assert_false(bpfd_read_line("/nonexistent/file", buf, sizeof(buf)));
}

/* What doctor read before: CapEff of /proc/thread-self/status. */
static uint64_t capeff_from_proc(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/thread-self/status", "re");
	char line[256];
	unsigned long long v = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &v) == 1)
			return v;
	fail_msg("no CapEff line");
	return 0;
}

static void test_caps(void **state)
{
	uint64_t eff = 0, prm = 0;

	(void)state;
	assert_int_equal(bpfd_caps_get(CAP_EFFECTIVE, &eff), 0);
	assert_int_equal(bpfd_caps_get(CAP_PERMITTED, &prm), 0);
	assert_true(eff == capeff_from_proc());
	assert_int_equal((eff & ~prm), 0); /* effective is within permitted */
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++)
		assert_int_equal(bpfd_cap_has(CAP_EFFECTIVE, c),
				 (eff >> c) & 1);
	assert_int_equal(bpfd_cap_has(CAP_EFFECTIVE, 200), -EINVAL);
	/* Each set read apart (capget itself): CAP_SYS_ADMIN out of the
	 * effective set only, then back. */
	if ((eff >> CAP_SYS_ADMIN) & 1) {
		_cleanup_cap_ cap_t caps = cap_get_proc();
		const cap_value_t admin = CAP_SYS_ADMIN;

		assert_int_equal(
		    cap_set_flag(caps, CAP_EFFECTIVE, 1, &admin, CAP_CLEAR), 0);
		assert_int_equal(cap_set_proc(caps), 0);
		assert_int_equal(bpfd_cap_has(CAP_EFFECTIVE, CAP_SYS_ADMIN), 0);
		assert_int_equal(bpfd_cap_has(CAP_PERMITTED, CAP_SYS_ADMIN), 1);
		assert_int_equal(bpfd_cap_has(CAP_EFFECTIVE, CAP_CHOWN),
				 (int)(eff >> CAP_CHOWN & 1));
		assert_int_equal(
		    cap_set_flag(caps, CAP_EFFECTIVE, 1, &admin, CAP_SET), 0);
		assert_int_equal(cap_set_proc(caps), 0);
		assert_int_equal(bpfd_cap_has(CAP_EFFECTIVE, CAP_SYS_ADMIN), 1);
	}
}

static void test_cleanup(void **state)
{
	int fd;

	(void)state;
	{
		_cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
		_cleanup_cap_ cap_t caps = cap_get_proc();
		_cleanup_cap_ char *text = cap_to_text(caps, NULL);
		_cleanup_fclose_ FILE *none = NULL;

		assert_non_null(f);
		assert_non_null(text);
		fd = fileno(f);
		(void)none;
	}
	/* the FILE's fd is closed at the end of its scope */
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	assert_int_equal(errno, EBADF);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	static const char *const names[] = {"a", "b", "c", "d", "e",
					    "f", "g", "h", "i"};
	char path[128];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sysctl_long),
	    cmocka_unit_test(test_read_line),
	    cmocka_unit_test(test_caps),
	    cmocka_unit_test(test_cleanup),
	};
	return cmocka_run_group_tests_name("internal", tests, setup, teardown);
}
