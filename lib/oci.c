// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The OCI state and config.json of a createRuntime hook: what bpfdelegate
 * uses of them, checked.  Both come from whoever writes the container's
 * spec (annotations in particular are set by the user who starts it), and
 * the hook runs as root: a value of the wrong type, a NUL byte or an
 * over-long path is an error, never a silent default or a cut string.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sys/capability.h>

#include "internal.h"
#include "jsonprune.h"
#include "oci.h"
#include "quote.h"

/* Which document is parsed, for the messages. */
struct oci_ctx {
	const char *what; /* "the OCI state", "config.json" */
	struct bpfd_error *err;
};

static int fail(const struct oci_ctx *c, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "<what>: <sentence>", a refusal: the errno is a code, not the story. */
static int fail(const struct oci_ctx *c, int err, const char *fmt, ...)
{
	char msg[224];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bpfd_error_set(c->err, BPFD_STEP_PARSE, err, "%s: %s", c->what, msg);
	if (c->err && err != ENOMEM) {
		c->err->refused = true;
		c->err->hint = NULL;
	}
	return -err;
}

static const char *type_name(json_object *v)
{
	return v ? json_type_to_name(json_object_get_type(v)) : "null";
}

/*
 * A NUL byte, raw or as \u0000, anywhere in @text.  json-c keeps it in a
 * value but cuts an object key there: {"bpfdelegate.io/maps\u0000x": ...}
 * would silently read as bpfdelegate.io/maps, a key the runtime and any
 * admission check see as another one.  No OCI document needs one.
 */
static bool has_nul(const char *text, size_t len)
{
	if (memchr(text, '\0', len))
		return true;
	for (size_t i = 0; i + 1 < len; i++) {
		if (text[i] != '\\')
			continue;
		if (text[i + 1] == 'u' && i + 5 < len &&
		    strncmp(text + i + 2, "0000", 4) == 0)
			return true;
		i++; /* the escaped character: "\\u0000" is text */
	}
	return false;
}

/* The whole of @text must be one JSON object (white space around it). */
static int parse_object(const struct oci_ctx *c, const char *text, size_t len,
			json_object **out)
{
	json_tokener *tok;
	enum json_tokener_error jerr;
	json_object *o;
	size_t end;
	bool eof = false;

	*out = NULL;
	if (len > INT32_MAX)
		return fail(c, E2BIG, "larger than 2 GiB");
	if (has_nul(text, len))
		return fail(c, EINVAL,
			    "contains a NUL byte (\\u0000), which no OCI "
			    "field may hold");
	tok = json_tokener_new();
	if (!tok)
		return fail(c, ENOMEM, "out of memory");
	o = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue && end == len) {
		/* A top-level "null" or number ends only at the terminating
		 * NUL, which json_tokener_parse() passes too. */
		o = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		/* json-c's words for input that ended early */
		eof = jerr == json_tokener_error_parse_eof ||
		      jerr == json_tokener_continue;
	}
	json_tokener_free(tok);
	while (jerr == json_tokener_success && end < len &&
	       strchr(" \t\r\n", text[end]) && text[end])
		end++;
	if (jerr != json_tokener_success) {
		json_object_put(o);
		return fail(c, EBADMSG, "not a JSON object: %s",
			    len == 0 ? "empty"
			    : eof    ? "truncated"
				     : json_tokener_error_desc(jerr));
	}
	if (end < len) {
		json_object_put(o);
		return fail(c, EBADMSG, "not a JSON object: text after it");
	}
	if (!json_object_is_type(o, json_type_object)) {
		int r = fail(c, EBADMSG, "not a JSON object: %s", type_name(o));

		json_object_put(o);
		return r;
	}
	*out = o;
	return 0;
}

/*
 * The string @v named @name: 0 with *out borrowed from @v, or -EINVAL for
 * another type, a NUL byte, or more than @max - 1 bytes (-E2BIG).
 */
static int take_string(const struct oci_ctx *c, json_object *v,
		       const char *name, size_t max, const char **out)
{
	char q[80];
	const char *s;
	size_t n;

	if (!json_object_is_type(v, json_type_string))
		return fail(c, EINVAL, "%s has type %s, not string", name,
			    type_name(v));
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (strlen(s) != n)
		return fail(c, EINVAL, "%s %s contains a NUL byte", name,
			    bpfd_quote_mem(q, sizeof(q), s, n));
	if (max && n >= max)
		return fail(c, E2BIG, "%s is longer than %zu bytes", name,
			    max - 1);
	*out = s;
	return 0;
}

/* Copy of a checked string, or -ENOMEM. */
static int dup_string(const struct oci_ctx *c, const char *s, char **out)
{
	char *d = strdup(s);

	if (!d)
		return fail(c, ENOMEM, "out of memory");
	*out = d;
	return 0;
}

/* The annotation @key, our @k (bpfd_oci_key_of(): -EINVAL unknown). */
static int take_annotation(const struct oci_ctx *c, const char *key, int k,
			   json_object *v, struct bpfd_oci_annotations *a)
{
	const char *s;
	char q[96];
	int r;

	if (k >= 0) {
		bpfd_quote(q, sizeof(q), key);
		r = take_string(
		    c, v, q, k == BPFD_OCI_TARGET ? BPFD_OCI_PATH_MAX : 0, &s);
		if (r < 0)
			return r;
		free(a->value[k]);
		return dup_string(c, s, &a->value[k]);
	}
	/*
	 * The prefix is ours: an unknown key is a typo ("map" for "maps")
	 * that would otherwise give the container another delegation than
	 * asked, and a warning from a hook that succeeds is never shown by
	 * runc.  So it is an error.
	 */
	return fail(c, EINVAL,
		    "unknown annotation %s (known: " BPFD_OCI_ANNOTATION_PREFIX
		    "{cmds,maps,progs,attachs,preset,target,unusable})",
		    bpfd_quote(q, sizeof(q), key));
}

static int take_annotations(const struct oci_ctx *c, json_object *doc,
			    struct bpfd_oci_annotations *a)
{
	json_object *ann;

	if (!json_object_object_get_ex(doc, "annotations", &ann))
		return 0;
	if (!json_object_is_type(ann, json_type_object))
		return fail(c, EINVAL,
			    "\"annotations\" has type %s, not object",
			    type_name(ann));
	a->present = true;
	json_object_object_foreach(ann, key, v)
	{
		int r, k = bpfd_oci_key_of(key, strlen(key));

		if (k == -ENOENT)
			continue;
		r = take_annotation(c, key, k, v, a);
		if (r < 0)
			return r;
	}
	return 0;
}

static void annotations_free(struct bpfd_oci_annotations *a)
{
	for (int k = 0; k < BPFD_OCI_NKEYS; k++) {
		free(a->value[k]);
		a->value[k] = NULL;
	}
}

/* "pid": a positive integer that can be a pid. */
static int take_pid(const struct oci_ctx *c, json_object *st, pid_t *pid)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(st, "pid", &v))
		return fail(c, EINVAL, "no \"pid\"");
	if (!json_object_is_type(v, json_type_int))
		return fail(c, EINVAL, "\"pid\" has type %s, not int",
			    type_name(v));
	n = json_object_get_int64(v);
	/* json-c saturates larger numbers at INT64_MAX: out of range too. */
	if (n <= 0 || n > BPFD_OCI_PID_MAX)
		return fail(c, EINVAL, "\"pid\" %lld is not a valid pid",
			    (long long)n);
	*pid = (pid_t)n;
	return 0;
}

static int state_fields(const struct oci_ctx *c, json_object *st,
			struct bpfd_oci_state *out)
{
	json_object *v;
	const char *s;
	char q[80];
	int r;

	r = take_pid(c, st, &out->pid);
	if (r < 0)
		return r;
	if (!json_object_object_get_ex(st, "bundle", &v))
		return fail(c, EINVAL, "no \"bundle\"");
	r = take_string(c, v, "\"bundle\"", BPFD_OCI_PATH_MAX, &s);
	if (r < 0)
		return r;
	if (s[0] != '/')
		return fail(c, EINVAL, "\"bundle\" %s is not an absolute path",
			    bpfd_quote(q, sizeof(q), s));
	r = dup_string(c, s, &out->bundle);
	if (r < 0)
		return r;
	s = "?";
	if (json_object_object_get_ex(st, "id", &v)) {
		r = take_string(c, v, "\"id\"", 0, &s);
		if (r < 0)
			return r;
	}
	r = dup_string(c, s, &out->id);
	if (r < 0)
		return r;
	return take_annotations(c, st, &out->ann);
}

int bpfd_oci_parse_state_whole(const char *text, size_t len, bool whole,
			       struct bpfd_oci_state *out,
			       struct bpfd_error *err)
{
	const struct oci_ctx c = {.what = "the OCI state", .err = err};
	json_object *st;
	int r;

	/* a runtime's plain state, read without json-c (lib/oci_fast.c) */
	if (!whole && len <= INT32_MAX && bpfd_oci_fast_state(text, len, out))
		return 0;
	memset(out, 0, sizeof(*out));
	r = parse_object(&c, text, len, &st);
	if (r < 0)
		return r;
	r = state_fields(&c, st, out);
	json_object_put(st);
	return r;
}

int bpfd_oci_parse_state(const char *text, size_t len,
			 struct bpfd_oci_state *out, struct bpfd_error *err)
{
	return bpfd_oci_parse_state_whole(text, len, false, out, err);
}

void bpfd_oci_state_free(struct bpfd_oci_state *s)
{
	free(s->id);
	free(s->bundle);
	s->id = s->bundle = NULL;
	annotations_free(&s->ann);
}

/* @arr (an array, or NULL) holds the string @s. */
static bool has_string(json_object *arr, const char *s)
{
	if (!json_object_is_type(arr, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i);

		if (json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), s) == 0)
			return true;
	}
	return false;
}

/*
 * @arr's capability names ("CAP_BPF") as bits 1 << CAP_x.  A name libcap
 * does not know sets *unknown (when given) and is left out: the sets are
 * only ever read to find a capability missing, and an unknown name is not
 * one bpfdelegate asks about.
 */
static uint64_t cap_bits(json_object *arr, bool *unknown)
{
	uint64_t bits = 0;

	if (!json_object_is_type(arr, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		cap_value_t cap;

		if (json_object_is_type(v, json_type_string) &&
		    cap_from_name(json_object_get_string(v), &cap) == 0 &&
		    cap >= 0 && cap < 64)
			bits |= 1ULL << cap;
		else if (unknown)
			*unknown = true;
	}
	return bits;
}

/* @v as a uint64 (json-c keeps numbers above INT64_MAX as uint64). */
static bool take_u64(json_object *v, uint64_t *out)
{
	if (!json_object_is_type(v, json_type_int))
		return false;
	if (json_object_get_int64(v) < 0)
		return false;
	*out = json_object_get_uint64(v);
	return true;
}

/* A string member @key of @o into @buf, or "" (false) when not one. */
static bool take_word(json_object *o, const char *key, char *buf, size_t len)
{
	json_object *v;

	buf[0] = '\0';
	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return false;
	snprintf(buf, len, "%s", json_object_get_string(v));
	return true;
}

static int take_errno(json_object *o, const char *key)
{
	json_object *v;
	uint64_t n;

	if (!json_object_object_get_ex(o, key, &v) || !take_u64(v, &n) ||
	    n > 4095)
		return -1;
	return (int)n;
}

/* One syscalls[] entry that names bpf; false when it cannot be read. */
static bool take_sc_rule(json_object *ent, size_t index,
			 struct bpfd_oci_sc_rule *r)
{
	json_object *args, *inc, *exc, *caps;

	memset(r, 0, sizeof(*r));
	r->index = index;
	if (!take_word(ent, "action", r->action, sizeof(r->action)))
		return false;
	r->errno_ret = take_errno(ent, "errnoRet");
	if (json_object_object_get_ex(ent, "args", &args) && args) {
		if (!json_object_is_type(args, json_type_array) ||
		    json_object_array_length(args) > BPFD_OCI_SC_ARGS_MAX)
			return false;
		for (size_t i = 0; i < json_object_array_length(args); i++) {
			json_object *a = json_object_array_get_idx(args, i), *v;
			struct bpfd_oci_sc_arg *x = &r->args[r->nargs++];
			uint64_t idx;

			if (!json_object_object_get_ex(a, "index", &v) ||
			    !take_u64(v, &idx) || idx > 5 ||
			    !take_word(a, "op", x->op, sizeof(x->op)))
				return false;
			x->index = (unsigned int)idx;
			if (json_object_object_get_ex(a, "value", &v) &&
			    !take_u64(v, &x->value))
				return false;
			if (json_object_object_get_ex(a, "valueTwo", &v) &&
			    !take_u64(v, &x->value2))
				return false;
		}
	}
	if (json_object_object_get_ex(ent, "includes", &inc) &&
	    json_object_object_get_ex(inc, "caps", &caps))
		r->includes_caps = cap_bits(caps, &r->unknown_cap);
	if (json_object_object_get_ex(ent, "excludes", &exc) &&
	    json_object_object_get_ex(exc, "caps", &caps))
		r->excludes_caps = cap_bits(caps, &r->unknown_cap);
	return true;
}

/*
 * linux.seccomp: the default action and the rules that name bpf.  Read
 * leniently: what cannot be read marks the profile unreadable, and an
 * unreadable profile never fails a container (bpfd_oci_seccomp_bpf()
 * gives no verdict); the runtime itself refuses a malformed profile.
 */
static void take_seccomp(json_object *linux_, struct bpfd_oci_seccomp *sc)
{
	json_object *o, *calls;

	if (!json_object_object_get_ex(linux_, "seccomp", &o) || !o)
		return;
	sc->present = true;
	if (!json_object_is_type(o, json_type_object) ||
	    !take_word(o, "defaultAction", sc->default_action,
		       sizeof(sc->default_action))) {
		sc->unreadable = true;
		return;
	}
	sc->default_errno = take_errno(o, "defaultErrnoRet");
	if (!json_object_object_get_ex(o, "syscalls", &calls) || !calls)
		return;
	if (!json_object_is_type(calls, json_type_array)) {
		sc->unreadable = true;
		return;
	}
	for (size_t i = 0; i < json_object_array_length(calls); i++) {
		json_object *ent = json_object_array_get_idx(calls, i), *names;

		if (!json_object_object_get_ex(ent, "names", &names) ||
		    !has_string(names, "bpf"))
			continue;
		if (sc->nrules == BPFD_OCI_SC_RULES_MAX) {
			sc->too_many = true;
			continue;
		}
		if (!take_sc_rule(ent, i, &sc->rule[sc->nrules++]))
			sc->unreadable = true;
	}
}

/*
 * linux.namespaces has a "user" entry; process.capabilities' sets;
 * process.user.uid; linux.seccomp.  Leniency is safe here: anything
 * unusual reads as "no user namespace" (the hook refuses), "no CAP_BPF"
 * (it refuses, or warns) or an unreadable seccomp profile (no verdict).
 */
static void take_linux_process(json_object *cfg, struct bpfd_oci_config *out)
{
	json_object *linux_ = NULL, *ns, *proc, *caps, *user, *v;

	if (json_object_object_get_ex(cfg, "linux", &linux_) &&
	    json_object_object_get_ex(linux_, "namespaces", &ns) &&
	    json_object_is_type(ns, json_type_array))
		for (size_t i = 0; i < json_object_array_length(ns); i++) {
			json_object *t;

			if (json_object_object_get_ex(
				json_object_array_get_idx(ns, i), "type", &t) &&
			    json_object_is_type(t, json_type_string) &&
			    strcmp(json_object_get_string(t), "user") == 0)
				out->has_userns = true;
		}
	if (json_object_is_type(linux_, json_type_object))
		take_seccomp(linux_, &out->seccomp);
	if (!json_object_object_get_ex(cfg, "process", &proc))
		return;
	if (json_object_object_get_ex(proc, "user", &user) &&
	    json_object_object_get_ex(user, "uid", &v)) {
		uint64_t uid;

		out->uid = take_u64(v, &uid) && uid <= UINT32_MAX
			       ? (uint32_t)uid
			       : UINT32_MAX;
	}
	if (json_object_object_get_ex(proc, "capabilities", &caps) &&
	    json_object_is_type(caps, json_type_object)) {
		out->caps_known = true;
		for (int s = 0; s < BPFD_OCI_NCAPSETS; s++) {
			json_object *set = NULL;

			json_object_object_get_ex(
			    caps, bpfd_oci_cap_set_name(s), &set);
			out->caps[s] = cap_bits(set, NULL);
		}
		out->has_cap_bpf =
		    (out->caps[BPFD_OCI_EFFECTIVE] >> CAP_BPF) & 1;
	}
}

static int config_fields(const struct oci_ctx *c, json_object *cfg,
			 struct bpfd_oci_config *out)
{
	json_object *root, *v;
	const char *s;
	int r;

	if (!json_object_object_get_ex(cfg, "root", &root) ||
	    !json_object_object_get_ex(root, "path", &v))
		return fail(c, EINVAL, "no root.path");
	r = take_string(c, v, "root.path", BPFD_OCI_PATH_MAX, &s);
	if (r < 0)
		return r;
	if (!*s)
		return fail(c, EINVAL, "root.path is empty");
	r = dup_string(c, s, &out->root_path);
	if (r < 0)
		return r;
	take_linux_process(cfg, out);
	return take_annotations(c, cfg, &out->ann);
}

/* What config_fields() reads, and nothing else: json-c builds its tree of
 * these only.  Change both together (tests/fuzz/fuzz_oci.c compares the
 * two ways on every input). */
static const struct bpfd_json_keep config_keep[] = {
    {"root", NULL},	  {"annotations", NULL}, {"linux", "namespaces"},
    {"linux", "seccomp"}, {"process", "user"},	 {"process", "capabilities"},
};

int bpfd_oci_parse_config_whole(const char *text, size_t len, bool whole,
				struct bpfd_oci_config *out,
				struct bpfd_error *err)
{
	const struct oci_ctx c = {.what = "config.json", .err = err};
	_cleanup_free_ char *pruned = NULL;
	json_object *cfg;
	ssize_t n = -1;
	int r;

	/* a runtime's plain config, read without json-c (lib/oci_fast.c) */
	if (!whole && len <= INT32_MAX && bpfd_oci_fast_config(text, len, out))
		return 0;
	memset(out, 0, sizeof(*out));
	/*
	 * Else json-c: a tree of the members read only (a seccomp profile,
	 * podman's, is most of it); of the whole document it took ~60 us for
	 * runc's default 3.7 KB config (every mount, env entry and masked
	 * path).  Anything the pruning scan does not take (jsonprune.h), a
	 * NUL anywhere included (raw or \u0000, in any string), is parsed
	 * whole, for json-c's own verdict.
	 */
	if (!whole && len < INT32_MAX && (pruned = malloc(len + 16)))
		n = bpfd_json_prune(text, len, config_keep,
				    ARRAY_SIZE(config_keep), pruned, len + 16);
	r = n >= 0 ? parse_object(&c, pruned, (size_t)n, &cfg)
		   : parse_object(&c, text, len, &cfg);
	if (r < 0)
		return r;
	r = config_fields(&c, cfg, out);
	json_object_put(cfg);
	/* Nothing half-parsed is left to the caller to free. */
	if (r < 0)
		bpfd_oci_config_free(out);
	return r;
}

int bpfd_oci_parse_config(const char *text, size_t len,
			  struct bpfd_oci_config *out, struct bpfd_error *err)
{
	return bpfd_oci_parse_config_whole(text, len, false, out, err);
}

void bpfd_oci_config_free(struct bpfd_oci_config *c)
{
	free(c->root_path);
	c->root_path = NULL;
	annotations_free(&c->ann);
}

int bpfd_oci_rootfs(const char *bundle, const char *root_path, char *buf,
		    size_t len, struct bpfd_error *err)
{
	const struct oci_ctx c = {.what = "config.json", .err = err};
	bool rel = root_path && root_path[0] != '/';
	int n;

	if (!bundle || !root_path || !*root_path || !buf || !len)
		return bpfd_error_set(err, BPFD_STEP_ARGS, EINVAL,
				      "oci rootfs: bad arguments");
	if (len > BPFD_OCI_PATH_MAX)
		len = BPFD_OCI_PATH_MAX;
	/* Both are the runtime's own paths; a relative root is under the
	 * bundle. */
	n = snprintf(buf, len, "%s%s%s", rel ? bundle : "", rel ? "/" : "",
		     root_path);
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return fail(&c, E2BIG,
			    "the rootfs (bundle + root.path) is longer than "
			    "%zu bytes",
			    len - 1);
	}
	return 0;
}
