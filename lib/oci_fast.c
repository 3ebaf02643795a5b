// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The OCI state and config.json without json-c, for the documents a
 * runtime writes (issue 11: json-c's tree cost the delegating hook ~3 %).
 * Only the plain case is taken: every field read has its expected type, no
 * string read holds an escape, no key compared is escaped, no seccomp
 * profile (podman's, CRI-O's: lib/oci.c prunes those for json-c).
 * Anything else declines, and lib/oci.c parses the document with json-c,
 * whose answer, refusal or not, is the reference: on every input where
 * this takes the document it must give json-c's result field for field
 * (tests/fuzz/fuzz_oci.c, tests/unit/test_jsonprune.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "internal.h"
#include "jsonscan.h"
#include "oci.h"

/* A copy of the plain string @v of less than @max bytes (0: no bound),
 * or NULL (not one, too long, out of memory: declined). */
static char *plain_dup(struct bpfd_jspan v, size_t max)
{
	const char *s;
	size_t n;

	if (!bpfd_js_plain_string(v, &s, &n) || (max && n >= max))
		return NULL;
	return strndup(s, n);
}

/* "annotations" (@v, b NULL when absent): each bpfdelegate.io/ key a known
 * one with a plain string (a path for target); json-c's order of taking
 * duplicates, the last. */
static bool fast_annotations(struct bpfd_jspan v,
			     struct bpfd_oci_annotations *a)
{
	struct bpfd_jsit it;
	struct bpfd_jspan k, val;
	bool plain;

	if (!v.b)
		return true;
	if (!bpfd_js_obj(v, &it))
		return false;
	a->present = true;
	while (bpfd_js_obj_next(&it, &k, &plain, &val)) {
		int kind = bpfd_oci_key_of(k.b, (size_t)(k.e - k.b));

		if (!plain)
			return false;
		if (kind == -ENOENT)
			continue;
		if (kind < 0)
			return false;
		free(a->value[kind]);
		a->value[kind] = plain_dup(
		    val, kind == BPFD_OCI_TARGET ? BPFD_OCI_PATH_MAX : 0);
		if (!a->value[kind])
			return false;
	}
	return true;
}

static void annotations_drop(struct bpfd_oci_annotations *a)
{
	for (int k = 0; k < BPFD_OCI_NKEYS; k++)
		free(a->value[k]);
	memset(a, 0, sizeof(*a));
}

int bpfd_oci_fast_state(const char *text, size_t len,
			struct bpfd_oci_state *out)
{
	static const char *const names[] = {"pid", "bundle", "id",
					    "annotations"};
	struct bpfd_jspan top, f[4];
	uint64_t pid;

	memset(out, 0, sizeof(*out));
	if (!bpfd_js_valid(text, len, &top) ||
	    !bpfd_js_pick(top, names, 4, f) || !f[0].b ||
	    !bpfd_js_u64(f[0], &pid) || pid == 0 || pid > BPFD_OCI_PID_MAX ||
	    !f[1].b)
		return 0;
	out->pid = (pid_t)pid;
	out->bundle = plain_dup(f[1], BPFD_OCI_PATH_MAX);
	out->id = f[2].b ? plain_dup(f[2], 0) : strdup("?");
	if (out->bundle && out->bundle[0] == '/' && out->id &&
	    fast_annotations(f[3], &out->ann))
		return 1;
	free(out->bundle);
	free(out->id);
	annotations_drop(&out->ann);
	memset(out, 0, sizeof(*out));
	return 0;
}

/* linux.namespaces (@v: an array of objects): a "type" of "user". */
static bool fast_userns(struct bpfd_jspan v, bool *userns)
{
	static const char *const type[] = {"type"};
	struct bpfd_jsit it;
	struct bpfd_jspan ent, t;
	const char *s;
	size_t n;

	if (!bpfd_js_arr(v, &it))
		return false;
	while (bpfd_js_arr_next(&it, &ent)) {
		if (!bpfd_js_pick(ent, type, 1, &t))
			return false;
		if (!t.b)
			continue;
		if (!bpfd_js_plain_string(t, &s, &n))
			return false;
		*userns |= n == 4 && memcmp(s, "user", 4) == 0;
	}
	return true;
}

/* A capability set (@v: an array of strings) as bits; names libcap does
 * not know are left out, as lib/oci.c's cap_bits() does. */
static bool fast_cap_set(struct bpfd_jspan v, uint64_t *bits)
{
	struct bpfd_jsit it;
	struct bpfd_jspan e;
	const char *s;
	size_t n;

	*bits = 0;
	if (!v.b)
		return true;
	if (!bpfd_js_arr(v, &it))
		return false;
	while (bpfd_js_arr_next(&it, &e)) {
		char name[64];
		cap_value_t cap;

		/* (a long one may still be a number to libcap: "000...39") */
		if (!bpfd_js_plain_string(e, &s, &n) || n >= sizeof(name))
			return false;
		memcpy(name, s, n);
		name[n] = '\0';
		if (cap_from_name(name, &cap) == 0 && cap >= 0 && cap < 64)
			*bits |= 1ULL << cap;
	}
	return true;
}

/* process.user.uid and process.capabilities (@v: the "process" object). */
static bool fast_process(struct bpfd_jspan v, struct bpfd_oci_config *out)
{
	static const char *const names[] = {"user", "capabilities"};
	static const char *const uid[] = {"uid"};
	const char *sets[BPFD_OCI_NCAPSETS];
	struct bpfd_jspan f[2], u, c[BPFD_OCI_NCAPSETS];
	uint64_t n;

	if (!bpfd_js_pick(v, names, 2, f))
		return false;
	if (f[0].b) {
		if (!bpfd_js_pick(f[0], uid, 1, &u))
			return false;
		if (u.b) {
			if (!bpfd_js_u64(u, &n))
				return false;
			out->uid = n <= UINT32_MAX ? (uint32_t)n : UINT32_MAX;
		}
	}
	if (!f[1].b)
		return true;
	for (int s = 0; s < BPFD_OCI_NCAPSETS; s++)
		sets[s] = bpfd_oci_cap_set_name(s);
	if (!bpfd_js_pick(f[1], sets, BPFD_OCI_NCAPSETS, c))
		return false;
	out->caps_known = true;
	for (int s = 0; s < BPFD_OCI_NCAPSETS; s++)
		if (!fast_cap_set(c[s], &out->caps[s]))
			return false;
	out->has_cap_bpf = (out->caps[BPFD_OCI_EFFECTIVE] >> CAP_BPF) & 1;
	return true;
}

int bpfd_oci_fast_config(const char *text, size_t len,
			 struct bpfd_oci_config *out)
{
	static const char *const names[] = {"root", "linux", "process",
					    "annotations"};
	static const char *const path[] = {"path"};
	static const char *const lin[] = {"namespaces", "seccomp"};
	struct bpfd_jspan top, f[4], p, l[2] = {{0}};
	bool ok;

	memset(out, 0, sizeof(*out));
	if (!bpfd_js_valid(text, len, &top) ||
	    !bpfd_js_pick(top, names, 4, f) ||
	    !bpfd_js_pick(f[0], path, 1, &p) || !p.b ||
	    (f[1].b && !bpfd_js_pick(f[1], lin, 2, l)))
		return 0;
	/* a seccomp profile: lib/oci.c reads it (json-c, pruned) */
	if (l[1].b && !(l[1].e - l[1].b == 4 && memcmp(l[1].b, "null", 4) == 0))
		return 0;
	out->root_path = plain_dup(p, BPFD_OCI_PATH_MAX);
	ok = out->root_path && out->root_path[0] &&
	     (!l[0].b || fast_userns(l[0], &out->has_userns)) &&
	     (!f[2].b || fast_process(f[2], out)) &&
	     fast_annotations(f[3], &out->ann);
	if (ok)
		return 1;
	free(out->root_path);
	annotations_drop(&out->ann);
	memset(out, 0, sizeof(*out));
	return 0;
}
