// SPDX-License-Identifier: LGPL-2.1-or-later
/* The privileged bpffs operation and the mountinfo read-back. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

#include <bpfdelegate/bpffs.h>

#include "compat.h"
#include "fault.h"
#include "internal.h"
#include "libmount_dl.h"
#include "mountopts.h"

/* Discard queued fs context messages; the queue holds at most 8. */
static void drain_log(int fs_fd)
{
	char buf[256];

	for (int i = 0; i < 16; i++)
		if (read(fs_fd, buf, sizeof(buf)) < 0)
			break;
}

/*
 * Is @fs_fd a fs context for "bpf"?  The kernel offers no query for the
 * filesystem type of an fs context, so provoke a parameter error: fs_parse()
 * logs it prefixed with the context's filesystem name, which the peer
 * cannot choose ("e bpf: Bad value for 'mode'", seen on 6.18; tmpfs says
 * "e tmpfs: ...", ext4 "e ext4: Unknown parameter 'mode'").  The whole
 * message is compared, so text a peer controls (a source name) cannot pass.
 * This matters: CMD_CREATE runs with our CAP_SYS_ADMIN, and a context for a
 * filesystem that is not FS_USERNS_MOUNT (a block device) must never be
 * created on a peer's behalf.
 */
static int check_bpf_context(int fs_fd)
{
	static const char want[] = "e bpf: Bad value for 'mode'";
	char buf[256];
	bool seen = false;
	ssize_t n;

	/*
	 * Only an fs context may be read() below: a pipe or an eventfd would
	 * block.  fsconfig() refuses any other fd with EINVAL before it looks
	 * at the key, and bpffs ignores a flag it does not know (it always
	 * ignored unknown mount options; most filesystems refuse one, seen
	 * on 6.18): only a fresh context answers 0, without a log line.  No
	 * /proc lookup: readlink of /proc/self/fd/N, which this replaced,
	 * cost 10-20 us on 6.18 (docs/performance.md).
	 */
	if (fsconfig(fs_fd, FSCONFIG_SET_FLAG, "bpfdelegate-probe", NULL, 0) <
	    0)
		return -EINVAL;
	drain_log(fs_fd);
	if (fsconfig(fs_fd, FSCONFIG_SET_STRING, "mode", "bpfdelegate", 0) ==
		0 ||
	    errno != EINVAL)
		return -EINVAL;
	for (int i = 0; i < 16; i++) {
		n = read(fs_fd, buf, sizeof(buf) - 1);
		if (n <= 0)
			break;
		buf[n] = '\0';
		if (n > 0 && buf[n - 1] == '\n')
			buf[n - 1] = '\0';
		if (strcmp(buf, want) == 0)
			seen = true;
	}
	return seen ? 0 : -EINVAL;
}

/*
 * uid=/gid= are numbers we computed from our own id map, formatted here;
 * the kernel checks that they map into the context's user namespace.
 */
static int set_owner(int fs_fd, const struct bpfd_idmap *owner,
		     struct bpfd_error *err)
{
	const struct {
		const char *key;
		unsigned int id;
	} o[] = {{"uid", owner->user_uid}, {"gid", owner->user_gid}};

	for (size_t i = 0; i < ARRAY_SIZE(o); i++) {
		char val[16];

		snprintf(val, sizeof(val), "%u", o[i].id);
		if (fsconfig(fs_fd, FSCONFIG_SET_STRING, o[i].key, val, 0) < 0)
			return bpfd_error_set(err, BPFD_STEP_FSCONFIG, errno,
					      "%s=%s", o[i].key, val);
	}
	return 0;
}

/*
 * Does the kernel know the delegate_* options?  LXD's probe: a value that
 * is neither a number, "any" nor a name must fail with EINVAL on a kernel
 * that parses the option (6.9+).  Before 6.9 bpffs ignores every option it
 * does not know, so the value is accepted (seen on Debian's 5.10 and 6.1).
 * The failed parse changes nothing.  1 known, 0 not, or -errno.
 */
static int knows_delegation(int fs_fd)
{
	if (bpfd_fault() == BPFD_FAULT_DROP_OPTIONS ||
	    bpfd_fault() == BPFD_FAULT_OLD_KERNEL)
		return 0;
	/*
	 * BPF_TOKEN_CREATE came with the options (6.9): a kernel that
	 * answers EBADF for a missing bpffs fd parses them.  Cheaper than
	 * the probe below: every delegate_* fsconfig, failing or not, has
	 * the kernel scan all of its BTF for the four enums (0.2-0.6 ms
	 * each on 6.18, docs/kernel-facts.md).  Anything else (EINVAL from
	 * an older kernel, a seccomp profile's or an LSM's answer): probe.
	 */
	if (bpfd_token_create_probe() == -EBADF)
		return 1;
	if (fsconfig(fs_fd, FSCONFIG_SET_STRING, "delegate_cmds", "MUSTFAIL",
		     0) == 0)
		return 0;
	return errno == EINVAL ? 1 : -errno;
}

/*
 * Before 6.9 bpffs is not FS_USERNS_MOUNT: CMD_CREATE of a context opened
 * in a child user namespace fails with EPERM whoever calls it, and the
 * context's log says this (seen on Debian's 5.10 and 6.1).  The whole
 * message is compared; the peer, who holds a copy of the fd, could only
 * make us call its kernel too old, which grants nothing.
 */
#define USERNS_REFUSED                                                         \
	"e bpf: VFS: Mounting from non-initial user namespace is not allowed"

/* The context's queued messages: the kernel's refusal, else the last. */
static bool read_log(int fs_fd, char *msg, size_t len)
{
	bool refused = false;
	char buf[256];

	for (int i = 0; i < 16; i++) {
		ssize_t n = read(fs_fd, buf, sizeof(buf) - 1);

		if (n <= 0)
			break;
		buf[n] = '\0';
		if (buf[n - 1] == '\n')
			buf[n - 1] = '\0';
		if (refused)
			continue;
		refused = strcmp(buf, USERNS_REFUSED) == 0;
		/* without the level ("e ") */
		snprintf(msg, len, "%.199s",
			 buf[0] && buf[1] == ' ' ? buf + 2 : buf);
	}
	return refused;
}

/*
 * FSCONFIG_CMD_CREATE.  A kernel that cannot delegate (@known 0, or its
 * refusal of a bpffs for a user namespace) is -EOPNOTSUPP: the kernel
 * lacks BPF tokens, whatever errno it gave, which the detail names.
 */
static int create(int fs_fd, int known, struct bpfd_error *err)
{
	char msg[200] = "";
	bool refused;
	int e;

	drain_log(fs_fd);
	if (bpfd_fault() == BPFD_FAULT_OLD_KERNEL ||
	    bpfd_fault() == BPFD_FAULT_CREATE_REFUSED) {
		/* what Debian's 5.10 and 6.1 answer, log line included */
		e = EPERM;
		refused = true;
		snprintf(msg, sizeof(msg), "%s", USERNS_REFUSED + 2);
	} else if (fsconfig(fs_fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0) {
		return 0;
	} else {
		e = errno;
		refused = read_log(fs_fd, msg, sizeof(msg)) && e == EPERM;
	}
	if (refused || !known)
		return bpfd_error_set(
		    err, BPFD_STEP_CREATE, EOPNOTSUPP,
		    "(the kernel said %s%s%s%s%s)", bpfd_errno_name(e, "?"),
		    msg[0] ? ": \"" : "", msg, msg[0] ? "\"" : "",
		    known ? "" : "; it accepted delegate_cmds=MUSTFAIL");
	return bpfd_error_set(err, BPFD_STEP_CREATE, e, msg[0] ? "(%s)" : NULL,
			      msg);
}

int bpfd_bpffs_delegate(int fs_fd, const struct bpfd_delegation *d,
			struct bpfd_error *err)
{
	return bpfd_bpffs_delegate_steps(fs_fd, d, NULL, NULL, err);
}

int bpfd_bpffs_delegate_as(int fs_fd, const struct bpfd_delegation *d,
			   const struct bpfd_idmap *owner,
			   struct bpfd_error *err)
{
	return bpfd_bpffs_delegate_steps(fs_fd, d, owner, NULL, err);
}

int bpfd_bpffs_delegate_steps(int fs_fd, const struct bpfd_delegation *d,
			      const struct bpfd_idmap *owner, uint64_t *done,
			      struct bpfd_error *err)
{
	_cleanup_close_ int mnt = BPFD_NO_FD;
	uint64_t dummy = 0;
	struct statfs sfs;
	int r, known;

	if (!done)
		done = &dummy;
	r = check_bpf_context(fs_fd);
	if (r < 0)
		return bpfd_error_set(err, BPFD_STEP_FSTYPE, r, "fd %d", fs_fd);
	known = knows_delegation(fs_fd);
	if (known < 0)
		return bpfd_error_set(err, BPFD_STEP_FSCONFIG, known,
				      "delegate_cmds=MUSTFAIL (probe)");
	/*
	 * Only the four masks are set: one resolved hex number each, because
	 * the kernel lets a number replace names given before it.  Values
	 * are ours (already validated u64), never strings from the peer.
	 * A kernel without the options would ignore them: not sent.
	 */
	for (int k = 0; known && k < BPFD_NKINDS; k++) {
		char val[24];

		if (!d->mask[k])
			continue;
		snprintf(val, sizeof(val), "0x%" PRIx64, d->mask[k]);
		if (fsconfig(fs_fd, FSCONFIG_SET_STRING,
			     bpfd_kind_option((enum bpfd_kind)k), val, 0) < 0)
			return bpfd_error_set(
			    err, BPFD_STEP_FSCONFIG, errno, "%s=%s",
			    bpfd_kind_option((enum bpfd_kind)k), val);
	}
	if (owner && owner->has_user) {
		r = set_owner(fs_fd, owner, err);
		if (r < 0)
			return r;
	}
	*done |= 1ull << BPFD_STEP_FSCONFIG;
	/* Creating a bpffs owned by a user namespace needs init CAP_SYS_ADMIN;
	 * the context was checked above to be a bpffs, which holds no data. */
	r = create(fs_fd, known, err);
	if (r < 0)
		return r;
	*done |= 1ull << BPFD_STEP_CREATE;
	/* Only a context of the initial user namespace gets here on such a
	 * kernel: a bpffs, but one that delegates nothing. */
	if (!known)
		return bpfd_error_set(err, BPFD_STEP_NOT_KEPT, EOPNOTSUPP,
				      "(the kernel accepted "
				      "delegate_cmds=MUSTFAIL: it has no "
				      "delegate_* options)");
	mnt = fsmount(fs_fd, FSMOUNT_CLOEXEC,
		      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mnt < 0)
		return bpfd_error_set(err, BPFD_STEP_FSMOUNT, errno, NULL);
	*done |= 1ull << BPFD_STEP_FSMOUNT;
	if (fstatfs(mnt, &sfs) < 0)
		return bpfd_error_set(err, BPFD_STEP_FSMOUNT, errno, "fstatfs");
	if ((unsigned long)sfs.f_type != BPF_FS_MAGIC)
		return bpfd_error_set(err, BPFD_STEP_FSTYPE, EINVAL,
				      "mounted fs type 0x%lx",
				      (unsigned long)sfs.f_type);
	return TAKE_FD(mnt);
}

int bpfd_mount_id(int fd)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0)
		return -errno;
	if (!(stx.stx_mask & STATX_MNT_ID))
		return -EOPNOTSUPP;
	return (int)stx.stx_mnt_id;
}

/* Through @pre when given (opened before a setns), else a dlopen now. */
static int read_options_file(FILE *f, const char *name, int mnt_id,
			     const struct bpfd_libmount *pre,
			     const struct bpfd_names *names,
			     struct bpfd_delegation *out, char *raw,
			     size_t rawlen, struct bpfd_error *err)
{
	struct bpfd_libmount own = {0};
	const struct bpfd_libmount *lm = pre ? pre : &own;
	struct libmnt_table *tb = NULL;
	struct libmnt_iter *it = NULL;
	struct libmnt_fs *fs;
	int r = pre ? 0 : bpfd_libmount_open(&own);

	if (r < 0) {
		bpfd_error_set(err, BPFD_STEP_MOUNTINFO, -r,
			       "%s mount id %d: libmount.so.1", name, mnt_id);
		bpfd_libmount_close(&own);
		return r;
	}
	tb = lm->new_table();
	it = lm->new_iter(MNT_ITER_FORWARD);
	r = -ENOMEM;
	if (!tb || !it)
		goto out;
	r = lm->table_parse_stream(tb, f, name);
	if (r < 0)
		goto out;
	r = -ENOENT;
	while (lm->table_next_fs(tb, it, &fs) == 0) {
		const char *opts;

		if (lm->fs_get_id(fs) != mnt_id)
			continue;
		opts = lm->fs_get_fs_options(fs);
		if (!opts)
			opts = "";
		if (raw && rawlen)
			snprintf(raw, rawlen, "%s", opts);
		r = bpfd_mount_decode_options(opts, names, out, err);
		goto out_noerr;
	}
out:
	bpfd_error_set(err, BPFD_STEP_MOUNTINFO, r, "%s mount id %d", name,
		       mnt_id);
out_noerr:
	if (it)
		lm->free_iter(it);
	if (tb)
		lm->unref_table(tb);
	bpfd_libmount_close(&own);
	return r;
}

static int read_options_fd(int fd, int mnt_id, const struct bpfd_libmount *lm,
			   const struct bpfd_names *names,
			   struct bpfd_delegation *out, char *raw,
			   size_t rawlen, struct bpfd_error *err)
{
	int dup = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	/* A dup shares the offset: read from the start, as documented. */
	FILE *f =
	    dup >= 0 && lseek(dup, 0, SEEK_SET) == 0 ? fdopen(dup, "re") : NULL;
	int r;

	if (!f) {
		r = bpfd_error_set(err, BPFD_STEP_MOUNTINFO, errno, "fd %d",
				   fd);
		if (dup >= 0)
			close(dup);
		return r;
	}
	r = read_options_file(f, "mountinfo", mnt_id, lm, names, out, raw,
			      rawlen, err);
	fclose(f);
	return r;
}

int bpfd_bpffs_read_options_fd(int fd, int mnt_id,
			       const struct bpfd_names *names,
			       struct bpfd_delegation *out, char *raw,
			       size_t rawlen, struct bpfd_error *err)
{
	return read_options_fd(fd, mnt_id, NULL, names, out, raw, rawlen, err);
}

int bpfd_bpffs_read_options(const char *mountinfo, int mnt_id,
			    const struct bpfd_names *names,
			    struct bpfd_delegation *out, char *raw,
			    size_t rawlen, struct bpfd_error *err)
{
	_cleanup_fclose_ FILE *f = fopen(mountinfo, "re");

	if (!f)
		return bpfd_error_set(err, BPFD_STEP_MOUNTINFO, errno, "%s",
				      mountinfo);
	return read_options_file(f, mountinfo, mnt_id, NULL, names, out, raw,
				 rawlen, err);
}

/*
 * statmount(2): the options of the mount @fd is on, as mountinfo's super
 * options field shows them ("rw" or "ro", the superblock flags, then what
 * the filesystem's show_options() prints; an LSM's options, such as
 * SELinux's "seclabel", are not among them).  0, or -errno when statmount
 * cannot tell: no such syscall (before 6.8) or options (before 6.11), no
 * unique mount id, a seccomp profile that refuses it, a bpffs that shows
 * no option at all (6.13+ then leaves the mask bit clear), a buffer too
 * small.
 */
static int statmount_options(int dfd, const char *path, char *opts, size_t len)
{
	union {
		struct bpfd_statmount sm;
		char buf[sizeof(struct bpfd_statmount) + 8192];
	} u;
	struct bpfd_mnt_id_req req = {.size = BPFD_MNT_ID_REQ_SIZE_VER0};
	struct statx stx;
	const char *o;

	if (statx(dfd, path, *path ? 0 : AT_EMPTY_PATH,
		  BPFD_STATX_MNT_ID_UNIQUE, &stx) < 0)
		return -errno;
	if (!(stx.stx_mask & BPFD_STATX_MNT_ID_UNIQUE))
		return -EOPNOTSUPP;
	req.mnt_id = stx.stx_mnt_id;
	req.param = BPFD_STATMOUNT_SB_BASIC | BPFD_STATMOUNT_MNT_OPTS;
	if (bpfd_fault() == BPFD_FAULT_NO_STATMOUNT)
		return -ENOSYS;
	if (syscall(__NR_statmount, &req, &u.sm, sizeof(u), 0) < 0)
		return -errno;
	if (!(u.sm.mask & BPFD_STATMOUNT_SB_BASIC) || u.sm.size > sizeof(u))
		return -EOPNOTSUPP;
	/* Since 6.13 (seen on 6.18) a filesystem that shows no option at
	 * all leaves the bit clear: our caller knows the kernel has them. */
	if (!(u.sm.mask & BPFD_STATMOUNT_MNT_OPTS))
		o = "";
	else if (u.sm.size < sizeof(u.sm) ||
		 u.sm.mnt_opts >= u.sm.size - sizeof(u.sm) ||
		 !memchr(u.sm.str + u.sm.mnt_opts, '\0',
			 u.sm.size - sizeof(u.sm) - u.sm.mnt_opts))
		return -EOPNOTSUPP;
	else
		o = u.sm.str + u.sm.mnt_opts;
	/* show_sb_opts(): the flags mountinfo prints after rw/ro */
	if ((size_t)snprintf(opts, len, "%s%s%s%s%s%s",
			     u.sm.sb_flags & BPFD_SB_RDONLY ? "ro" : "rw",
			     u.sm.sb_flags & 16 ? ",sync" : "",
			     u.sm.sb_flags & 128 ? ",dirsync" : "",
			     u.sm.sb_flags & (1U << 25) ? ",lazytime" : "",
			     *o ? "," : "", o) >= len)
		return -EOVERFLOW;
	return 0;
}

bool bpfd_statmount_has_options(void)
{
	/* Asked once per process (the static bpfdelegate asks in main(),
	 * the engine's child again after the fork). */
	static int known = -1;
	char opts[4096];

	if (bpfd_fault() == BPFD_FAULT_NO_STATMOUNT)
		return false;
	if (known >= 0)
		return known;
	/* The root filesystem shows options on any real system (ext4's
	 * errors=, tmpfs's size=...); where it shows none we answer no,
	 * which costs time (libmount), never correctness.  By path: no fd
	 * (a caller at its RLIMIT_NOFILE must still get its EMFILE from
	 * the step that needs one). */
	known = statmount_options(AT_FDCWD, "/", opts, sizeof(opts)) == 0 &&
		strchr(opts, ',') != NULL;
	return known;
}

int bpfd_bpffs_options_of(int fd, int proc_fd, const struct bpfd_libmount *lm,
			  const struct bpfd_names *names,
			  struct bpfd_delegation *out, char *raw, size_t rawlen,
			  struct bpfd_error *err)
{
	_cleanup_close_ int mi = BPFD_NO_FD;
	char opts[4096];
	int id, r;

	if (!lm) {
		r = statmount_options(fd, "", opts, sizeof(opts));
		if (r < 0)
			return bpfd_error_set(err, BPFD_STEP_MOUNTINFO, -r,
					      "statmount");
		if (raw && rawlen)
			snprintf(raw, rawlen, "%s", opts);
		return bpfd_mount_decode_options(opts, names, out, err);
	}
	/* The old way: all of mountinfo, through libmount. */
	id = bpfd_mount_id(fd);
	if (id < 0)
		return bpfd_error_set(err, BPFD_STEP_MOUNTINFO, -id,
				      "statx mount id");
	mi = openat(proc_fd, "self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (mi < 0)
		return bpfd_error_set(err, BPFD_STEP_MOUNTINFO, errno,
				      "/proc/self/mountinfo");
	r = read_options_fd(mi, id, lm, names, out, raw, rawlen, err);
	return r;
}
