// SPDX-License-Identifier: LGPL-2.1-or-later
/* The validating JSON scan of jsonscan.h. */
#include <string.h>

#include "jsonscan.h"

/* json-c refuses more than 32 levels (JSON_TOKENER_DEFAULT_DEPTH); stay
 * well inside, and bound this scan's own recursion. */
#define SCAN_DEPTH 24

struct scan {
	const char *p, *end;
};

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static void ws(struct scan *s)
{
	s->p = skip_ws(s->p, s->end);
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

/* The object ('{') or array ('[') at s->p, past its end. */
static bool container(struct scan *s, int depth, bool obj)
{
	const char close = obj ? '}' : ']';
	bool plain;

	if (depth > SCAN_DEPTH)
		return false;
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return true;
	}
	for (;;) {
		if (obj) {
			if (s->p >= s->end || *s->p != '"' ||
			    !string(s, &plain))
				return false;
			ws(s);
			if (s->p >= s->end || *s->p++ != ':')
				return false;
		}
		if (!value(s, depth))
			return false;
		ws(s);
		if (s->p >= s->end)
			return false;
		if (*s->p == close) {
			s->p++;
			return true;
		}
		if (*s->p++ != ',')
			return false;
		ws(s);
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
	case '[':
		return container(s, depth + 1, *s->p == '{');
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

bool bpfd_js_valid(const char *text, size_t len, struct bpfd_jspan *top)
{
	struct scan s = {text, text + len};

	ws(&s);
	top->b = s.p;
	if (s.p >= s.end || *s.p != '{' || !value(&s, 0))
		return false;
	top->e = s.p;
	ws(&s);
	return s.p == s.end;
}

/* ---- over validated text: no checks, only the ends of things ---- */

/* Past the string at p (its opening quote). */
static const char *skip_string(const char *p)
{
	for (p++; *p != '"'; p++)
		if (*p == '\\')
			p++;
	return p + 1;
}

/* Past the value at p. */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	if (*p == '"')
		return skip_string(p);
	if (*p != '{' && *p != '[') {
		while (p < end && !strchr(",}] \t\n\r", *p))
			p++;
		return p;
	}
	do {
		if (*p == '"') {
			p = skip_string(p);
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']')
			depth--;
		p++;
	} while (depth > 0);
	return p;
}

static bool begin(struct bpfd_jspan v, struct bpfd_jsit *it, char open)
{
	if (!v.b || v.b >= v.e || *v.b != open)
		return false;
	it->p = skip_ws(v.b + 1, v.e);
	it->end = v.e;
	return true;
}

bool bpfd_js_obj(struct bpfd_jspan v, struct bpfd_jsit *it)
{
	return begin(v, it, '{');
}

bool bpfd_js_arr(struct bpfd_jspan v, struct bpfd_jsit *it)
{
	return begin(v, it, '[');
}

bool bpfd_js_arr_next(struct bpfd_jsit *it, struct bpfd_jspan *val)
{
	if (it->p >= it->end || *it->p == ']' || *it->p == '}')
		return false;
	val->b = it->p;
	val->e = skip_value(it->p, it->end);
	it->p = skip_ws(val->e, it->end);
	if (it->p < it->end && *it->p == ',')
		it->p = skip_ws(it->p + 1, it->end);
	return true;
}

bool bpfd_js_obj_next(struct bpfd_jsit *it, struct bpfd_jspan *key, bool *plain,
		      struct bpfd_jspan *val)
{
	if (it->p >= it->end || *it->p != '"')
		return false;
	key->b = it->p + 1;
	it->p = skip_string(it->p);
	key->e = it->p - 1;
	*plain = !memchr(key->b, '\\', (size_t)(key->e - key->b));
	it->p = skip_ws(skip_ws(it->p, it->end) + 1, it->end); /* the ':' */
	return bpfd_js_arr_next(it, val);
}

bool bpfd_js_key_is(struct bpfd_jspan key, bool plain, const char *s)
{
	size_t n = strlen(s);

	return plain && (size_t)(key.e - key.b) == n &&
	       memcmp(key.b, s, n) == 0;
}

bool bpfd_js_plain_string(struct bpfd_jspan v, const char **s, size_t *n)
{
	if (v.e - v.b < 2 || *v.b != '"' ||
	    memchr(v.b + 1, '\\', (size_t)(v.e - v.b - 2)))
		return false;
	*s = v.b + 1;
	*n = (size_t)(v.e - v.b - 2);
	return true;
}

bool bpfd_js_u64(struct bpfd_jspan v, uint64_t *out)
{
	uint64_t n = 0;

	if (v.b >= v.e || *v.b < '0' || *v.b > '9')
		return false;
	for (const char *p = v.b; p < v.e; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (d > 9 || n > (UINT64_MAX - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*out = n;
	return true;
}

bool bpfd_js_pick(struct bpfd_jspan v, const char *const *names, size_t n,
		  struct bpfd_jspan *found)
{
	struct bpfd_jsit it;
	struct bpfd_jspan k, val;
	bool plain;

	memset(found, 0, n * sizeof(*found));
	if (!bpfd_js_obj(v, &it))
		return false;
	while (bpfd_js_obj_next(&it, &k, &plain, &val)) {
		if (!plain)
			return false;
		for (size_t i = 0; i < n; i++)
			if (bpfd_js_key_is(k, plain, names[i]))
				found[i] = val;
	}
	return true;
}
