// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Prune a JSON object to the members a reader needs (jsonprune.h).  A
 * validating scan, no allocation: everything it does not take whole it
 * refuses, and the caller falls back to json-c on the whole text, so a
 * document outside the subset costs time, never a different answer.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"
#include "jsonprune.h"

/* json-c refuses more than 32 levels (JSON_TOKENER_DEFAULT_DEPTH); stay
 * well inside, and bound this scan's own recursion. */
#define PRUNE_DEPTH 24
/* Kept members, in all: ample for the OCI config's five. */
#define PRUNE_MAX 16

struct scan {
	const char *p, *end;
};

struct range {
	const char *b, *e; /* b == NULL: not seen */
};

static void ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
				 *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The string at s->p (its opening quote): past the closing one.  *plain
 * when it has no escape.  Refused: a raw control character, an unknown
 * escape, \u0000 (json-c cuts a key there) and surrogate escapes (json-c
 * has its own idea of a lone one).
 */
static bool string(struct scan *s, bool *plain)
{
	*plain = true;
	for (s->p++; s->p < s->end;) {
		unsigned char c = (unsigned char)*s->p++;
		unsigned v = 0;

		if (c == '"')
			return true;
		if (c < 0x20)
			return false;
		if (c != '\\')
			continue;
		*plain = false;
		if (s->p >= s->end)
			return false;
		c = (unsigned char)*s->p++;
		if (c != 'u') {
			if (!c || !strchr("\"\\/bfnrt", c))
				return false;
			continue;
		}
		if (s->end - s->p < 4)
			return false;
		for (int i = 0; i < 4; i++) {
			int h = hexval(*s->p++);

			if (h < 0)
				return false;
			v = v << 4 | (unsigned)h;
		}
		if (v == 0 || (v >= 0xd800 && v <= 0xdfff))
			return false;
	}
	return false;
}

/* An integer of at most 20 digits, no leading zero; a fraction or an
 * exponent is refused (none in an OCI document; json-c has its own ways
 * with doubles). */
static bool number(struct scan *s)
{
	const char *d;

	if (*s->p == '-')
		s->p++;
	d = s->p;
	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	if (s->p == d || s->p - d > 20 || (*d == '0' && s->p - d > 1))
		return false;
	return s->p == s->end || (*s->p != '.' && *s->p != 'e' && *s->p != 'E');
}

static bool literal(struct scan *s, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return false;
	s->p += n;
	return true;
}

static bool value(struct scan *s, int depth);

/*
 * The object at s->p ('{'), past its '}'.  With @names (@n of them, keys
 * compared, so none may be escaped) the value of each named member, the
 * last of duplicates, into @found[i].
 */
static bool object(struct scan *s, int depth, const char *const *names,
		   size_t n, struct range *found)
{
	if (depth > PRUNE_DEPTH)
		return false;
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return true;
	}
	for (;;) {
		const char *k;
		bool plain;
		size_t klen;
		struct range v;

		if (s->p >= s->end || *s->p != '"')
			return false;
		k = s->p + 1;
		if (!string(s, &plain) || (names && !plain))
			return false;
		klen = (size_t)(s->p - 1 - k);
		ws(s);
		if (s->p >= s->end || *s->p != ':')
			return false;
		s->p++;
		ws(s);
		v.b = s->p;
		if (!value(s, depth))
			return false;
		v.e = s->p;
		for (size_t i = 0; names && i < n; i++)
			if (strlen(names[i]) == klen &&
			    memcmp(names[i], k, klen) == 0)
				found[i] = v;
		ws(s);
		if (s->p >= s->end)
			return false;
		if (*s->p == '}') {
			s->p++;
			return true;
		}
		if (*s->p++ != ',')
			return false;
		ws(s);
	}
}

static bool array(struct scan *s, int depth)
{
	if (depth > PRUNE_DEPTH)
		return false;
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return true;
	}
	for (;;) {
		if (!value(s, depth))
			return false;
		ws(s);
		if (s->p >= s->end)
			return false;
		if (*s->p == ']') {
			s->p++;
			return true;
		}
		if (*s->p++ != ',')
			return false;
	}
}

/* One value at s->p (after white space), past it. */
static bool value(struct scan *s, int depth)
{
	bool plain;

	ws(s);
	if (s->p >= s->end)
		return false;
	switch (*s->p) {
	case '{':
		return object(s, depth + 1, NULL, 0, NULL);
	case '[':
		return array(s, depth + 1);
	case '"':
		return string(s, &plain);
	case 't':
		return literal(s, "true");
	case 'f':
		return literal(s, "false");
	case 'n':
		return literal(s, "null");
	default:
		return number(s);
	}
}

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

/* "key": */
static bool put_key(struct out *o, const char *key, bool *first)
{
	bool ok = (*first || put(o, ",", 1)) && put(o, "\"", 1) &&
		  put(o, key, strlen(key)) && put(o, "\":", 2);

	*first = false;
	return ok;
}

/* The subs of @keep[i] for an object value @v: "key":{"sub":...,...}. */
static bool put_pruned(struct out *o, const struct bpfd_json_keep *keep,
		       size_t nkeep, size_t i, struct range v)
{
	const char *subs[PRUNE_MAX];
	struct range found[PRUNE_MAX] = {{0}};
	size_t n = 0;
	struct scan s = {v.b, v.e};
	bool first = true;

	for (size_t j = i; j < nkeep; j++)
		if (strcmp(keep[j].key, keep[i].key) == 0 && keep[j].sub)
			subs[n++] = keep[j].sub;
	/* depth 1: the top level's members are at 1 */
	if (!object(&s, 1, subs, n, found) || !put(o, "{", 1))
		return false;
	for (size_t j = 0; j < n; j++)
		if (found[j].b &&
		    (!put_key(o, subs[j], &first) ||
		     !put(o, found[j].b, (size_t)(found[j].e - found[j].b))))
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
	struct range found[PRUNE_MAX] = {{0}};
	struct scan s = {text, text + len};
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
	ws(&s);
	if (s.p >= s.end || *s.p != '{' || !object(&s, 0, keys, n, found))
		return -1;
	ws(&s);
	if (s.p != s.end || !put(&o, "{", 1))
		return -1;
	for (size_t j = 0; j < n; j++) {
		size_t i = 0;

		if (!found[j].b)
			continue;
		while (strcmp(keep[i].key, keys[j]) != 0)
			i++;
		if (!put_key(&o, keys[j], &first))
			return -1;
		/* Whole, unless only parts of an object are asked for. */
		if (!keeps_whole(keep, nkeep, keys[j]) && *found[j].b == '{') {
			if (!put_pruned(&o, keep, nkeep, i, found[j]))
				return -1;
		} else if (!put(&o, found[j].b,
				(size_t)(found[j].e - found[j].b))) {
			return -1;
		}
	}
	if (!put(&o, "}", 1))
		return -1;
	*o.p = '\0';
	return o.p - out;
}
