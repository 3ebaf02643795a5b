// SPDX-License-Identifier: LGPL-2.1-or-later
/* bpffs mounts from mountinfo, and the owning user namespace of a bpffs. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <bpfdelegate/mounts.h>
#include <bpfdelegate/sysbpf.h>
#include <bpfdelegate/userns.h>

#include "fault.h"
#include "internal.h"
#include "libmount_dl.h"
#include "mountopts.h"
#include "nschild.h"

/* Each owner as a JSON token and as words for a sentence. */
static const struct {
	const char *name, *text;
} owners[] = {
    [BPFD_OWNER_UNKNOWN] = {"unknown", "unknown"},
    [BPFD_OWNER_INITIAL] = {"initial", "the initial user namespace"},
    [BPFD_OWNER_NOT_INITIAL] = {"not-initial",
				"a user namespace, not the initial one"},
    [BPFD_OWNER_CALLER] = {"caller", "this process's user namespace"},
    [BPFD_OWNER_NOT_CALLER] = {"not-caller",
			       "not this process's user namespace"},
    [BPFD_OWNER_TARGET] = {"target", "the target's user namespace"},
};

const char *bpfd_owner_name(enum bpfd_owner owner)
{
	return (unsigned int)owner < ARRAY_SIZE(owners) ? owners[owner].name
							: "unknown";
}

const char *bpfd_owner_text(enum bpfd_owner owner)
{
	return (unsigned int)owner < ARRAY_SIZE(owners) ? owners[owner].text
							: "unknown";
}

/* One attempt from here; a token that comes out of it is closed at once. */
static int try_token(int root_fd)
{
	int tok = bpfd_token_create(root_fd);

	if (tok >= 0) {
		close(tok);
		return 0;
	}
	return -tok;
}

/* From the initial user namespace: EOPNOTSUPP vs EPERM tell the owner. */
static void owner_from_initial(int root_fd, struct bpfd_owner_info *o)
{
	o->err = try_token(root_fd);
	switch (o->err) {
	case EOPNOTSUPP:
		o->owner = BPFD_OWNER_INITIAL;
		o->userns_ino = BPFD_INIT_USERNS_INO;
		snprintf(
		    o->how, sizeof(o->how),
		    "token attempt from the initial user namespace: "
		    "EOPNOTSUPP, given only for a bpffs of that namespace");
		break;
	case EPERM:
		o->owner = BPFD_OWNER_NOT_INITIAL;
		snprintf(o->how, sizeof(o->how),
			 "token attempt from the initial user namespace with "
			 "CAP_BPF: EPERM, the bpffs belongs to another one");
		break;
	default:
		snprintf(o->how, sizeof(o->how),
			 "token attempt from the initial user namespace: %s "
			 "(%s), which does not tell the owner",
			 bpfd_errno_name(o->err, "an error"),
			 o->err == EINVAL ? "no BPF_TOKEN_CREATE in this "
					    "kernel, or not a bpffs root"
					  : strerror(o->err));
	}
}

/* From a user namespace with CAP_BPF in it: is the bpffs ours? */
static void owner_from_userns(int root_fd, struct bpfd_owner_info *o)
{
	o->err = try_token(root_fd);
	if (o->err == 0 || o->err == ENOENT) {
		o->owner = BPFD_OWNER_CALLER;
		o->userns_ino = bpfd_userns_ino("/proc/self/ns/user");
		snprintf(o->how, sizeof(o->how),
			 "token attempt from this user namespace: %s, so the "
			 "bpffs belongs to it",
			 o->err ? "ENOENT (no delegation)"
				: "a token was made");
	} else if (o->err == EPERM) {
		o->owner = BPFD_OWNER_NOT_CALLER;
		snprintf(o->how, sizeof(o->how),
			 "token attempt from this user namespace with CAP_BPF: "
			 "EPERM, the bpffs belongs to another one (or an LSM "
			 "refused)");
	} else {
		snprintf(o->how, sizeof(o->how),
			 "token attempt from this user namespace: %s (%s)",
			 bpfd_errno_name(o->err, "an error"), strerror(o->err));
	}
}

/*
 * A child joins @userns_fd and tries there.  Exit status: the errno of the
 * attempt, 0 for a token, 255 when the set-up or setns failed.
 *
 * The child is host uid 0 inside a user namespace whose root may hold
 * CAP_SYS_PTRACE there (a container's root, sharing the host's pid
 * namespace): it is set up like the engine's child (lib/nschild.h) before
 * setns, and keeps only the two fds it needs and no supplementary groups.
 */
static int try_token_in(int root_fd, int userns_fd)
{
	int status = 0, r;
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int keep[] = {root_fd, userns_fd};
		int e;

		if (bpfd_child_harden(parent, keep, ARRAY_SIZE(keep)) < 0 ||
		    bpfd_child_null_stdio(keep, ARRAY_SIZE(keep)) < 0)
			_exit(255);
		/* EPERM: an unprivileged caller keeps its own groups. */
		if (setgroups(0, NULL) < 0 && errno != EPERM)
			_exit(255);
		if (setns(userns_fd, CLONE_NEWUSER) < 0)
			_exit(255);
		if (bpfd_fault() == BPFD_FAULT_PROBE_HANG)
			for (;;)
				pause();
		e = try_token(root_fd);
		_exit(e < 255 ? e : 254);
	}
	/* A setns and one bpf() call: a second is plenty. */
	r = bpfd_wait_child(
	    pid, bpfd_fault() == BPFD_FAULT_PROBE_HANG ? 30000 : 1000, &status);
	if (r < 0)
		return r;
	if (!WIFEXITED(status))
		return -ECHILD;
	return WEXITSTATUS(status);
}

static void owner_from_target(int root_fd, int userns_fd,
			      struct bpfd_owner_info *o)
{
	char tmp[sizeof(o->how)];
	int r = try_token_in(root_fd, userns_fd);
	struct stat st;

	snprintf(tmp, sizeof(tmp), "%s", o->how);
	if (r == 0 || r == ENOENT) {
		o->owner = BPFD_OWNER_TARGET;
		o->err = r;
		o->userns_ino = fstat(userns_fd, &st) == 0 ? st.st_ino : 0;
		snprintf(o->how, sizeof(o->how),
			 "token attempt from the target's user namespace "
			 "(setns): %s, so the bpffs belongs to it",
			 r ? "ENOENT (no delegation)" : "a token was made");
	} else if (r == 255 || r < 0) {
		snprintf(o->how, sizeof(o->how),
			 "%.150s; joining the target's user namespace failed",
			 tmp);
	} else {
		snprintf(o->how, sizeof(o->how),
			 "%.150s; from the target's user namespace: %s", tmp,
			 bpfd_errno_name(r, "an error"));
	}
}

int bpfd_bpffs_owner(int root_fd, int target_userns_fd,
		     struct bpfd_owner_info *out)
{
	uint64_t self = bpfd_userns_ino("/proc/self/ns/user");
	bool init =
	    self ? self == BPFD_INIT_USERNS_INO : bpfd_in_initial_userns();
	struct stat st;

	if (!out || root_fd < 0)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->err = -1;
	if (bpfd_cap_has(CAP_EFFECTIVE, CAP_BPF) != 1)
		snprintf(out->how, sizeof(out->how),
			 "cannot tell without CAP_BPF: only a token attempt "
			 "shows a bpffs's owner (mountinfo, statmount and "
			 "fdinfo do not)");
	else if (init)
		owner_from_initial(root_fd, out);
	else
		owner_from_userns(root_fd, out);
	if (target_userns_fd < 0 || out->owner == BPFD_OWNER_INITIAL ||
	    out->owner == BPFD_OWNER_CALLER)
		return 0;
	/* The target is us, or the initial namespace: nothing new to learn. */
	if (fstat(target_userns_fd, &st) < 0 || st.st_ino == self ||
	    (st.st_ino == BPFD_INIT_USERNS_INO && init))
		return 0;
	owner_from_target(root_fd, target_userns_fd, out);
	return 0;
}

/* ---- mountinfo ---- */

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

/*
 * Option @key of the comma-separated @opts, as libmount's
 * mnt_optstr_get_option() finds it (a comma inside double quotes does
 * not separate): true when present, *@val its value (NULL for "key"
 * alone) and *@len the value's length.  No libmount: the read-back of
 * every delegation uses it (lib/libmount_dl.h).
 */
bool bpfd_optstr_get(const char *opts, const char *key, const char **val,
		     size_t *len)
{
	size_t klen = strlen(key);

	for (const char *p = opts; p && *p;) {
		const char *end = p;
		bool quoted = false;

		for (; *end && (quoted || *end != ','); end++)
			if (*end == '"')
				quoted = !quoted;
		if ((size_t)(end - p) >= klen && strncmp(p, key, klen) == 0 &&
		    (p + klen == end || p[klen] == '=')) {
			*val = p + klen == end ? NULL : p + klen + 1;
			*len = *val ? (size_t)(end - *val) : 0;
			return true;
		}
		p = *end ? end + 1 : end;
	}
	return false;
}

bool bpfd_mount_opt_number(const char *opts, const char *key, int base,
			   unsigned long *out)
{
	const char *val = NULL;
	char buf[32], *end;
	size_t len = 0;

	if (!bpfd_optstr_get(opts, key, &val, &len) || !val || len == 0 ||
	    len >= sizeof(buf))
		return false;
	memcpy(buf, val, len);
	buf[len] = '\0';
	errno = 0;
	*out = strtoul(buf, &end, base);
	return errno == 0 && *end == '\0';
}

int bpfd_mount_decode_options(const char *opts, const struct bpfd_names *names,
			      struct bpfd_delegation *out,
			      struct bpfd_error *err)
{
	for (int k = 0; k < BPFD_NKINDS; k++) {
		const char *opt = bpfd_kind_option((enum bpfd_kind)k);
		const char *val = NULL;
		char buf[1024];
		size_t len = 0;
		int r;

		out->mask[k] = 0;
		if (!bpfd_optstr_get(opts, opt, &val, &len))
			continue; /* option absent: mask 0 */
		if (!val || !len) /* "delegate_cmds" alone: val is NULL */
			return bpfd_error_set(err, BPFD_STEP_MOUNTINFO, EINVAL,
					      "%s without a value", opt);
		if (len >= sizeof(buf))
			return bpfd_error_set(err, BPFD_STEP_MOUNTINFO, E2BIG,
					      "%s too long", opt);
		memcpy(buf, val, len);
		buf[len] = '\0';
		r = bpfd_parse_list(names, (enum bpfd_kind)k, buf,
				    &out->mask[k], err);
		if (r < 0)
			return bpfd_error_set(err, BPFD_STEP_MOUNTINFO, r,
					      "%s=%s", opt, buf);
	}
	return 0;
}

bool bpfd_mount_decode_delegation(const char *opts,
				  const struct bpfd_names *names,
				  struct bpfd_delegation *d)
{
	memset(d, 0, sizeof(*d));
	return bpfd_mount_decode_options(opts, names, d, NULL) == 0;
}

static void fill_mount(const struct bpfd_libmount *lm, struct libmnt_fs *fs,
		       const struct bpfd_names *names,
		       struct bpfd_bpffs_mount *m)
{
	const char *opts = lm->fs_get_fs_options(fs);
	unsigned long v;

	if (!opts)
		opts = "";
	memset(m, 0, sizeof(*m));
	m->mnt_id = lm->fs_get_id(fs);
	copy_str(m->target, sizeof(m->target), lm->fs_get_target(fs));
	copy_str(m->root, sizeof(m->root), lm->fs_get_root(fs));
	copy_str(m->source, sizeof(m->source), lm->fs_get_source(fs));
	copy_str(m->options, sizeof(m->options), opts);
	/* bpf_show_options() omits uid/gid 0 and mode 0777. */
	m->uid = bpfd_mount_opt_number(opts, "uid", 10, &v) ? (uid_t)v : 0;
	m->gid = bpfd_mount_opt_number(opts, "gid", 10, &v) ? (gid_t)v : 0;
	m->mode =
	    bpfd_mount_opt_number(opts, "mode", 8, &v) ? (unsigned int)v : 0777;
	m->deleg_ok = bpfd_mount_decode_delegation(opts, names, &m->deleg);
}

static struct libmnt_table *parse_table(const struct bpfd_libmount *lm,
					const char *mountinfo, int *r)
{
	struct libmnt_table *tb = lm->new_table();

	if (!tb) {
		*r = -ENOMEM;
		return NULL;
	}
	*r = lm->table_parse_file(tb, mountinfo);
	if (*r < 0) {
		/* libmount returns -errno, or -1 for a malformed file */
		*r = *r == -1 ? -EINVAL : *r;
		lm->unref_table(tb);
		return NULL;
	}
	return tb;
}

int bpfd_bpffs_mounts(const char *mountinfo, const struct bpfd_names *names,
		      struct bpfd_bpffs_mount **out, size_t *count,
		      struct bpfd_error *err)
{
	struct bpfd_libmount lm;
	struct libmnt_table *tb;
	struct libmnt_iter *it = NULL;
	struct libmnt_fs *fs;
	struct bpfd_bpffs_mount *v = NULL;
	size_t n = 0;
	int r;

	if (!mountinfo || !out || !count)
		return bpfd_error_set(err, BPFD_STEP_ARGS, EINVAL, NULL);
	*out = NULL;
	*count = 0;
	r = bpfd_libmount_open(&lm);
	if (r < 0) {
		bpfd_libmount_close(&lm);
		return bpfd_error_set(err, BPFD_STEP_MOUNTINFO, r,
				      "libmount.so.1");
	}
	tb = parse_table(&lm, mountinfo, &r);
	if (!tb) {
		bpfd_libmount_close(&lm);
		return bpfd_error_set(err, BPFD_STEP_MOUNTINFO, r, "%s",
				      mountinfo);
	}
	it = lm.new_iter(MNT_ITER_FORWARD);
	r = it ? 0 : -ENOMEM;
	while (r == 0 && lm.table_next_fs(tb, it, &fs) == 0) {
		struct bpfd_bpffs_mount *nv;

		if (!lm.fs_get_fstype(fs) ||
		    strcmp(lm.fs_get_fstype(fs), "bpf") != 0)
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			r = -ENOMEM;
			break;
		}
		v = nv;
		fill_mount(&lm, fs, names, &v[n++]);
	}
	lm.free_iter(it);
	lm.unref_table(tb);
	bpfd_libmount_close(&lm);
	if (r < 0) {
		free(v);
		return bpfd_error_set(err, BPFD_STEP_MOUNTINFO, r, "%s",
				      mountinfo);
	}
	*out = v;
	*count = n;
	return 0;
}

int bpfd_mount_lookup(const char *mountinfo, int mnt_id,
		      struct bpfd_mount_brief *out)
{
	struct bpfd_libmount lm;
	struct libmnt_table *tb;
	struct libmnt_iter *it;
	struct libmnt_fs *fs;
	int r;

	if (!mountinfo || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	r = bpfd_libmount_open(&lm);
	tb = r < 0 ? NULL : parse_table(&lm, mountinfo, &r);
	if (!tb) {
		bpfd_libmount_close(&lm);
		return r;
	}
	r = -ENOENT;
	it = lm.new_iter(MNT_ITER_FORWARD);
	while (it && lm.table_next_fs(tb, it, &fs) == 0) {
		if (lm.fs_get_id(fs) != mnt_id)
			continue;
		out->mnt_id = mnt_id;
		copy_str(out->fstype, sizeof(out->fstype),
			 lm.fs_get_fstype(fs));
		copy_str(out->target, sizeof(out->target),
			 lm.fs_get_target(fs));
		copy_str(out->root, sizeof(out->root), lm.fs_get_root(fs));
		copy_str(out->options, sizeof(out->options),
			 lm.fs_get_fs_options(fs));
		r = 0;
		break;
	}
	lm.free_iter(it);
	lm.unref_table(tb);
	bpfd_libmount_close(&lm);
	return r;
}

int bpfd_open_dir_in_root(int root_fd, const char *path)
{
	/* Not O_PATH: BPF_TOKEN_CREATE refuses an O_PATH fd (EBADF). */
	return bpfd_open_dir_at_root(root_fd, path, O_RDONLY);
}
