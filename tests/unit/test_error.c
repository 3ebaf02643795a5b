// SPDX-License-Identifier: LGPL-2.1-or-later
/* Error records and the hint table. */
#include <errno.h>

#include <bpfdelegate/error.h>

#include "internal.h"

#include "testutil.h"

/* Every errno the reference lists for BPF_TOKEN_CREATE has a cause. */
static void test_token_create_hints(void **state)
{
	(void)state;
	const int errs[] = {EINVAL, EBADF, EACCES, EPERM, EOPNOTSUPP, ENOENT};

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		assert_non_null(
		    bpfd_error_hint(BPFD_STEP_TOKEN_CREATE, errs[i]));
	assert_non_null(
	    strstr(bpfd_error_hint(BPFD_STEP_TOKEN_CREATE, EINVAL), "6.9"));
	assert_non_null(
	    strstr(bpfd_error_hint(BPFD_STEP_TOKEN_CREATE, -EOPNOTSUPP),
		   "initial user namespace"));
	assert_null(bpfd_error_hint(BPFD_STEP_TOKEN_CREATE, EXDEV));
}

static void test_step_names(void **state)
{
	(void)state;
	for (int s = 1; s < BPFD_STEP__MAX; s++) {
		const char *n = bpfd_step_name((enum bpfd_step)s);
		assert_non_null(n);
		assert_true(n[0] != '\0');
		assert_string_not_equal(n, "unknown step");
	}
	assert_string_equal(bpfd_step_name(BPFD_STEP__MAX), "unknown step");
}

static void test_set_and_format(void **state)
{
	(void)state;
	struct bpfd_error e = {0};
	char buf[512];

	assert_int_equal(bpfd_error_set(&e, BPFD_STEP_FSCONFIG, EPERM,
					"delegate_maps=0x%x", 8),
			 -EPERM);
	assert_int_equal(e.err, EPERM);
	assert_string_equal(
	    bpfd_error_format(&e, buf, sizeof(buf)),
	    "fsconfig delegate_maps=0x8: Operation not permitted "
	    "(needs CAP_SYS_ADMIN in the initial user namespace)");
	/* Negative errno in, positive recorded; NULL record allowed. */
	assert_int_equal(bpfd_error_set(&e, BPFD_STEP_FSOPEN, -ENODEV, NULL),
			 -ENODEV);
	assert_int_equal(e.err, ENODEV);
	assert_int_equal(bpfd_error_set(NULL, BPFD_STEP_FSOPEN, ENODEV, NULL),
			 -ENODEV);
	/* A small buffer truncates, never overflows. */
	bpfd_error_format(&e, buf, 8);
	assert_int_equal(strlen(buf), 7);
}

/* A failure whose errno was lost (0) is still a failure. */
static void test_no_errno_is_not_success(void **state)
{
	(void)state;
	struct bpfd_error e = {0};
	char buf[512];

	errno = 0;
	assert_int_equal(
	    bpfd_error_set(&e, BPFD_STEP_SETID, errno, "setresuid(0)"), -EIO);
	assert_int_equal(e.err, EIO);
	assert_int_equal(e.step, BPFD_STEP_SETID);
	assert_non_null(e.hint);
	assert_non_null(strstr(e.hint, "no errno"));
	bpfd_error_format(&e, buf, sizeof(buf));
	assert_non_null(strstr(buf, "setresuid(0): Input/output error"));
	assert_int_equal(bpfd_error_set(NULL, BPFD_STEP_ARGS, 0, NULL), -EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_token_create_hints),
	    cmocka_unit_test(test_step_names),
	    cmocka_unit_test(test_set_and_format),
	    cmocka_unit_test(test_no_errno_is_not_success),
	};
	return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
