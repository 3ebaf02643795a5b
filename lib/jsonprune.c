// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Prune a JSON object to the members a reader needs (jsonprune.h), over
 * the validating scan of jsonscan.h: everything the scan does not take
 * the caller parses whole, so a document outside the subset costs time,
 * never a different answer.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"
#include "jsonprune.h"
#include "jsonscan.h"

/* Kept members, in all: ample for the OCI config's five. */
#define PRUNE_MAX 16

struct out {
	char *p, *end;
};

static bool put(struct out *o, const char *b, size_t n)
{
	if ((size_t)(o->end - o->p) <= n) /* and room for the NUL */
		return false;
	memcpy(o->p, b, n);
	o->p += n;
	return true;
}

static bool put_span(struct out *o, struct bpfd_jspan v)
{
	return put(o, v.b, (size_t)(v.e - v.b));
}

/* "key": */
static bool put_key(struct out *o, const char *key, bool *first)
{
	bool ok = (*first || put(o, ",", 1)) && put(o, "\"", 1) &&
		  put(o, key, strlen(key)) && put(o, "\":", 2);

	*first = false;
	return ok;
}

/* The subs of @key asked for in @keep, of the object @v: {"sub":...}. */
static bool put_pruned(struct out *o, const struct bpfd_json_keep *keep,
		       size_t nkeep, const char *key, struct bpfd_jspan v)
{
	const char *subs[PRUNE_MAX];
	struct bpfd_jspan found[PRUNE_MAX] = {{0}};
	size_t n = 0;
	bool first = true;

	for (size_t j = 0; j < nkeep; j++)
		if (strcmp(keep[j].key, key) == 0 && keep[j].sub)
			subs[n++] = keep[j].sub;
	if (!bpfd_js_pick(v, subs, n, found) || !put(o, "{", 1))
		return false;
	for (size_t j = 0; j < n; j++)
		if (found[j].b &&
		    (!put_key(o, subs[j], &first) || !put_span(o, found[j])))
			return false;
	return put(o, "}", 1);
}

/* Is @key asked for whole (an entry without a sub)? */
static bool keeps_whole(const struct bpfd_json_keep *keep, size_t nkeep,
			const char *key)
{
	for (size_t i = 0; i < nkeep; i++)
		if (!keep[i].sub && strcmp(keep[i].key, key) == 0)
			return true;
	return false;
}

ssize_t bpfd_json_prune(const char *text, size_t len,
			const struct bpfd_json_keep *keep, size_t nkeep,
			char *out, size_t outlen)
{
	const char *keys[PRUNE_MAX];
	struct bpfd_jspan top, found[PRUNE_MAX] = {{0}};
	struct out o = {out, out + outlen};
	bool first = true;
	size_t n = 0;

	if (nkeep > PRUNE_MAX || !outlen)
		return -1;
	/* Each top-level key once, in @keep's order. */
	for (size_t i = 0; i < nkeep; i++) {
		size_t j = 0;

		while (j < n && strcmp(keys[j], keep[i].key) != 0)
			j++;
		if (j == n)
			keys[n++] = keep[i].key;
	}
	if (!bpfd_js_valid(text, len, &top) ||
	    !bpfd_js_pick(top, keys, n, found) || !put(&o, "{", 1))
		return -1;
	for (size_t j = 0; j < n; j++) {
		if (!found[j].b)
			continue;
		if (!put_key(&o, keys[j], &first))
			return -1;
		/* Whole, unless only parts of an object are asked for. */
		if (!keeps_whole(keep, nkeep, keys[j]) && *found[j].b == '{') {
			if (!put_pruned(&o, keep, nkeep, keys[j], found[j]))
				return -1;
		} else if (!put_span(&o, found[j])) {
			return -1;
		}
	}
	if (!put(&o, "}", 1))
		return -1;
	*o.p = '\0';
	return o.p - out;
}
