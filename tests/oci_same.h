/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Did config.json (and the state) parsed by json-c whole and parsed the
 * fast ways (lib/oci_fast.c without json-c, or pruned for json-c:
 * lib/jsonprune.h) give the same answer?  tests/unit/test_jsonprune.c
 * and tests/fuzz/fuzz_oci.c.
 */
#ifndef BPFD_TESTS_OCI_SAME_H
#define BPFD_TESTS_OCI_SAME_H

#include <stdbool.h>
#include <string.h>

#include "oci.h"

static inline bool oci_str_same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* The same return and error line both ways. */
static inline bool oci_outcome_same(int ra, int rb, const struct bpfd_error *ea,
				    const struct bpfd_error *eb)
{
	return ra == rb && ea->err == eb->err &&
	       strcmp(ea->detail, eb->detail) == 0;
}

static inline bool oci_ann_same(const struct bpfd_oci_annotations *a,
				const struct bpfd_oci_annotations *b)
{
	bool same = a->present == b->present;

	for (int k = 0; same && k < BPFD_OCI_NKEYS; k++)
		same = oci_str_same(a->value[k], b->value[k]);
	return same;
}

/* Both ways over @text: the same return, the same error line, the same
 * fields (the seccomp summary byte for byte: both start from zero). */
static inline bool oci_config_same_both_ways(const char *text, size_t len)
{
	struct bpfd_error ea = {0}, eb = {0};
	struct bpfd_oci_config a, b;
	int ra = bpfd_oci_parse_config_whole(text, len, false, &a, &ea);
	int rb = bpfd_oci_parse_config_whole(text, len, true, &b, &eb);
	bool same = oci_outcome_same(ra, rb, &ea, &eb);

	if (same && ra == 0)
		same = oci_str_same(a.root_path, b.root_path) &&
		       a.has_userns == b.has_userns &&
		       a.caps_known == b.caps_known &&
		       a.has_cap_bpf == b.has_cap_bpf &&
		       memcmp(a.caps, b.caps, sizeof(a.caps)) == 0 &&
		       a.uid == b.uid &&
		       memcmp(&a.seccomp, &b.seccomp, sizeof(a.seccomp)) == 0 &&
		       oci_ann_same(&a.ann, &b.ann);
	if (ra == 0)
		bpfd_oci_config_free(&a);
	if (rb == 0)
		bpfd_oci_config_free(&b);
	return same;
}

/* The same for the OCI state. */
static inline bool oci_state_same_both_ways(const char *text, size_t len)
{
	struct bpfd_error ea = {0}, eb = {0};
	struct bpfd_oci_state a, b;
	int ra = bpfd_oci_parse_state_whole(text, len, false, &a, &ea);
	int rb = bpfd_oci_parse_state_whole(text, len, true, &b, &eb);
	bool same = oci_outcome_same(ra, rb, &ea, &eb);

	if (same && ra == 0)
		same = oci_str_same(a.id, b.id) && a.pid == b.pid &&
		       oci_str_same(a.bundle, b.bundle) &&
		       oci_ann_same(&a.ann, &b.ann);
	bpfd_oci_state_free(&a);
	bpfd_oci_state_free(&b);
	return same;
}

#endif
