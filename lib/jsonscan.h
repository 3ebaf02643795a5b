/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A validating JSON scan without allocation, for documents read on the
 * hook's fast path (issue 11): a strict subset of what json-c accepts.
 * RFC 8259 grammar, at most 24 levels deep, integers of at most 20 digits
 * (no fraction, exponent or leading zero), no control character, \u0000
 * or surrogate escape in a string.  A document outside the subset is not
 * an error of the document: the caller hands it whole to json-c, which
 * then says what, if anything, is wrong with it.
 */
#ifndef BPFD_JSONSCAN_H
#define BPFD_JSONSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A value's bytes, [b, e). */
struct bpfd_jspan {
	const char *b, *e;
};

/* An iteration over an object's members or an array's elements. */
struct bpfd_jsit {
	const char *p, *end;
};

/* @text (@len bytes) is one object of the subset, white space around it:
 * *top is the object. */
bool bpfd_js_valid(const char *text, size_t len, struct bpfd_jspan *top);

/*
 * Over a span of a document bpfd_js_valid() took.  _obj/_arr start an
 * iteration (false: @v is not an object / array); _next give the next
 * member (its key's raw bytes between the quotes, *plain when it has no
 * escape) or element, false at the end.
 */
bool bpfd_js_obj(struct bpfd_jspan v, struct bpfd_jsit *it);
bool bpfd_js_obj_next(struct bpfd_jsit *it, struct bpfd_jspan *key, bool *plain,
		      struct bpfd_jspan *val);
bool bpfd_js_arr(struct bpfd_jspan v, struct bpfd_jsit *it);
bool bpfd_js_arr_next(struct bpfd_jsit *it, struct bpfd_jspan *val);

/*
 * The members of object @v named @names (@n), the last of duplicates as
 * json-c takes them, into @found[i] (b NULL: absent).  False when @v is
 * not an object or one of its keys is escaped ("\u0072oot" is "root" to
 * json-c).
 */
bool bpfd_js_pick(struct bpfd_jspan v, const char *const *names, size_t n,
		  struct bpfd_jspan *found);

/* @key (raw, from _obj_next, plain) is @s. */
bool bpfd_js_key_is(struct bpfd_jspan key, bool plain, const char *s);

/* @v is a string without escapes: *s (not NUL-terminated), *n bytes. */
bool bpfd_js_plain_string(struct bpfd_jspan v, const char **s, size_t *n);

/* @v is a non-negative integer that fits 64 bits. */
bool bpfd_js_u64(struct bpfd_jspan v, uint64_t *out);

#endif
