/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Checks of the streaming BTF reader (lib/btf_enums.c) on a BTF file, shared
 * by the unit tests (recorded kernels' enums, tests/kernel_enums.h) and the
 * integration tests (the running kernel's /sys/kernel/btf/vmlinux).
 */
#ifndef BPFD_BTF_CHECKS_H
#define BPFD_BTF_CHECKS_H

#include <bpf/btf.h>
#include <bpfdelegate/delegation.h>

#include "btf_enums.h"
#include "internal.h"
#include "testutil.h"

/* The same entries, in the same order, as libbpf reads from @path. */
static inline void check_btf_vs_libbpf(const char *path)
{
	static const char *const types[] = {"bpf_cmd", "bpf_map_type",
					    "bpf_prog_type", "bpf_attach_type"};
	struct bpfd_btf_enums e;
	struct btf *btf;

	assert_int_equal(bpfd_btf_read_enums(path, &e), 0);
	btf = btf__parse(path, NULL);
	assert_non_null(btf);
	for (int k = 0; k < BPFD_NKINDS; k++) {
		int id = btf__find_by_name_kind(btf, types[k], BTF_KIND_ENUM);
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_enum *be = btf_enum(t);
		unsigned int j = 0, max = 0;

		assert_true(id > 0);
		for (int i = 0; i < btf_vlen(t); i++, be++) {
			const char *name =
			    btf__name_by_offset(btf, be->name_off);

			if (strncmp(name, "__MAX_", 6) == 0)
				max = (unsigned int)be->val;
			if (be->val < 0 || be->val >= 64 ||
			    strncmp(name, "__", 2) == 0 ||
			    strncmp(name, "MAX_", 4) == 0)
				continue;
			while (j < e.n && e.entries[j].kind != k)
				j++;
			assert_true(j < e.n);
			assert_string_equal(e.entries[j].name, name);
			assert_int_equal(e.entries[j].value, be->val);
			j++;
		}
		while (j < e.n && e.entries[j].kind != k)
			j++;
		assert_int_equal(j, e.n); /* nothing more of this kind */
		assert_int_equal(e.max[k], max);
	}
	btf__free(btf);
	bpfd_btf_enums_free(&e);
}

/*
 * Values are ABI: any name both tables know has the same value.  @same:
 * @b comes from the BTF of the kernel the built-in table @f was generated
 * from, so the tables are the same.
 */
static inline void check_btf_vs_fallback(struct bpfd_names *b,
					 struct bpfd_names *f, bool same)
{
	assert_true(bpfd_names_from_btf(b));
	for (unsigned int i = 0; i < bpfd_fallback_nentries; i++) {
		const struct bpfd_enum_entry *e = &bpfd_fallback_entries[i];
		int v = bpfd_names_lookup(b, e->kind, e->name);

		if (!(v == e->value || (!same && v == -ENOENT)))
			fail_msg("%s: %d in BTF, %d built in", e->name, v,
				 e->value);
	}
	for (int k = 0; same && k < BPFD_NKINDS; k++) {
		assert_int_equal(bpfd_names_count(b, k),
				 bpfd_names_count(f, k));
		assert_true(bpfd_names_known(b, k) == bpfd_names_known(f, k));
		for (unsigned int v = 0; v < 64; v++) {
			const char *x = bpfd_names_get(b, k, v);
			const char *y = bpfd_names_get(f, k, v);

			assert_true(x == y || (x && y && !strcmp(x, y)));
		}
	}
}

/* Twenty reads of @path in a row give the same entries (nothing depends on
 * state left from an earlier read, such as the mapping or the buffer). */
static inline void check_btf_repeatable(const char *path)
{
	struct bpfd_btf_enums first;

	assert_int_equal(bpfd_btf_read_enums(path, &first), 0);
	for (int i = 0; i < 20; i++) {
		struct bpfd_btf_enums e;

		assert_int_equal(bpfd_btf_read_enums(path, &e), 0);
		assert_int_equal(e.n, first.n);
		for (unsigned int k = 0; k < e.n; k++) {
			assert_int_equal(e.entries[k].kind,
					 first.entries[k].kind);
			assert_int_equal(e.entries[k].value,
					 first.entries[k].value);
			assert_string_equal(e.entries[k].name,
					    first.entries[k].name);
		}
		bpfd_btf_enums_free(&e);
	}
	bpfd_btf_enums_free(&first);
}

#endif
