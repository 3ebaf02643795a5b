// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reading what users paste: an errno, or libbpf's messages about tokens.
 * libbpf (bpf_object_prepare_token(), 1.4+) prints, for a path it was not
 * told to use (no LIBBPF_BPF_TOKEN_PATH, no bpf_token_path):
 *   object 'x': failed (%d) to open BPF FS mount at '%s', skipping optional
 * step... object 'x': failed (%d) to create BPF token from '%s', skipping
 * optional step... object 'x': BPF FS at '%s' doesn't have BPF token delegation
 * set up, skipping... and without ", skipping optional step..." when the token
 * was asked for (then loading fails).  Newer libbpf may print "-EINVAL" for the
 * number.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <bpfdelegate/diag.h>

#include "internal.h"

/* Highest errno value looked up by name. */
#define ERRNO_MAX 200

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int errno_by_name(const char *w)
{
	static const struct {
		const char *alias;
		int err;
	} aliases[] = {{"ENOTSUP", EOPNOTSUPP},
		       {"EWOULDBLOCK", EAGAIN},
		       {"EDEADLOCK", EDEADLK}};

	for (size_t i = 0; i < ARRAY_SIZE(aliases); i++)
		if (strcasecmp(w, aliases[i].alias) == 0)
			return aliases[i].err;
	for (int e = 1; e <= ERRNO_MAX; e++) {
		const char *n = strerrorname_np(e);

		if (n && strcasecmp(w, n) == 0)
			return e;
	}
	/* the strerror() text, e.g. "Operation not supported" */
	for (int e = 1; e <= ERRNO_MAX; e++)
		if (strerrorname_np(e) && strcasecmp(w, strerror(e)) == 0)
			return e;
	return -EINVAL;
}

int bpfd_errno_parse(const char *word)
{
	char buf[64], *s, *end;
	size_t len;
	long v;

	if (!word)
		return -EINVAL;
	while (isspace((unsigned char)*word))
		word++;
	len = strlen(word);
	while (len && isspace((unsigned char)word[len - 1]))
		len--;
	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, word, len);
	buf[len] = '\0';
	s = buf[0] == '-' ? buf + 1 : buf;
	if (!all_digits(s))
		return errno_by_name(s);
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > ERRNO_MAX ||
	    !strerrorname_np((int)v))
		return -EINVAL;
	return (int)v;
}

/* Copy the text between @open and the next @close after @at into @out. */
static bool between(const char *at, char open, char close, char *out,
		    size_t len)
{
	const char *a = strchr(at, open), *b;

	if (!a)
		return false;
	b = strchr(a + 1, close);
	if (!b || (size_t)(b - a - 1) >= len)
		return false;
	memcpy(out, a + 1, (size_t)(b - a - 1));
	out[b - a - 1] = '\0';
	return true;
}

/*
 * The path quoted after @at (which points at its opening quote).  libbpf
 * follows it with ", skipping ...", " doesn't have ...", or ends the line
 * with it; those closing quotes are looked for first, so that a path may
 * itself hold quotes; else the next quote closes it.  -ENAMETOOLONG when
 * it does not fit, -EINVAL without a closing quote.
 */
static int quoted_path(const char *at, char *out, size_t len)
{
	static const char *const ends[] = {"', skipping", "' doesn't"};
	const char *a = at + 1, *b = NULL;
	size_t n = strlen(a);

	for (size_t i = 0; !b && i < sizeof(ends) / sizeof(ends[0]); i++)
		b = strstr(a, ends[i]);
	while (!b && n && (a[n - 1] == '\n' || a[n - 1] == ' '))
		n--;
	if (!b && n && a[n - 1] == '\'')
		b = a + n - 1;
	if (!b)
		b = strchr(a, '\'');
	if (!b)
		return -EINVAL;
	if ((size_t)(b - a) >= len)
		return -ENAMETOOLONG;
	memcpy(out, a, (size_t)(b - a));
	out[b - a] = '\0';
	return 0;
}

static int path_from(const char *quote, struct bpfd_explain_query *q,
		     struct bpfd_error *err)
{
	int r = quoted_path(quote, q->path, sizeof(q->path));

	if (r == -ENAMETOOLONG)
		return bpfd_error_set(err, BPFD_STEP_PARSE, ENAMETOOLONG,
				      "the path in the message is longer than "
				      "%zu bytes",
				      sizeof(q->path) - 1);
	if (r < 0)
		return bpfd_error_set(err, BPFD_STEP_PARSE, EINVAL,
				      "the path in the message has no closing "
				      "quote");
	return 0;
}

/* "failed (X) to <what> '<path>'": errno X and the path. */
static int parse_failed(const char *text, const char *what,
			struct bpfd_explain_query *q, struct bpfd_error *err)
{
	const char *at = strcasestr(text, what);
	const char *f = NULL;
	char num[64];

	/* the last "failed (" before @what holds the errno */
	for (const char *p = strcasestr(text, "failed ("); p && p < at;
	     p = strcasestr(p + 1, "failed ("))
		f = p;
	if (!f || !between(f, '(', ')', num, sizeof(num)))
		return bpfd_error_set(err, BPFD_STEP_PARSE, EINVAL,
				      "no errno in \"failed (...)\"");
	q->err = bpfd_errno_parse(num);
	if (q->err < 0)
		return bpfd_error_set(err, BPFD_STEP_PARSE, EINVAL,
				      "'%s' is not an errno", num);
	return path_from(at + strlen(what) - 1, q, err);
}

int bpfd_explain_parse(const char *text, struct bpfd_explain_query *q,
		       struct bpfd_error *err)
{
	if (!text || !q)
		return bpfd_error_set(err, BPFD_STEP_ARGS, EINVAL, NULL);
	memset(q, 0, sizeof(*q));
	q->optional = strcasestr(text, "skipping optional step") != NULL;
	if (strcasestr(text, "to create BPF token from '")) {
		q->libbpf = true;
		return parse_failed(text, "to create BPF token from '", q, err);
	}
	if (strcasestr(text, "to open BPF FS mount at '")) {
		q->libbpf = q->open_step = true;
		return parse_failed(text, "to open BPF FS mount at '", q, err);
	}
	if (strcasestr(text, "doesn't have BPF token delegation set up")) {
		/* libbpf's quiet ENOENT case: it always goes on */
		const char *at = strcasestr(text, "BPF FS at '");

		q->libbpf = q->optional = true;
		q->err = ENOENT;
		return at ? path_from(at + 10, q, err) : 0;
	}
	q->err = bpfd_errno_parse(text);
	if (q->err < 0)
		return bpfd_error_set(err, BPFD_STEP_PARSE, EINVAL,
				      "'%.64s' is not an errno name or number, "
				      "nor a libbpf message explain knows",
				      text);
	return 0;
}

bool bpfd_explain_harmless(const struct bpfd_explain_query *q)
{
	return q && q->libbpf && q->optional && !q->userns;
}
