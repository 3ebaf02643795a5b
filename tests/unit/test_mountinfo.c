// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The two decoders of a bpffs's mount options in mountinfo: lib/bpffs.c's
 * (bpfd_bpffs_read_options, checking a new mount) and lib/mounts.c's
 * (bpfd_bpffs_mounts, for list).  Inputs the fuzzer
 * (tests/fuzz/fuzz_mountinfo.c) found wanting are here too.
 */
#include <errno.h>
#include <fcntl.h>

#include <bpfdelegate/bpffs.h>
#include <bpfdelegate/delegation.h>
#include <bpfdelegate/mounts.h>

#include "mountopts.h"
#include "testutil.h"

#define LINE "84 67 0:39 / /sys/fs/bpf rw,nosuid - bpf none "

struct fx {
	struct bpfd_names *names;
	char path[64];
};

static int setup(void **state)
{
	static struct fx fx;

	if (bpfd_names_load(&fx.names, NULL, BPFD_NAMES_NO_BTF, NULL) < 0)
		return -1;
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	bpfd_names_free(fx->names);
	return 0;
}

/* A mountinfo file holding @text; its path in fx->path. */
static const char *file_with(struct fx *fx, const char *text)
{
	int fd;

	snprintf(fx->path, sizeof(fx->path), "/tmp/bpfd-mountinfo.XXXXXX");
	fd = mkstemp(fx->path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return fx->path;
}

static void test_read_options(void **state)
{
	struct fx *fx = *state;
	struct bpfd_delegation d;
	struct bpfd_error e = {0};
	char raw[256];

	file_with(fx, LINE "rw,uid=1000,delegate_cmds=map_create:prog_load,"
			   "delegate_maps=0x6,delegate_attachs=any\n");
	assert_int_equal(bpfd_bpffs_read_options(fx->path, 84, fx->names, &d,
						 raw, sizeof(raw), &e),
			 0);
	unlink(fx->path);
	assert_true(d.mask[BPFD_CMDS] == 0x21);
	assert_true(d.mask[BPFD_MAPS] == 0x6);
	assert_true(d.mask[BPFD_PROGS] == 0);
	assert_true(d.mask[BPFD_ATTACHS] == BPFD_MASK_ANY);
	assert_non_null(strstr(raw, "delegate_maps=0x6"));
}

/*
 * "delegate_cmds" without "=": libmount gives a NULL value, which was
 * passed to memcpy() (UBSan: null pointer passed as argument 2; found by
 * fuzz_mountinfo, corpus/mountinfo/bare-delegate-option).  Now a clear
 * error, from both decoders.
 */
static void test_option_without_value(void **state)
{
	struct fx *fx = *state;
	struct bpfd_bpffs_mount *m = NULL;
	struct bpfd_delegation d;
	struct bpfd_error e = {0};
	size_t n = 0;

	file_with(fx, LINE "rw,delegate_cmds,delegate_maps=hash\n");
	assert_int_equal(
	    bpfd_bpffs_read_options(fx->path, 84, fx->names, &d, NULL, 0, &e),
	    -EINVAL);
	assert_string_equal(e.detail, "delegate_cmds without a value");
	assert_int_equal(bpfd_bpffs_mounts(fx->path, fx->names, &m, &n, &e), 0);
	unlink(fx->path);
	assert_int_equal(n, 1);
	assert_false(m[0].deleg_ok);
	free(m);
	assert_false(
	    bpfd_mount_decode_delegation("rw,delegate_maps", NULL, &d));
}

static void test_mounts_decoder(void **state)
{
	struct fx *fx = *state;
	struct bpfd_delegation d;
	unsigned long v;

	assert_true(bpfd_mount_decode_delegation(
	    "rw,delegate_progs=xdp:0x2,delegate_cmds=any", fx->names, &d));
	assert_true(d.mask[BPFD_PROGS] == ((1ULL << 6) | 0x2));
	assert_true(d.mask[BPFD_CMDS] == BPFD_MASK_ANY);
	assert_true(d.mask[BPFD_MAPS] == 0);
	assert_false(
	    bpfd_mount_decode_delegation("delegate_maps=hsh", fx->names, &d));
	/* One decoder for mountinfo's options and bpfd_bpffs_read_options():
	 * a list longer than 1023 bytes is refused whole, never cut. */
	{
		char opts[1100] = "rw,delegate_cmds=";
		struct bpfd_error e = {0};

		memset(opts + strlen(opts), '0', 1050);
		opts[sizeof(opts) - 1] = '\0';
		assert_false(bpfd_mount_decode_delegation(opts, NULL, &d));
		assert_int_equal(bpfd_mount_decode_options(opts, NULL, &d, &e),
				 -E2BIG);
		assert_string_equal(e.detail, "delegate_cmds too long");
	}
	assert_true(bpfd_mount_opt_number("rw,mode=700,uid=5", "mode", 8, &v));
	assert_int_equal(v, 0700);
	assert_false(bpfd_mount_opt_number("rw,uid=5x", "uid", 10, &v));
	assert_false(bpfd_mount_opt_number("rw,uid", "uid", 10, &v));
	assert_false(bpfd_mount_opt_number("rw", "gid", 10, &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_read_options),
	    cmocka_unit_test(test_option_without_value),
	    cmocka_unit_test(test_mounts_decoder),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
