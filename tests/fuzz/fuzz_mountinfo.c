// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The mountinfo option decoders: lib/mounts.c's (uid=, gid=, mode= and the
 * four delegate_* LISTs of a bpffs) through bpfd_bpffs_mounts() (the input
 * as a mountinfo file, parsed by libmount) and directly on the last field
 * of each line (the super options), whatever libmount thinks of the line;
 * lib/bpffs.c's (bpfd_bpffs_read_options(), which checks a new mount) for
 * the mount id of each of the first lines.
 */
#include <bpfdelegate/bpffs.h>
#include <bpfdelegate/mounts.h>

#include "fuzz.h"
#include "mountopts.h"

static struct bpfd_names *table(void)
{
	static struct bpfd_names *names;

	if (!names)
		FUZZ_CHECK(bpfd_names_load(&names, NULL, BPFD_NAMES_NO_BTF,
					   NULL) == 0);
	return names;
}

static void decode(const char *opts)
{
	struct bpfd_delegation named, bare;
	unsigned long v;
	bool ok;

	(void)bpfd_mount_opt_number(opts, "uid", 10, &v);
	(void)bpfd_mount_opt_number(opts, "mode", 8, &v);
	ok = bpfd_mount_decode_delegation(opts, table(), &named);
	/* without names only numbers and "any" decode, to the same bits */
	if (bpfd_mount_decode_delegation(opts, NULL, &bare)) {
		FUZZ_CHECK(ok);
		FUZZ_CHECK(memcmp(&named, &bare, sizeof(bare)) == 0);
	}
}

static void read_options(const char *path, int mnt_id)
{
	struct bpfd_delegation d;
	struct bpfd_error err;
	char raw[64];

	memset(&err, 0, sizeof(err));
	if (bpfd_bpffs_read_options(path, mnt_id, table(), &d, raw, sizeof(raw),
				    &err) == 0)
		FUZZ_CHECK(strnlen(raw, sizeof(raw)) < sizeof(raw));
}

static void each_line(const char *path, char *text)
{
	int i = 0;

	for (char *line = text, *next; line; line = next, i++) {
		char *sp;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (i < 8)
			read_options(path, atoi(line));
		sp = strrchr(line, ' ');
		decode(sp ? sp + 1 : line);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size);
	struct bpfd_bpffs_mount *m = NULL;
	struct bpfd_error err;
	size_t n = 0;
	char *text;

	memset(&err, 0, sizeof(err));
	if (bpfd_bpffs_mounts(path, table(), &m, &n, &err) == 0) {
		for (size_t i = 0; i < n; i++) {
			FUZZ_CHECK(strnlen(m[i].target, sizeof(m[i].target)) <
				   sizeof(m[i].target));
			FUZZ_CHECK(strnlen(m[i].options, sizeof(m[i].options)) <
				   sizeof(m[i].options));
		}
		free(m);
	}
	text = fuzz_str(data, size);
	each_line(path, text);
	free(text);
	return 0;
}
