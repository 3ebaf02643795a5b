// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/needs.c: the item list suggest and learn mode fill. */
#include <errno.h>

#include "needs.h"

#include "testutil.h"

static void test_add_and_dedup(void **state)
{
	(void)state;
	struct bpfd_needs n = {0};

	assert_int_equal(
	    bpfd_needs_add(&n, BPFD_PROGS, 6, "program '%s'", "xdp_pass"), 0);
	assert_int_equal(bpfd_needs_add(&n, BPFD_CMDS, 0, "map 'm'"), 0);
	/* Present already: keeps its first reason, not added twice. */
	assert_int_equal(bpfd_needs_add(&n, BPFD_PROGS, 6, "other"), 0);
	assert_int_equal(n.n, 2);
	assert_int_equal(n.items[0].kind, BPFD_PROGS);
	assert_int_equal(n.items[0].value, 6);
	assert_string_equal(n.items[0].reason, "program 'xdp_pass'");
	assert_int_equal(n.items[1].kind, BPFD_CMDS);
	assert_string_equal(n.items[1].reason, "map 'm'");
	/* Same value, another kind: a separate item. */
	assert_int_equal(bpfd_needs_add(&n, BPFD_ATTACHS, 6, "a"), 0);
	assert_int_equal(n.n, 3);
	assert_true(n.deleg.mask[BPFD_PROGS] == 1ull << 6);
	assert_true(n.deleg.mask[BPFD_CMDS] == 1ull);
	assert_true(n.deleg.mask[BPFD_ATTACHS] == 1ull << 6);
	assert_true(n.deleg.mask[BPFD_MAPS] == 0);
	bpfd_needs_free(&n);
	assert_null(n.items);
	assert_int_equal(n.n, 0);
	assert_true(n.deleg.mask[BPFD_PROGS] == 0);
	bpfd_needs_free(&n); /* twice is fine */
	bpfd_needs_free(NULL);
}

static void test_bad_values(void **state)
{
	(void)state;
	struct bpfd_needs n = {0};

	assert_int_equal(bpfd_needs_add(&n, BPFD_MAPS, 64, "x"), -EINVAL);
	assert_int_equal(bpfd_needs_add(&n, BPFD_NKINDS, 1, "x"), -EINVAL);
	assert_int_equal(bpfd_needs_add(NULL, BPFD_MAPS, 1, "x"), -EINVAL);
	assert_int_equal(n.n, 0);
	/* Bit 63 is the last one. */
	assert_int_equal(bpfd_needs_add(&n, BPFD_MAPS, 63, NULL), 0);
	assert_true(n.deleg.mask[BPFD_MAPS] == 1ull << 63);
	assert_string_equal(n.items[0].reason, "");
	bpfd_needs_free(&n);
}

/* Many items grow the array; reasons are truncated, one line. */
static void test_grow_and_one_line(void **state)
{
	(void)state;
	struct bpfd_needs n = {0};
	char longr[400];

	for (unsigned int k = 0; k < BPFD_NKINDS; k++)
		for (unsigned int v = 0; v < 64; v++)
			assert_int_equal(bpfd_needs_add(&n, (enum bpfd_kind)k,
							v, "%u/%u", k, v),
					 0);
	assert_int_equal(n.n, 4 * 64);
	for (unsigned int k = 0; k < BPFD_NKINDS; k++)
		assert_true(n.deleg.mask[k] == UINT64_MAX);
	assert_string_equal(n.items[4 * 64 - 1].reason, "3/63");
	bpfd_needs_free(&n);

	memset(longr, 'a', sizeof(longr) - 1);
	longr[sizeof(longr) - 1] = '\0';
	longr[3] = '\n';
	assert_int_equal(bpfd_needs_add(&n, BPFD_CMDS, 5, "%s", longr), 0);
	assert_int_equal(strlen(n.items[0].reason),
			 sizeof(n.items[0].reason) - 1);
	assert_null(strchr(n.items[0].reason, '\n'));
	assert_int_equal(n.items[0].reason[3], '?');
	bpfd_needs_free(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_and_dedup),
	    cmocka_unit_test(test_bad_values),
	    cmocka_unit_test(test_grow_and_one_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
