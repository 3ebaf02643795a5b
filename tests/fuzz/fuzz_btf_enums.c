// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The streaming BTF reader (lib/btf_enums.c) and the name table built from
 * it (bpfd_names_load).  Input: a BTF file, such as
 * /sys/kernel/btf/vmlinux; the seeds hold the four enums of a real kernel
 * (tests/fuzz/gen_btf_seeds.c).
 */
#include "btf_enums.h"
#include "fuzz.h"

static void check_enums(const struct bpfd_btf_enums *e)
{
	for (unsigned int i = 0; i < e->n; i++) {
		FUZZ_CHECK(e->entries[i].name);
		FUZZ_CHECK(strlen(e->entries[i].name) < BPFD_ENUM_NAME_MAX);
		FUZZ_CHECK(e->entries[i].kind < BPFD_NKINDS);
		FUZZ_CHECK(e->entries[i].value < 64);
	}
}

/* Every name of the table reads back as its value, in both spellings. */
static void check_names(const struct bpfd_names *n)
{
	char buf[1024], sd[300];

	for (int k = 0; k < BPFD_NKINDS; k++) {
		uint64_t known = bpfd_names_known(n, (enum bpfd_kind)k),
			 again = 0;

		FUZZ_CHECK(bpfd_names_count(n, (enum bpfd_kind)k) <= 64);
		for (unsigned int v = 0; v < 64; v++) {
			const char *name =
			    bpfd_names_get(n, (enum bpfd_kind)k, v);

			FUZZ_CHECK(!name == !(known & (1ULL << v)));
			if (!name || !*name || strpbrk(name, ":, \t"))
				continue;
			FUZZ_CHECK(
			    bpfd_names_lookup(n, (enum bpfd_kind)k, name) >= 0);
			if (bpfd_name_systemd((enum bpfd_kind)k, name, sd,
					      sizeof(sd)) > 0)
				(void)bpfd_names_lookup(n, (enum bpfd_kind)k,
							sd);
		}
		(void)bpfd_format_list(n, (enum bpfd_kind)k, known, buf,
				       sizeof(buf));
		(void)bpfd_parse_list(n, (enum bpfd_kind)k, buf, &again, NULL);
		(void)bpfd_names_suggest(n, (enum bpfd_kind)k, "hsh", 3, buf,
					 sizeof(buf));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size);
	struct bpfd_btf_enums e;
	struct bpfd_names *n = NULL;
	int r = bpfd_btf_read_enums(path, &e);

	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ESRCH);
	if (r == 0) {
		check_enums(&e);
		bpfd_btf_enums_free(&e);
	}
	if (bpfd_names_load(&n, path, 0, NULL) == 0) {
		check_names(n);
		bpfd_names_free(n);
	}
	return 0;
}
