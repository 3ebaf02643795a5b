// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The administrator's policy (lib/policy.h): read from a directory fixed
 * at build time, every file and directory checked before it is read, one
 * rule per line.  Grammar and matching: docs/policy.md.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpfdelegate/engine.h>

#include "internal.h"
#include "policy.h"
#include "quote.h"

/* Bounds: the policy is root's, but a huge or endless file must not make
 * a front door allocate without limit. */
#define POLICY_FILE_MAX (64 * 1024) /* bytes per file */
#define POLICY_DIR_MAX 128	    /* entries of policy.d, presets.d */
#define POLICY_WORDS_MAX 32	    /* words on one line */

enum rule_kind { RULE_USER = 1, RULE_GROUP, RULE_CONTAINER };

struct rule {
	enum rule_kind kind;
	unsigned int id; /* uid or gid */
	char *oci_id;	 /* container: globs, NULL when not given */
	char *bundle;
	struct bpfd_delegation grant;
	unsigned int commands;
	bool netns_host;
	char *paths; /* ","-joined globs */
	char where[300];
};

struct admin_preset {
	char *name;
	struct bpfd_delegation d;
};

struct bpfd_policy {
	const struct bpfd_names *names;
	struct rule *rules;
	size_t nrules;
	struct admin_preset *presets;
	size_t npresets;
	size_t nfiles;
};

const char *bpfd_policy_dir(void)
{
	return BPFD_POLICY_DIR;
}

size_t bpfd_policy_nfiles(const struct bpfd_policy *p)
{
	return p ? p->nfiles : 0;
}

void bpfd_policy_free(struct bpfd_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nrules; i++) {
		free(p->rules[i].oci_id);
		free(p->rules[i].bundle);
		free(p->rules[i].paths);
	}
	for (size_t i = 0; i < p->npresets; i++)
		free(p->presets[i].name);
	free(p->rules);
	free(p->presets);
	free(p);
}

/* A refusal of the whole policy: -@err, the sentence in the detail. */
static int refuse(struct bpfd_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int refuse(struct bpfd_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = bpfd_error_setv(err, BPFD_STEP_POLICY, errnum, fmt, ap);
	va_end(ap);
	if (err) {
		err->refused = true;
		if (errnum == EPERM)
			err->hint = "only root may write the policy: it is "
				    "refused whole";
		else if (errnum == EINVAL)
			err->hint = "the policy is refused whole";
	}
	return r;
}

/* ---- file safety ---- */

/*
 * Only root may have written what the policy says: a file or directory
 * another user owns, or one group or others may write, could grant that
 * user anything.  The caller opened it with O_NOFOLLOW (relative to an
 * already checked directory), so @st is the object itself, not a
 * symlink's target.
 */
static int check_safe(const struct stat *st, const char *path, bool dir,
		      struct bpfd_error *err)
{
	if (dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode))
		return refuse(err, EPERM, "%s: not a %s", path,
			      dir ? "directory" : "regular file");
	if (st->st_uid != 0)
		return refuse(err, EPERM, "%s: owned by uid %u, not root", path,
			      (unsigned int)st->st_uid);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return refuse(err, EPERM,
			      "%s: writable by group or others (mode %04o)",
			      path, (unsigned int)(st->st_mode & 07777));
	return 0;
}

/* Why opening @name (O_NOFOLLOW) in @dfd failed: a symlink, or else. */
static int open_failed(int dfd, const char *name, const char *path,
		       struct bpfd_error *err)
{
	int errnum = errno;
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode))
		return refuse(err, EPERM, "%s: a symbolic link is not accepted",
			      path);
	if (errnum == ENOTDIR)
		return refuse(err, EPERM, "%s: not a directory", path);
	return bpfd_error_set(err, BPFD_STEP_POLICY, errnum, "%s", path);
}

/*
 * Open @name in @dfd (AT_FDCWD: an absolute @name) with @flags and
 * O_NOFOLLOW, fstat it and check it (check_safe(), a directory when @dir):
 * 0 with *@out its fd, 1 when it does not exist, or -errno.
 */
static int open_checked(int dfd, const char *name, const char *path, int flags,
			bool dir, int *out, struct bpfd_error *err)
{
	_cleanup_close_ int fd =
	    openat(dfd, name, flags | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	int r;

	*out = BPFD_NO_FD;
	if (fd < 0)
		return errno == ENOENT ? 1 : open_failed(dfd, name, path, err);
	if (fstat(fd, &st) < 0)
		return bpfd_error_set(err, BPFD_STEP_POLICY, errno, "%s", path);
	r = check_safe(&st, path, dir, err);
	if (r < 0)
		return r;
	*out = TAKE_FD(fd);
	return 0;
}

/*
 * Open directory @name in @dfd (AT_FDCWD: an absolute @name) and check
 * it: 0 with *@out its fd, 0 with *@out BPFD_NO_FD when it does not
 * exist, or -errno.
 */
static int open_dir(int dfd, const char *name, const char *path, int *out,
		    struct bpfd_error *err)
{
	int r = open_checked(dfd, name, path, O_RDONLY | O_DIRECTORY, true, out,
			     err);

	return r == 1 ? 0 : r;
}

/*
 * Read file @name of @dfd, checked, into *@text (NUL-terminated, owned
 * by the caller).  1 when it does not exist, 0, or -errno.  O_NONBLOCK:
 * opening a FIFO must not wait for a writer (it is then refused as not
 * a regular file).
 */
static int read_file(int dfd, const char *name, const char *path, char **text,
		     struct bpfd_error *err)
{
	_cleanup_close_ int fd = BPFD_NO_FD;
	_cleanup_free_ char *buf = NULL;
	size_t n = 0;
	int r;

	r = open_checked(dfd, name, path, O_RDONLY | O_NONBLOCK | O_NOCTTY,
			 false, &fd, err);
	if (r)
		return r;
	buf = malloc(POLICY_FILE_MAX + 2);
	if (!buf)
		return bpfd_error_set(err, BPFD_STEP_POLICY, ENOMEM, "%s",
				      path);
	/* Read one byte more than allowed: a file that grew is refused. */
	while (n <= POLICY_FILE_MAX) {
		ssize_t k = read(fd, buf + n, POLICY_FILE_MAX + 1 - n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return bpfd_error_set(err, BPFD_STEP_POLICY, errno,
					      "%s", path);
		if (k == 0)
			break;
		n += (size_t)k;
	}
	if (n > POLICY_FILE_MAX)
		return refuse(err, EPERM, "%s: larger than %d bytes", path,
			      POLICY_FILE_MAX);
	if (memchr(buf, '\0', n))
		return refuse(err, EINVAL, "%s: contains a NUL byte", path);
	buf[n] = '\0';
	*text = TAKE_PTR(buf);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/*
 * The entries of directory @fd, sorted (strcmp: byte order, not the
 * locale's), without "." ".." and names starting with ".".
 */
static int list_dir(int fd, const char *path, char ***out, size_t *count,
		    struct bpfd_error *err)
{
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	char **v = NULL;
	size_t n = 0;
	struct dirent *de;
	int r = 0;

	if (!d) {
		r = bpfd_error_set(err, BPFD_STEP_POLICY, errno, "%s", path);
		if (dup_fd >= 0)
			close(dup_fd);
		return r;
	}
	v = calloc(POLICY_DIR_MAX, sizeof(*v));
	if (!v)
		r = bpfd_error_set(err, BPFD_STEP_POLICY, ENOMEM, "%s", path);
	while (r == 0 && (errno = 0, de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == POLICY_DIR_MAX)
			r = refuse(err, EPERM, "%s: more than %d entries", path,
				   POLICY_DIR_MAX);
		else if (!(v[n++] = strdup(de->d_name)))
			r = bpfd_error_set(err, BPFD_STEP_POLICY, ENOMEM, "%s",
					   path);
	}
	if (r == 0 && errno)
		r = bpfd_error_set(err, BPFD_STEP_POLICY, errno, "%s", path);
	closedir(d);
	if (r < 0) {
		free_names(v, n);
		return r;
	}
	qsort(v, n, sizeof(*v), cmp_names);
	*out = v;
	*count = n;
	return 0;
}

/* ---- the grammar ---- */

struct line_ctx {
	struct bpfd_policy *p;
	const char *where; /* "FILE:LINE" */
	struct bpfd_error *err;
};

/* A syntax error at FILE:LINE. */
static int syntax(const struct line_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int syntax(const struct line_ctx *c, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return refuse(c->err, EINVAL, "%s: %s", c->where, msg);
}

static const struct admin_preset *find_admin_preset(const struct bpfd_policy *p,
						    const char *name)
{
	for (size_t i = 0; i < p->npresets; i++)
		if (strcmp(p->presets[i].name, name) == 0)
			return &p->presets[i];
	return NULL;
}

/* preset=NAME[,NAME...]: built-in (names this kernel lacks left out: a
 * grant is a maximum) or from presets.d. */
static int add_presets(const struct line_ctx *c, const char *value,
		       struct bpfd_delegation *d)
{
	_cleanup_free_ char *copy = strdup(value);
	char *save = NULL, q[96];

	if (!copy)
		return bpfd_error_set(c->err, BPFD_STEP_POLICY, ENOMEM, NULL);
	for (char *w = strtok_r(copy, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		const struct admin_preset *a = find_admin_preset(c->p, w);
		struct bpfd_error e = {0};

		if (a) {
			for (int k = 0; k < BPFD_NKINDS; k++)
				d->mask[k] |= a->d.mask[k];
			continue;
		}
		if (!bpfd_preset_find(w))
			return syntax(c, "unknown preset %s",
				      bpfd_quote(q, sizeof(q), w));
		if (bpfd_preset_apply_known(c->p->names, w, d, NULL, &e) < 0)
			return syntax(c, "preset %s: %s",
				      bpfd_quote(q, sizeof(q), w), e.detail);
	}
	return 0;
}

/* A delegation key (cmds maps progs attachs preset): 1 taken, 0 not one,
 * or -errno. */
static int grant_key(const struct line_ctx *c, const char *key,
		     const char *value, struct bpfd_delegation *d)
{
	if (strcmp(key, "preset") == 0)
		return add_presets(c, value, d) ?: 1;
	for (int k = 0; k < BPFD_NKINDS; k++) {
		struct bpfd_error e = {0};

		if (strcmp(key, bpfd_kind_name((enum bpfd_kind)k)) != 0)
			continue;
		if (bpfd_parse_list(c->p->names, (enum bpfd_kind)k, value,
				    &d->mask[k], &e) < 0)
			return syntax(c, "%s=: %s", key, e.detail);
		return 1;
	}
	return 0;
}

static int parse_commands(const struct line_ctx *c, const char *value,
			  unsigned int *out)
{
	_cleanup_free_ char *copy = strdup(value);
	char *save = NULL, q[96];

	if (!copy)
		return bpfd_error_set(c->err, BPFD_STEP_POLICY, ENOMEM, NULL);
	*out = 0;
	for (char *w = strtok_r(copy, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		if (strcmp(w, "check") == 0)
			*out |= BPFD_POLICY_CHECK;
		else if (strcmp(w, "run") == 0)
			*out |= BPFD_POLICY_RUN;
		else if (strcmp(w, "attach") == 0)
			*out |= BPFD_POLICY_ATTACH;
		else
			return syntax(c,
				      "commands=: unknown command %s (check, "
				      "run, attach)",
				      bpfd_quote(q, sizeof(q), w));
	}
	return 0;
}

/* Every ","-separated glob of paths= and bundle= is absolute. */
static int absolute_globs(const struct line_ctx *c, const char *key,
			  const char *value)
{
	for (const char *s = value; *s; s += strcspn(s, ",")) {
		if (*s == ',')
			s++;
		if (*s != '/')
			return syntax(c, "%s=: each path must be absolute",
				      key);
	}
	return 0;
}

/* A uid or gid: a number, or a name from the passwd / group database. */
static int resolve_id(const struct line_ctx *c, bool group, const char *word,
		      unsigned int *id)
{
	char *end, buf[16384], q[96];
	unsigned long v;
	int r;

	errno = 0;
	v = strtoul(word, &end, 10);
	if (word[0] >= '0' && word[0] <= '9') {
		if (errno || *end || v >= UINT32_MAX)
			return syntax(c, "invalid %s id %s",
				      group ? "group" : "user",
				      bpfd_quote(q, sizeof(q), word));
		*id = (unsigned int)v;
		return 0;
	}
	if (group) {
		struct group g, *gp = NULL;

		r = getgrnam_r(word, &g, buf, sizeof(buf), &gp);
		if (gp)
			*id = gp->gr_gid;
	} else {
		struct passwd pw, *pp = NULL;

		r = getpwnam_r(word, &pw, buf, sizeof(buf), &pp);
		if (pp)
			*id = pp->pw_uid;
	}
	(void)r;
	return *id == UINT32_MAX
		   ? syntax(c, "unknown %s %s", group ? "group" : "user",
			    bpfd_quote(q, sizeof(q), word))
		   : 0;
}

static int set_str(const struct line_ctx *c, char **dst, const char *value)
{
	*dst = strdup(value);
	return *dst ? 0
		    : bpfd_error_set(c->err, BPFD_STEP_POLICY, ENOMEM, NULL);
}

/* The keys other than the delegation's: each at most once. */
static const struct {
	const char *key;
	bool user, container; /* applies to user/group rules, container */
} rule_keys[] = {
    {"commands", true, false}, {"netns", true, false},	{"paths", true, true},
    {"id", false, true},       {"bundle", false, true},
};

/* One KEY=VALUE of a rule; the delegation keys add up, the others once. */
static int rule_key(const struct line_ctx *c, struct rule *r, const char *key,
		    const char *value, unsigned int *seen)
{
	int k = grant_key(c, key, value, &r->grant);
	size_t i;
	char q[96];

	if (k)
		return k < 0 ? k : 0;
	for (i = 0; i < ARRAY_SIZE(rule_keys); i++)
		if (strcmp(key, rule_keys[i].key) == 0)
			break;
	if (i == ARRAY_SIZE(rule_keys))
		return syntax(c, "unknown key %s",
			      bpfd_quote(q, sizeof(q), key));
	if (*seen & (1u << i))
		return syntax(c, "%s= given twice", key);
	*seen |= 1u << i;
	if (r->kind == RULE_CONTAINER ? !rule_keys[i].container
				      : !rule_keys[i].user)
		return syntax(c, "%s= does not apply to %s rules", key,
			      r->kind == RULE_CONTAINER ? "container"
							: "user and group");
	if (strcmp(key, "commands") == 0)
		return parse_commands(c, value, &r->commands);
	if (strcmp(key, "netns") == 0) {
		if (strcmp(value, "host") && strcmp(value, "new"))
			return syntax(c, "netns=: host or new, not %s",
				      bpfd_quote(q, sizeof(q), value));
		r->netns_host = strcmp(value, "host") == 0;
		return 0;
	}
	if (strcmp(key, "id") == 0)
		return set_str(c, &r->oci_id, value);
	if (absolute_globs(c, key, value) < 0)
		return -EINVAL;
	return set_str(c, strcmp(key, "paths") == 0 ? &r->paths : &r->bundle,
		       value);
}

static void rule_clear(struct rule *r)
{
	free(r->oci_id);
	free(r->bundle);
	free(r->paths);
}

/* user NAME|UID KEY=VALUE..., group NAME|GID ..., container ... */
static int parse_rule(const struct line_ctx *c, char **w, size_t n)
{
	struct rule r = {0}, *grown;
	unsigned int seen = 0;
	size_t i = 1;
	int ret = 0;

	if (strcmp(w[0], "user") == 0)
		r.kind = RULE_USER;
	else if (strcmp(w[0], "group") == 0)
		r.kind = RULE_GROUP;
	else
		r.kind = RULE_CONTAINER;
	r.commands = r.kind == RULE_CONTAINER
			 ? BPFD_POLICY_ATTACH
			 : BPFD_POLICY_CHECK | BPFD_POLICY_RUN;
	if (r.kind != RULE_CONTAINER) {
		if (n < 2 || strchr(w[1], '='))
			return syntax(c, "%s needs a name or an id first",
				      w[0]);
		r.id = UINT32_MAX;
		ret = resolve_id(c, r.kind == RULE_GROUP, w[1], &r.id);
		i = 2;
	}
	for (; ret == 0 && i < n; i++) {
		char *eq = strchr(w[i], '='), q[96];

		if (!eq || eq == w[i] || !eq[1]) {
			ret = syntax(c, "expected KEY=VALUE, not %s",
				     bpfd_quote(q, sizeof(q), w[i]));
			break;
		}
		*eq = '\0';
		ret = rule_key(c, &r, w[i], eq + 1, &seen);
	}
	if (ret == 0 && !r.paths && !(r.paths = strdup(BPFD_DEFAULT_TARGET)))
		ret = bpfd_error_set(c->err, BPFD_STEP_POLICY, ENOMEM, NULL);
	grown = ret == 0 ? reallocarray(c->p->rules, c->p->nrules + 1,
					sizeof(*grown))
			 : NULL;
	if (ret == 0 && !grown)
		ret = bpfd_error_set(c->err, BPFD_STEP_POLICY, ENOMEM, NULL);
	if (ret < 0) {
		rule_clear(&r);
		return ret;
	}
	snprintf(r.where, sizeof(r.where), "%s", c->where);
	c->p->rules = grown;
	c->p->rules[c->p->nrules++] = r;
	return 0;
}

/* preset NAME KEY=VALUE... (presets.d only; delegation keys only) */
static int parse_preset(const struct line_ctx *c, char **w, size_t n)
{
	struct admin_preset a = {0}, *grown;
	char q[96];

	if (n < 2 || strchr(w[1], '='))
		return syntax(c, "preset needs a name first");
	if (bpfd_preset_find(w[1]) || find_admin_preset(c->p, w[1]))
		return syntax(c, "preset %s is already defined%s",
			      bpfd_quote(q, sizeof(q), w[1]),
			      bpfd_preset_find(w[1]) ? " (built in)" : "");
	for (size_t i = 2; i < n; i++) {
		char *eq = strchr(w[i], '=');
		int r;

		if (!eq || eq == w[i] || !eq[1])
			return syntax(c, "expected KEY=VALUE, not %s",
				      bpfd_quote(q, sizeof(q), w[i]));
		*eq = '\0';
		r = grant_key(c, w[i], eq + 1, &a.d);
		if (r < 0)
			return r;
		if (r == 0)
			return syntax(c,
				      "unknown key %s in a preset "
				      "(cmds, maps, progs, attachs, preset)",
				      bpfd_quote(q, sizeof(q), w[i]));
	}
	grown = reallocarray(c->p->presets, c->p->npresets + 1, sizeof(*grown));
	if (!grown || !(a.name = strdup(w[1]))) {
		if (grown)
			c->p->presets = grown;
		return bpfd_error_set(c->err, BPFD_STEP_POLICY, ENOMEM, NULL);
	}
	c->p->presets = grown;
	c->p->presets[c->p->npresets++] = a;
	return 0;
}

/* One line: "#" starts a comment; words are separated by blanks. */
static int parse_line(const struct line_ctx *c, char *line, bool presets)
{
	char *w[POLICY_WORDS_MAX], *save = NULL, q[96];
	size_t n = 0;

	line[strcspn(line, "#")] = '\0';
	for (const char *s = line; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			return syntax(c, "control character 0x%02x",
				      (unsigned char)*s);
	for (char *t = strtok_r(line, " \t", &save); t;
	     t = strtok_r(NULL, " \t", &save)) {
		if (n == POLICY_WORDS_MAX)
			return syntax(c, "more than %d words",
				      POLICY_WORDS_MAX);
		w[n++] = t;
	}
	if (n == 0)
		return 0;
	if (presets) {
		if (strcmp(w[0], "preset") == 0)
			return parse_preset(c, w, n);
		return syntax(c, "expected 'preset NAME KEY=VALUE...', not %s",
			      bpfd_quote(q, sizeof(q), w[0]));
	}
	if (strcmp(w[0], "user") && strcmp(w[0], "group") &&
	    strcmp(w[0], "container"))
		return syntax(c,
			      "expected a rule (user, group or container), "
			      "not %s%s",
			      bpfd_quote(q, sizeof(q), w[0]),
			      strcmp(w[0], "preset") == 0
				  ? " (presets are defined in presets.d)"
				  : "");
	return parse_rule(c, w, n);
}

static int parse_text(struct bpfd_policy *p, const char *path, char *text,
		      bool presets, struct bpfd_error *err)
{
	char where[300];
	struct line_ctx c = {.p = p, .where = where, .err = err};
	unsigned int lineno = 0;
	char *line = text;

	while (line && *line) {
		char *nl = strchr(line, '\n');
		int r;

		if (nl)
			*nl = '\0';
		snprintf(where, sizeof(where), "%s:%u", path, ++lineno);
		r = parse_line(&c, line, presets);
		if (r < 0)
			return r;
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

/* ---- loading ---- */

static int load_file(struct bpfd_policy *p, int dfd, const char *name,
		     const char *path, bool presets, struct bpfd_error *err)
{
	_cleanup_free_ char *text = NULL;
	int r = read_file(dfd, name, path, &text, err);

	if (r != 0)
		return r > 0 ? 0 : r;
	if (!presets)
		p->nfiles++;
	return parse_text(p, path, text, presets, err);
}

/* policy.d or presets.d: every entry (but dot names), sorted. */
static int load_dir(struct bpfd_policy *p, int dfd, const char *dir,
		    const char *name, bool presets, struct bpfd_error *err)
{
	_cleanup_close_ int fd = BPFD_NO_FD;
	char path[PATH_MAX], file[PATH_MAX + 256];
	char **names = NULL;
	size_t n = 0;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	r = open_dir(dfd, name, path, &fd, err);
	if (r < 0 || fd < 0)
		return r;
	r = list_dir(fd, path, &names, &n, err);
	for (size_t i = 0; r == 0 && i < n; i++) {
		snprintf(file, sizeof(file), "%s/%s", path, names[i]);
		r = load_file(p, fd, names[i], file, presets, err);
	}
	if (names)
		free_names(names, n);
	return r;
}

bool bpfd_policy_present(const char *dir)
{
	static const char *const entry[] = {"policy", "policy.d", "presets.d"};
	char path[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < ARRAY_SIZE(entry); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, entry[i]);
		if (lstat(path, &st) == 0 || errno != ENOENT)
			return true;
	}
	return false;
}

int bpfd_policy_load(const char *dir, const struct bpfd_names *names,
		     struct bpfd_policy **out, struct bpfd_error *err)
{
	struct bpfd_policy *p;
	_cleanup_close_ int dfd = BPFD_NO_FD;
	char path[PATH_MAX];
	int r;

	if (!dir || dir[0] != '/' || !out)
		return bpfd_error_set(err, BPFD_STEP_ARGS, EINVAL,
				      "policy directory");
	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return bpfd_error_set(err, BPFD_STEP_POLICY, ENOMEM, NULL);
	p->names = names;
	r = open_dir(AT_FDCWD, dir, dir, &dfd, err);
	/* presets first: rules name them */
	if (r == 0 && dfd >= 0)
		r = load_dir(p, dfd, dir, "presets.d", true, err);
	snprintf(path, sizeof(path), "%s/policy", dir);
	if (r == 0 && dfd >= 0)
		r = load_file(p, dfd, "policy", path, false, err);
	if (r == 0 && dfd >= 0)
		r = load_dir(p, dfd, dir, "policy.d", false, err);
	if (r < 0) {
		bpfd_policy_free(p);
		return r;
	}
	*out = p;
	return 0;
}

/* ---- deciding ---- */

/* Absolute, no "." or ".." component, no "//", no trailing "/": a path
 * the globs can be trusted on. */
static bool canonical(const char *path)
{
	const char *s = path;

	if (!path || path[0] != '/')
		return false;
	if (strcmp(path, "/") == 0)
		return true;
	while (*s == '/') {
		size_t w = strcspn(s + 1, "/");

		if (w == 0 || (w == 1 && s[1] == '.') ||
		    (w == 2 && s[1] == '.' && s[2] == '.'))
			return false;
		s += 1 + w;
	}
	return true;
}

/* @s matches one of the ","-separated globs of @globs (fnmatch, no
 * flags: "*" also matches "/"). */
static bool match_globs(const char *globs, const char *s)
{
	char glob[PATH_MAX];

	for (const char *g = globs; *g;) {
		size_t w = strcspn(g, ",");

		if (w < sizeof(glob)) {
			memcpy(glob, g, w);
			glob[w] = '\0';
			if (fnmatch(glob, s, 0) == 0)
				return true;
		}
		g += w;
		if (*g == ',')
			g++;
	}
	return false;
}

static bool in_groups(const struct bpfd_subject *who, unsigned int gid)
{
	if (who->gid == gid)
		return true;
	for (size_t i = 0; i < who->ngroups && i < BPFD_CALLER_MAX_GROUPS; i++)
		if (who->groups[i] == gid)
			return true;
	return false;
}

static bool container_matches(const struct rule *r,
			      const struct bpfd_subject *who)
{
	if (r->oci_id && (!who->oci_id || fnmatch(r->oci_id, who->oci_id, 0)))
		return false;
	if (r->bundle &&
	    (!canonical(who->bundle) || !match_globs(r->bundle, who->bundle)))
		return false;
	return true;
}

/* The first user rule for the uid, else the first group rule for one of
 * its groups; for a container the first container rule matching it. */
static const struct rule *find_rule(const struct bpfd_policy *p,
				    const struct bpfd_subject *who)
{
	for (size_t i = 0; i < p->nrules; i++) {
		const struct rule *r = &p->rules[i];

		if (who->kind == BPFD_SUBJECT_CONTAINER
			? r->kind == RULE_CONTAINER && container_matches(r, who)
			: r->kind == RULE_USER && r->id == who->uid)
			return r;
	}
	if (who->kind != BPFD_SUBJECT_USER)
		return NULL;
	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i].kind == RULE_GROUP &&
		    in_groups(who, p->rules[i].id))
			return &p->rules[i];
	return NULL;
}

static const char *cmd_name(unsigned int cmd)
{
	return cmd == BPFD_POLICY_CHECK	   ? "check"
	       : cmd == BPFD_POLICY_RUN	   ? "run"
	       : cmd == BPFD_POLICY_ATTACH ? "attach"
					   : "?";
}

/* Append "; " and a formatted item to @v->reason. */
static void add_reason(struct bpfd_verdict *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add_reason(struct bpfd_verdict *v, const char *fmt, ...)
{
	size_t used = strlen(v->reason);
	va_list ap;

	if (used && used + 2 < sizeof(v->reason)) {
		memcpy(v->reason + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(v->reason + used, sizeof(v->reason) - used, fmt, ap);
	va_end(ap);
}

static void no_rule(const struct bpfd_subject *who, struct bpfd_verdict *v)
{
	char q[128], b[160];

	if (who->kind == BPFD_SUBJECT_CONTAINER) {
		add_reason(v, "no rule for container %s (bundle %s)",
			   bpfd_quote(q, sizeof(q), who->oci_id),
			   bpfd_quote(b, sizeof(b), who->bundle));
		return;
	}
	add_reason(v, "no rule for uid %u or its groups (%u",
		   (unsigned int)who->uid, (unsigned int)who->gid);
	for (size_t i = 0; i < who->ngroups && i < BPFD_CALLER_MAX_GROUPS; i++)
		if (who->groups[i] != who->gid) {
			size_t used = strlen(v->reason);

			snprintf(v->reason + used, sizeof(v->reason) - used,
				 ", %u", (unsigned int)who->groups[i]);
		}
	if (strlen(v->reason) + 1 < sizeof(v->reason))
		strcat(v->reason, ")");
}

/* At most this much of one kind's excess is listed, then "and N more":
 * the reason stays one readable line. */
#define EXCESS_SHOWN 160

/* What of the delegation exceeds the grant, by name: "maps: hash, lru_hash
 * not granted"; "any" when everything was asked. */
static void excess(const struct bpfd_policy *p, const struct bpfd_request *q,
		   const struct rule *r, struct bpfd_verdict *v)
{
	for (int k = 0; k < BPFD_NKINDS; k++) {
		uint64_t over = q->deleg.mask[k] & ~r->grant.mask[k];
		const char *kind = bpfd_kind_name((enum bpfd_kind)k);
		char list[4096], shown[EXCESS_SHOWN + 32], *save = NULL;
		size_t j = 0, more = 0;

		if (!over)
			continue;
		if (q->deleg.mask[k] == BPFD_MASK_ANY) {
			add_reason(v, "%s: any not granted", kind);
			continue;
		}
		bpfd_format_list(p->names, (enum bpfd_kind)k, over, list,
				 sizeof(list));
		shown[0] = '\0';
		for (char *it = strtok_r(list, ":", &save); it;
		     it = strtok_r(NULL, ":", &save)) {
			if (more || j + strlen(it) + 2 > EXCESS_SHOWN) {
				more++;
				continue;
			}
			j += (size_t)snprintf(shown + j, sizeof(shown) - j,
					      "%s%s", j ? ", " : "", it);
		}
		if (more)
			snprintf(shown + j, sizeof(shown) - j, " and %zu more",
				 more);
		add_reason(v, "%s: %s not granted", kind, shown);
	}
}

int bpfd_policy_decide(const struct bpfd_policy *p,
		       const struct bpfd_subject *who,
		       const struct bpfd_request *req, struct bpfd_verdict *v)
{
	const struct rule *r;
	const char *target;
	char q[160];

	if (!v)
		return -EINVAL;
	memset(v, 0, sizeof(*v));
	if (!p || !who || !req) {
		add_reason(v, "no policy");
		return -EACCES;
	}
	r = find_rule(p, who);
	if (!r) {
		no_rule(who, v);
		return -EACCES;
	}
	snprintf(v->rule, sizeof(v->rule), "%s", r->where);
	v->grant = r->grant;
	v->commands = r->commands;
	v->netns_host = r->netns_host;
	snprintf(v->paths, sizeof(v->paths), "%s", r->paths);
	if (!(req->cmd & r->commands) || __builtin_popcount(req->cmd) != 1)
		add_reason(v, "command %s not granted", cmd_name(req->cmd));
	excess(p, req, r, v);
	if (req->netns_host && !r->netns_host)
		add_reason(v, "netns host not granted (only --netns new)");
	target = req->target ? req->target : BPFD_DEFAULT_TARGET;
	if (req->cmd == BPFD_POLICY_ATTACH && !canonical(target))
		add_reason(v,
			   "target %s is not an absolute path without "
			   "'.', '..', '//' or a trailing '/'",
			   bpfd_quote(q, sizeof(q), target));
	else if (req->cmd == BPFD_POLICY_ATTACH &&
		 !match_globs(r->paths, target))
		add_reason(v, "target %s not granted (paths=%s)",
			   bpfd_quote(q, sizeof(q), target), r->paths);
	if (v->reason[0])
		return -EACCES;
	v->allowed = true;
	return 0;
}

int bpfd_policy_check(const struct bpfd_subject *who,
		      const struct bpfd_request *req,
		      const struct bpfd_names *names, unsigned int flags,
		      struct bpfd_verdict *v, struct bpfd_error *err)
{
	struct bpfd_policy *p = NULL;
	char msg[sizeof(((struct bpfd_error *)0)->detail)];
	int r;

	memset(v, 0, sizeof(*v));
	r = bpfd_policy_load(bpfd_policy_dir(), names, &p, err);
	if (r < 0)
		return r;
	if ((flags & BPFD_POLICY_IF_PRESENT) && p->nfiles == 0) {
		bpfd_policy_free(p);
		return 1;
	}
	r = bpfd_policy_decide(p, who, req, v);
	bpfd_policy_free(p);
	if (r == 0)
		return 0;
	bpfd_policy_refusal(msg, sizeof(msg), v->reason, v->rule);
	return refuse(err, EACCES, "%s", msg);
}

void bpfd_policy_refusal(char *buf, size_t len, const char *reason,
			 const char *rule)
{
	char tail[sizeof(((struct bpfd_verdict *)0)->rule) + 40];
	size_t n, room;

	snprintf(tail, sizeof(tail), " (%s%s)",
		 rule[0] ? "rule " : "no rule applies: default deny", rule);
	n = strlen(tail);
	if (len < n + 8) {
		/* a rule longer than the whole line: its start at least */
		snprintf(buf, len, "%s", tail + 1);
		return;
	}
	room = len - 1 - n;
	if (strlen(reason) <= room)
		snprintf(buf, len, "%s%s", reason, tail);
	else
		snprintf(buf, len, "%.*s...%s", (int)(room - 3), reason, tail);
}
