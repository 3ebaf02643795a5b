// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The engine's child: it creates (or joins) the user and mount namespaces,
 * opens the bpffs context there, attaches the mount the parent sends back,
 * reads the delegation back, creates a token and probes it, then reports
 * to the parent, or (run) becomes COMMAND.  See lib/engine.c for the
 * protocol.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/socket.h>

#include <bpfdelegate/bpffs.h>
#include <bpfdelegate/fdpass.h>
#include <bpfdelegate/procns.h>
#include <bpfdelegate/sysbpf.h>

#include "engine_proto.h"
#include "exec.h"
#include "fault.h"
#include "internal.h"
#include "learn.h"
#include "libmount_dl.h"
#include "mountopts.h"
#include "nschild.h"

struct child_ctx {
	const struct bpfd_engine_opts *opts;
	pid_t parent;
	int proc_fd; /* the host's /proc, for our own mountinfo after setns */
	int cwd_fd;  /* run: the caller's working directory, for COMMAND */
	/* rootless (opts->privop): our euid/egid before unshare, for the id
	 * maps we write ourselves */
	uid_t own_uid;
	gid_t own_gid;
	const struct bpfd_names *names;
	/* libmount, opened before any setns where statmount(2) shows no
	 * mount options (before 6.11): a dlopen in another process's mount
	 * namespace would load that namespace's files. */
	struct bpfd_libmount lm;
	bool use_lm;
	int sock;
	struct deadline dl;
	/* msg.rep is the report being built; last: bpfd_alloc_msg_ctx() */
	struct child_msg msg;
};

static const struct bpfd_libmount *child_lm(const struct child_ctx *c)
{
	return c->use_lm ? &c->lm : NULL;
}

static int child_send(struct child_ctx *c, enum msg_type type, int fd)
{
	size_t len = child_msg_len(&c->msg);

	c->msg.type = type;
	if (bpfd_fault() == BPFD_FAULT_CHILD_SHORT_REPORT &&
	    type == MSG_REPORT && c->msg.rep.probes.count)
		len -= sizeof(c->msg.rep.probes.r[0]);
	return bpfd_send(c->sock, &c->msg, len, fd);
}

static int child_wait(struct child_ctx *c, enum msg_type want, int *fd)
{
	struct parent_msg pm;
	int r = bpfd_recv(c->sock, &pm, sizeof(pm), fd,
			  bpfd_deadline_left_ms(&c->dl));

	if (r < 0)
		return bpfd_report_fail(&c->msg.rep, BPFD_STEP_RECV, r,
					"from the parent");
	if (pm.type != want) {
		if (fd)
			bpfd_closep(fd);
		return bpfd_report_fail(&c->msg.rep, BPFD_STEP_PEER, EPROTO,
					"unexpected message %u from the parent",
					pm.type);
	}
	return 0;
}

/* Become root of the new namespace and keep mounts to ourselves. */
static int child_enter(struct child_ctx *c)
{
	struct bpfd_report *rep = &c->msg.rep;
	bool join = c->opts->join != NULL;
	int r;

	/*
	 * Our kuid is still host root until we switch: ids 0 inside map to
	 * the chosen outside ids, and going from an unmapped id to the
	 * namespace root keeps the full capability set of the namespace.
	 * A joined namespace may not map root (EINVAL): then we stay an
	 * unmapped id, with every capability of the namespace all the same.
	 */
	if (setresgid(0, 0, 0) < 0 && !(join && errno == EINVAL))
		return bpfd_report_fail(rep, BPFD_STEP_SETID, errno,
					"setresgid(0)");
	if (setresuid(0, 0, 0) < 0 && !(join && errno == EINVAL))
		return bpfd_report_fail(rep, BPFD_STEP_SETID, errno,
					"setresuid(0)");
	bpfd_report_mark(rep, BPFD_STEP_SETID);
	/* The id switch reset the parent-death signal and dumpable flag. */
	r = bpfd_fault() == BPFD_FAULT_CHILD_REARM_FAIL
		? -EPERM
		: bpfd_child_rearm(c->parent);
	if (r < 0)
		return bpfd_report_fail(rep, BPFD_STEP_SETID, r,
					"parent-death signal, non-dumpable");
	/* Another's mount namespace keeps its propagation: we only add. */
	if (join)
		return 0;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return bpfd_report_fail(rep, BPFD_STEP_MOUNT_PRIVATE, errno,
					"/");
	bpfd_report_mark(rep, BPFD_STEP_MOUNT_PRIVATE);
	return 0;
}

static int child_fsopen(struct child_ctx *c)
{
	const char *type = "bpf";
	int fd;

	if (bpfd_fault() == BPFD_FAULT_CHILD_SEND_TMPFS)
		type = "tmpfs";
	/* fsopen needs CAP_SYS_ADMIN over our mount namespace: we own it. */
	fd = fsopen(type, FSOPEN_CLOEXEC);
	if (fd < 0)
		return bpfd_report_fail(&c->msg.rep, BPFD_STEP_FSOPEN, errno,
					"\"%s\"", type);
	bpfd_report_mark(&c->msg.rep, BPFD_STEP_FSOPEN);
	return fd;
}

/*
 * Success means the bpffs is what a process of that root sees at the
 * target: resolve it again and compare mount ids.
 */
static int child_check_visible(struct child_ctx *c, int mnt_fd,
			       const char *target)
{
	struct bpfd_report *rep = &c->msg.rep;
	struct bpfd_error e = {0};
	_cleanup_close_ int fd =
	    bpfd_open_in_root(c->opts->join_root_fd, target, false, &e);
	int want = bpfd_mount_id(mnt_fd);

	if (fd < 0) {
		bpfd_report_from_error(rep, &e);
		return fd;
	}
	if (want < 0 || bpfd_mount_id(fd) != want)
		return bpfd_report_fail(rep, BPFD_STEP_MOVE_MOUNT, EXDEV,
					"%s: mounted, but another mount is "
					"seen there",
					target);
	bpfd_report_mark(rep, BPFD_STEP_MOVE_MOUNT);
	return 0;
}

/*
 * Detach the mount whose root @fd is.  umount2() wants a path; the mount's
 * own root, as our working directory, is one that cannot be swapped under
 * us ("." crosses no mount, even one stacked on top).  0 or -errno; EINVAL
 * when it is not attached in our mount namespace.
 */
static int detach_mount(int fd)
{
	_cleanup_close_ int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int r = 0;

	if (fchdir(fd) < 0)
		return -errno;
	if (umount2(".", MNT_DETACH) < 0)
		r = -errno;
	if ((cwd < 0 || fchdir(cwd) < 0) && chdir("/") < 0)
		bpfd_log(BPFD_LOG_DEBUG, "detach: back to / failed: %s",
			 strerror(errno));
	return r;
}

/*
 * A mount in another process's namespace that failed its checks must not
 * stay behind: detach it.  (Should this fail, the parent tries again from
 * a clean-up child and reports what is left.)
 */
static void child_undo_mount(int mnt_fd)
{
	int r = detach_mount(mnt_fd);

	if (r < 0)
		bpfd_log(BPFD_LOG_WARN,
			 "detaching the refused mount failed: %s (the parent "
			 "tries again and reports what is left)",
			 strerror(-r));
}

/* Is @fd (the resolved target) the root of a bpffs mount?  1, 0, -errno. */
static int is_bpffs_root(int fd)
{
	struct statx stx;
	struct statfs sfs;

	if (statx(fd, "", AT_EMPTY_PATH, 0, &stx) < 0)
		return -errno;
	/* STATX_ATTR_MOUNT_ROOT: Linux 5.8; token kernels all have it. */
	if (!(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return -EOPNOTSUPP;
	if (!(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return 0;
	if (fstatfs(fd, &sfs) < 0)
		return -errno;
	return sfs.f_type == BPF_FS_MAGIC;
}

/* Refuse the target: name the bpffs found there (mount id, options). */
static int refuse_existing(struct child_ctx *c, int fd, const char *target)
{
	struct bpfd_delegation d;
	struct bpfd_error e = {0};
	char opts[4096] = "";
	int id = bpfd_mount_id(fd);

	(void)bpfd_bpffs_options_of(fd, c->proc_fd, child_lm(c), c->names, &d,
				    opts, sizeof(opts), &e);
	return bpfd_report_fail(&c->msg.rep, BPFD_STEP_TARGET, EBUSY,
				"%s: a bpffs is already mounted there (mount "
				"id %d%s%.160s)",
				target, id, opts[0] ? ": " : "", opts);
}

/*
 * Does the bpffs whose root @fd is carry a delegate_* option?  1, 0, or
 * -errno when its options cannot be read (then treated as one that does).
 * Every bpffs attach or oci-hook leaves, even one a SIGKILL orphaned, has
 * one (the parent sets them before FSCONFIG_CMD_CREATE).  One without is
 * the host's /sys/fs/bpf seen through a mount namespace copied from the
 * host's (unshare -m on any systemd machine, or a container given a bind
 * mount of it), or a plain `mount -t bpf`: nothing a token can come from
 * in a child user namespace.
 */
static int bpffs_has_delegation(struct child_ctx *c, int fd)
{
	struct bpfd_delegation d;
	struct bpfd_error e = {0};
	char opts[4096] = "";
	int r = bpfd_bpffs_options_of(fd, c->proc_fd, child_lm(c), c->names, &d,
				      opts, sizeof(opts), &e);

	/* An option we cannot decode is still a delegate_* option. */
	if (r < 0 && r != -EINVAL)
		return r;
	return strstr(opts, "delegate_") != NULL;
}

/*
 * Is @fd the very directory @root_fd names (same mount, same inode)?
 * RESOLVE_IN_ROOT keeps every target inside the root, but "/", "//",
 * "tmp/.." or a symlink to "/" all resolve to the root itself: a bpffs
 * mounted there would hide the whole filesystem of the process.
 */
static int is_same_dir(int fd, int root_fd)
{
	struct stat a, b;
	int ma = bpfd_mount_id(fd), mb = bpfd_mount_id(root_fd);

	if (ma < 0 || mb < 0)
		return ma < 0 ? ma : mb;
	if (fstat(fd, &a) < 0 || fstat(root_fd, &b) < 0)
		return -errno;
	return ma == mb && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * A "." or ".." component: refused.  After the mount, the target is looked
 * up again by name (child_check_visible), and "dir/.." no longer resolves
 * once the bpffs hides "dir"; no container path needs one.
 */
static bool has_dot_component(const char *path)
{
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");

		if ((n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return true;
		p += n;
		p += strspn(p, "/");
	}
	return false;
}

/*
 * The target, resolved inside the root and created when missing: an O_PATH
 * fd, or -errno.  What is mounted there is looked at first: an earlier
 * attach's bpffs, or one a SIGKILL of the privileged side orphaned, must
 * not be hidden under a new one (a stack of bpffs mounts nobody sees).  A
 * bpffs with a delegate_* option there is refused, or with opts->replace
 * detached when @replace_now: only such a bpffs, never another filesystem
 * (over which we mount, as before).  Stacked ones (older versions stacked)
 * go one by one.  A bpffs without delegate_* options (the host's
 * /sys/fs/bpf in a mount namespace copied from the host's) is mounted
 * over, like any other filesystem: it stays under the new one, hidden in
 * that mount namespace only, and reappears when the new one is unmounted;
 * rep->covered names it.  Refusing it would make the default target fail
 * for every process that sees the host's /sys/fs/bpf.
 */
static int child_open_target(struct child_ctx *c, bool replace_now)
{
	const char *target =
	    c->opts->target ? c->opts->target : BPFD_DEFAULT_TARGET;
	struct bpfd_report *rep = &c->msg.rep;

	if (has_dot_component(target))
		return bpfd_report_fail(rep, BPFD_STEP_TARGET, EINVAL,
					"%s: a \".\" or \"..\" component; give "
					"the path without them",
					target);
	for (int i = 0;; i++) {
		struct bpfd_error e = {0};
		_cleanup_close_ int fd =
		    bpfd_open_in_root(c->opts->join_root_fd, target, true, &e);
		int r;

		if (fd < 0) {
			bpfd_report_from_error(rep, &e);
			return fd;
		}
		r = is_same_dir(fd, c->opts->join_root_fd);
		if (r < 0)
			return bpfd_report_fail(rep, BPFD_STEP_TARGET, r,
						"%s: statx/fstat", target);
		if (r > 0)
			return bpfd_report_fail(
			    rep, BPFD_STEP_TARGET, EINVAL,
			    "%s: resolves to the root of the process's "
			    "filesystem, which a bpffs would hide",
			    target);
		r = is_bpffs_root(fd);
		if (r < 0)
			return bpfd_report_fail(rep, BPFD_STEP_TARGET, r,
						"%s: statx/statfs", target);
		if (r > 0) {
			r = bpffs_has_delegation(c, fd);
			if (r == 0) {
				rep->covered = (uint32_t)bpfd_mount_id(fd);
				return TAKE_FD(fd);
			}
			r = 1;
		}
		if (r == 0 || (c->opts->replace && !replace_now))
			return TAKE_FD(fd);
		if (!c->opts->replace)
			return refuse_existing(c, fd, target);
		if (i >= 16)
			return bpfd_report_fail(rep, BPFD_STEP_TARGET, ELOOP,
						"%s: still a bpffs after "
						"detaching %d",
						target, i);
		r = detach_mount(fd);
		/* A bpffs the namespace inherited from a more privileged one
		 * (a copy of the host's /sys/fs/bpf) cannot be detached from
		 * inside: its root's owner is not mapped here (EACCES at
		 * fchdir) and the kernel locks such mounts (EINVAL). */
		if (r == -EACCES || r == -EPERM || r == -EINVAL)
			return bpfd_report_fail(
			    rep, BPFD_STEP_TARGET, -r,
			    "%s: the bpffs there came with the mount namespace "
			    "from a more privileged one (a locked mount): it "
			    "cannot be detached from inside; give another "
			    "--target",
			    target);
		if (r < 0)
			return bpfd_report_fail(rep, BPFD_STEP_TARGET, r,
						"%s: detach the bpffs there "
						"(--replace)",
						target);
		rep->replaced++;
	}
}

/*
 * Our own private mount namespace (check, run): the target by name.  For
 * check, which names none, /sys/fs/bpf; where a system has no such
 * directory (no sysfs in a container), /tmp will do: whatever we mount over
 * is hidden only inside our namespace.
 */
static int child_attach_own(struct child_ctx *c, int mnt_fd)
{
	static const char *const fallback[] = {BPFD_DEFAULT_TARGET, "/tmp"};
	struct bpfd_report *rep = &c->msg.rep;
	/* run's COMMAND expects /sys/fs/bpf, and needs its /tmp. */
	size_t n = c->opts->target || c->opts->exec ? 1 : ARRAY_SIZE(fallback);
	int err = 0;

	for (size_t i = 0; i < n; i++) {
		const char *t = c->opts->target ? c->opts->target : fallback[i];

		snprintf(rep->target, sizeof(rep->target), "%s", t);
		if (move_mount(mnt_fd, "", AT_FDCWD, t,
			       MOVE_MOUNT_F_EMPTY_PATH) == 0) {
			bpfd_report_mark(rep, BPFD_STEP_MOVE_MOUNT);
			return 0;
		}
		err = errno;
		if (err != ENOENT)
			break;
	}
	return bpfd_report_fail(rep, BPFD_STEP_MOVE_MOUNT, err, "%s",
				rep->target);
}

static int child_read_back(struct child_ctx *c, int root_fd)
{
	struct bpfd_report *rep = &c->msg.rep;
	struct bpfd_error e = {0};
	int r;

	/* statmount(2) by the mount's id, or mountinfo through the host's
	 * /proc opened before joining: a container's /proc belongs to a pid
	 * namespace in which we have no "self". */
	r = bpfd_bpffs_options_of(root_fd, c->proc_fd, child_lm(c), c->names,
				  &rep->kept, rep->mount_opts,
				  sizeof(rep->mount_opts), &e);
	if (r < 0) {
		bpfd_report_from_error(rep, &e);
		return r;
	}
	rep->kept_valid = true;
	bpfd_report_mark(rep, BPFD_STEP_MOUNTINFO);
	return 0;
}

/*
 * The first kind where @got differs from the requested masks, comparing
 * only the bits of values the kernel knows when @known_only; -1 if none.
 */
static int first_mismatch(const struct child_ctx *c,
			  const struct bpfd_delegation *got, bool known_only)
{
	const struct bpfd_delegation *want = &c->msg.rep.requested;

	for (int k = 0; k < BPFD_NKINDS; k++) {
		uint64_t m = known_only
				 ? bpfd_names_known(c->names, (enum bpfd_kind)k)
				 : BPFD_MASK_ANY;

		if ((got->mask[k] & m) != (want->mask[k] & m))
			return k;
	}
	return -1;
}

/*
 * Did the kernel keep what we asked for?  mountinfo shows only the bits of
 * values the kernel knows (and "any" when all of them are set), so compare
 * within the known bits.  Nothing kept at all means a kernel that ignores
 * the options (before 6.9 bpffs ignores unknown ones); the parent's
 * delegate_cmds=MUSTFAIL probe (lib/bpffs.c) catches that earlier, and on
 * Debian's 5.10 and 6.1 the create itself fails for a user namespace.
 */
static int child_verify_kept(struct child_ctx *c)
{
	struct bpfd_report *rep = &c->msg.rep;
	bool any_kept = false, any_asked = false;
	int k;

	for (k = 0; k < BPFD_NKINDS; k++) {
		any_kept |= rep->kept.mask[k] != 0;
		any_asked |= rep->requested.mask[k] != 0;
	}
	if (!any_kept && any_asked)
		return bpfd_report_fail(rep, BPFD_STEP_NOT_KEPT, EOPNOTSUPP,
					"mount options: %s", rep->mount_opts);
	k = first_mismatch(c, &rep->kept, true);
	if (k >= 0)
		return bpfd_report_fail(
		    rep, BPFD_STEP_NOT_KEPT, EINVAL,
		    "%s: asked 0x%llx, mountinfo shows 0x%llx",
		    bpfd_kind_option((enum bpfd_kind)k),
		    (unsigned long long)rep->requested.mask[k],
		    (unsigned long long)rep->kept.mask[k]);
	bpfd_report_mark(rep, BPFD_STEP_NOT_KEPT);
	return 0;
}

static int child_token(struct child_ctx *c, int root_fd)
{
	struct bpfd_report *rep = &c->msg.rep;
	_cleanup_close_ int tok = BPFD_NO_FD;
	int r, k;

	if (c->opts->no_verify)
		return 0;
	tok = bpfd_token_create(root_fd);
	if (tok < 0)
		return bpfd_report_fail(rep, BPFD_STEP_TOKEN_CREATE, tok,
					"from %s", rep->target);
	bpfd_report_mark(rep, BPFD_STEP_TOKEN_CREATE);
	r = bpfd_token_info(tok, &rep->token);
	rep->token_source = BPFD_TOKEN_SRC_INFO;
	if (r < 0) {
		/* BPF_OBJ_GET_INFO_BY_FD knows tokens only since 6.17. */
		r = bpfd_token_fdinfo_at(c->proc_fd, tok, &rep->token);
		rep->token_source = BPFD_TOKEN_SRC_FDINFO;
	}
	if (r < 0) {
		rep->token_source = BPFD_TOKEN_SRC_NONE;
		return bpfd_report_fail(rep, BPFD_STEP_TOKEN_INFO, r, "fd %d",
					tok);
	}
	/* fdinfo says "any" once every known bit is set: compare those. */
	k = first_mismatch(c, &rep->token,
			   rep->token_source == BPFD_TOKEN_SRC_FDINFO);
	if (k >= 0)
		return bpfd_report_fail(
		    rep, BPFD_STEP_TOKEN_INFO, EINVAL,
		    "token %s 0x%llx, asked 0x%llx",
		    bpfd_kind_name((enum bpfd_kind)k),
		    (unsigned long long)rep->token.mask[k],
		    (unsigned long long)rep->requested.mask[k]);
	bpfd_report_mark(rep, BPFD_STEP_TOKEN_INFO);
	if (!c->opts->probe)
		return 0;
	r = bpfd_probe_all(tok, &rep->requested, c->names, &rep->probes);
	if (r == -EMFILE || r == -ENFILE || r == -ENOMEM) {
		rep->probed = true;
		return bpfd_report_fail(rep, BPFD_STEP_PROBE, r,
					"of the token (%u probe(s) could not "
					"run)",
					rep->probes.resource_failed);
	}
	if (r < 0)
		return bpfd_report_fail(rep, BPFD_STEP_PROBE, r, "probes");
	rep->probed = true;
	if (rep->probes.disagreements)
		return bpfd_report_fail(
		    rep, BPFD_STEP_PROBE, EACCES,
		    "%u probe(s) disagree with the delegation",
		    rep->probes.disagreements);
	bpfd_report_mark(rep, BPFD_STEP_PROBE);
	return 0;
}

/* After the parent's mount fd: attach, read back, token, probes. */

static int child_verify(struct child_ctx *c, int mnt_fd)
{
	_cleanup_close_ int root = BPFD_NO_FD;
	int r;

	/* fsmount gives an O_PATH fd, which BPF_TOKEN_CREATE rejects (EBADF).
	 */
	root = openat(mnt_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return bpfd_report_fail(&c->msg.rep, BPFD_STEP_OPEN_ROOT, errno,
					"%s", c->msg.rep.target);
	bpfd_report_mark(&c->msg.rep, BPFD_STEP_OPEN_ROOT);
	r = child_read_back(c, root);
	if (r == 0)
		r = child_verify_kept(c);
	if (r < 0)
		return r;
	return child_token(c, root);
}

/*
 * join: the mount goes into another process's namespace, where it would
 * stay if we or the parent died.  So everything that can be done on the
 * still detached mount comes first (a token from its root works there, and
 * proves the delegation; the probes), and move_mount comes last: after it
 * only the read-backs, and a failure undoes it.  The parent undoes it too
 * when it gives up on us (lib/engine.c, parent_undo).
 */
static int child_finish_join(struct child_ctx *c, int mnt_fd)
{
	struct bpfd_report *rep = &c->msg.rep;
	const char *target =
	    c->opts->target ? c->opts->target : BPFD_DEFAULT_TARGET;
	_cleanup_close_ int root = BPFD_NO_FD, tfd = BPFD_NO_FD;
	int r;

	snprintf(rep->target, sizeof(rep->target), "%s", target);
	/* fsmount gives an O_PATH fd, which BPF_TOKEN_CREATE rejects (EBADF).
	 */
	root = openat(mnt_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return bpfd_report_fail(rep, BPFD_STEP_OPEN_ROOT, errno, "%s",
					target);
	bpfd_report_mark(rep, BPFD_STEP_OPEN_ROOT);
	r = child_token(c, root);
	/* ENOENT: all four masks are 0, though we asked for some: the kernel
	 * kept none of the options (what the mountinfo read-back of check
	 * reports as a kernel without delegation). */
	if (r == -ENOENT && rep->step == BPFD_STEP_TOKEN_CREATE)
		return bpfd_report_fail(rep, BPFD_STEP_NOT_KEPT, EOPNOTSUPP,
					"the bpffs has no delegate_* option "
					"(token create: ENOENT)");
	if (r < 0)
		return r;
	tfd = child_open_target(c, true);
	if (tfd < 0)
		return tfd;
	/* Onto the fd: nothing is looked up by name again. */
	if (move_mount(mnt_fd, "", tfd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return bpfd_report_fail(rep, BPFD_STEP_MOVE_MOUNT, errno, "%s",
					target);
	r = child_check_visible(c, mnt_fd, target);
	if (r == 0)
		r = child_read_back(c, root);
	if (r == 0)
		r = child_verify_kept(c);
	if (r < 0) {
		child_undo_mount(mnt_fd);
		return r;
	}
	if (bpfd_fault() == BPFD_FAULT_CHILD_HANG_ATTACHED ||
	    bpfd_fault() == BPFD_FAULT_UNDO_HANG)
		for (;;)
			pause();
	return 0;
}

static int child_finish(struct child_ctx *c, int mnt_fd)
{
	int r;

	if (c->opts->join)
		return child_finish_join(c, mnt_fd);
	r = child_attach_own(c, mnt_fd);
	if (r < 0)
		return r;
	return child_verify(c, mnt_fd);
}

static int child_steps(struct child_ctx *c)
{
	_cleanup_close_ int fs = BPFD_NO_FD, mnt = BPFD_NO_FD;
	int r;

	if (parent_writes_maps(c->opts)) {
		r = child_wait(c, MSG_MAPPED, NULL);
		if (r < 0)
			return r;
	}
	r = child_enter(c);
	if (r < 0)
		return r;
	/* join: refuse a target already taken before anything is made. */
	if (c->opts->join) {
		r = child_open_target(c, false);
		if (r < 0)
			return r;
		close(r);
	}
	if (bpfd_fault() == BPFD_FAULT_CHILD_HANG)
		for (;;)
			pause();
	fs = child_fsopen(c);
	if (fs < 0)
		return fs;
	r = child_send(c, MSG_FSFD, fs);
	if (r < 0)
		return bpfd_report_fail(&c->msg.rep, BPFD_STEP_SEND, r,
					"fs fd");
	if (bpfd_fault() == BPFD_FAULT_CHILD_EXIT_AFTER_FSOPEN)
		_exit(3);
	r = child_wait(c, MSG_MNTFD, &mnt);
	if (r < 0)
		return r;
	if (mnt < 0)
		return bpfd_report_fail(&c->msg.rep, BPFD_STEP_PEER, EPROTO,
					"no mount fd from the parent");
	if (bpfd_fault() == BPFD_FAULT_CHILD_FALSE_SUCCESS)
		return 0;
	return child_finish(c, mnt);
}

/*
 * run --netns new: a network namespace of our own, unshared after the user
 * namespace so that the new user namespace owns it (COMMAND, its root, may
 * configure it), with only lo, which starts down: bring it up, as
 * `ip link set lo up` would, with the SIOCSIFFLAGS ioctl.
 */
static int child_netns(struct child_ctx *c)
{
	struct bpfd_report *rep = &c->msg.rep;
	struct ifreq ifr = {0};
	_cleanup_close_ int s = BPFD_NO_FD;

	if (unshare(CLONE_NEWNET) < 0)
		return bpfd_report_fail(rep, BPFD_STEP_NETNS, errno,
					"unshare CLONE_NEWNET");
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return bpfd_report_fail(rep, BPFD_STEP_NETNS, errno,
					"socket for lo");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return bpfd_report_fail(rep, BPFD_STEP_NETNS, errno,
					"SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return bpfd_report_fail(rep, BPFD_STEP_NETNS, errno,
					"SIOCSIFFLAGS lo up");
	bpfd_report_mark(rep, BPFD_STEP_NETNS);
	return 0;
}

/*
 * Rootless: map ourselves, as `unshare -r` does: the namespace root is
 * the caller's own euid/egid, nothing else.  The maps must be written
 * before the hello: the parent (the caller's own process) cannot write
 * them, and with a non-dumpable child nobody could: the /proc/self files
 * of a non-dumpable process belong to global root, which is unmapped in
 * the new namespace, and even we get EACCES opening them (seen on 6.18,
 * docs/kernel-facts.md).  So we are dumpable for the three writes only.
 * Who could ptrace us meanwhile: the caller (the owner of the new user
 * namespace has CAP_SYS_PTRACE in it), who gains nothing: our socket to
 * the helper asks only what the policy grants the caller, for a user
 * namespace the caller owns; we hold no capability of the initial
 * namespace (dropped after fork).  Nobody else is in this namespace.
 */
static int child_own_maps(struct child_ctx *c)
{
	struct bpfd_report *rep = &c->msg.rep;
	struct bpfd_error e = {0};
	int r;

	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		return bpfd_report_fail(rep, BPFD_STEP_UID_MAP, errno,
					"PR_SET_DUMPABLE 1");
	r = bpfd_userns_write_self_maps(c->own_uid, c->own_gid, &e);
	/* Re-armed at once, also on failure (and again after setresuid). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 && r == 0)
		return bpfd_report_fail(rep, BPFD_STEP_UID_MAP, errno,
					"PR_SET_DUMPABLE 0");
	if (r < 0) {
		bpfd_report_from_error(rep, &e);
		return r;
	}
	bpfd_report_mark(rep, BPFD_STEP_UID_MAP);
	bpfd_report_mark(rep, BPFD_STEP_GID_MAP);
	return 0;
}

/* New user + mount (+ network) namespaces, or those of opts->join. */
static int child_namespaces(struct child_ctx *c)
{
	struct bpfd_report *rep = &c->msg.rep;

	if (!c->opts->join) {
		/* COMMAND starts where run was called: unshare moves our cwd
		 * into the new mount namespace's copy of it. */
		if (c->cwd_fd >= 0 && fchdir(c->cwd_fd) < 0 && chdir("/") < 0)
			bpfd_log(BPFD_LOG_DEBUG,
				 "run: no working directory: %s",
				 strerror(errno));
		bpfd_closep(&c->cwd_fd);
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
			return bpfd_report_fail(rep, BPFD_STEP_UNSHARE, errno,
						"CLONE_NEWUSER|CLONE_NEWNS");
		bpfd_report_mark(rep, BPFD_STEP_UNSHARE);
		if (c->opts->privop && child_own_maps(c) < 0)
			return -1;
		return c->opts->new_netns ? child_netns(c) : 0;
	}
	if (setns(c->opts->join->pidfd, CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return bpfd_report_fail(rep, BPFD_STEP_JOIN, errno,
					"setns pid %d user+mnt",
					(int)c->opts->join->pid);
	bpfd_report_mark(rep, BPFD_STEP_JOIN);
	return 0;
}

/* run: become COMMAND; only returns... never: exits on failure. */
static void __attribute__((noreturn)) child_exec(struct child_ctx *c)
{
	const struct bpfd_engine_opts *o = c->opts;
	struct bpfd_error e = {0};
	int err, notify = BPFD_NO_FD;

	/* suggest --learn: installed while we are still root of the
	 * namespace (a filter needs CAP_SYS_ADMIN here or no_new_privs, which
	 * would change COMMAND); nothing below calls bpf().  The listener
	 * goes to the parent with the report. */
	if (o->exec->notify_bpf) {
		notify = bpfd_learn_filter_install();
		if (notify < 0) {
			bpfd_report_fail(&c->msg.rep, BPFD_STEP_EXEC, -notify,
					 "seccomp filter for bpf()");
			child_send(c, MSG_REPORT, BPFD_NO_FD);
			_exit(1);
		}
	}
	if (bpfd_exec_prepare(o->exec, &o->idmap, c->msg.rep.target, &e) < 0) {
		bpfd_report_from_error(&c->msg.rep, &e);
		child_send(c, MSG_REPORT, BPFD_NO_FD);
		_exit(1);
	}
	/* --user may have switched ids: arm the guards again, or COMMAND
	 * never runs.  (The report says why: err 0 would read as success.) */
	err = bpfd_fault() == BPFD_FAULT_EXEC_REARM_FAIL
		  ? -EPERM
		  : bpfd_child_rearm(c->parent);
	if (err < 0) {
		bpfd_report_fail(&c->msg.rep, BPFD_STEP_USER, err,
				 "parent-death signal, non-dumpable");
		child_send(c, MSG_REPORT, BPFD_NO_FD);
		_exit(1);
	}
	bpfd_report_mark(&c->msg.rep, BPFD_STEP_USER);
	if (child_send(c, MSG_REPORT, notify) < 0)
		_exit(1);
	bpfd_closep(&notify);
	err = -bpfd_exec_search(o->exec->argv);
	bpfd_report_fail(&c->msg.rep, BPFD_STEP_EXEC, err, "%s",
			 o->exec->argv[0]);
	child_send(c, MSG_EXEC_ERR, BPFD_NO_FD);
	_exit(bpfd_exec_status(err));
}

void bpfd_engine_child(const struct bpfd_engine_opts *opts,
		       const struct bpfd_names *names, int sock, pid_t parent)
{
	struct child_ctx *c;
	int r;
	/* run: COMMAND starts in the caller's cwd.  Kept (as an O_PATH fd)
	 * only for our own new namespaces, which nobody else enters. */
	int cwd = opts->exec && !opts->join
		      ? open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)
		      : BPFD_NO_FD;
	int keep[] = {sock, opts->join ? opts->join->pidfd : BPFD_NO_FD,
		      opts->join ? opts->join_root_fd : BPFD_NO_FD, cwd};

	/* Rootless: the helper's CAP_SYS_ADMIN (permitted) came with the
	 * fork; it goes first, before anything else runs here.  A caller
	 * inside a user namespace (rootless podman's hooks) keeps that
	 * namespace's own capabilities (bpfd_caps_drop_host). */
	if (opts->privop && bpfd_caps_drop_host() < 0)
		_exit(127);
	/* Nobody, the invoking user included, may ptrace us: we hold the
	 * channel to a privileged parent.  Allocated first, to report. */
	c = bpfd_alloc_msg_ctx(sizeof(*c), offsetof(struct child_ctx, msg));
	if (!c)
		_exit(127);
	c->sock = sock;
	c->own_uid = geteuid();
	c->own_gid = getegid();
	r = bpfd_child_harden(parent, keep, ARRAY_SIZE(keep));
	if (r < 0) {
		bpfd_report_fail(&c->msg.rep, BPFD_STEP_FORK, r,
				 "child set-up: fds, cwd, parent-death "
				 "signal, non-dumpable");
		child_send(c, MSG_REPORT, BPFD_NO_FD);
		_exit(1);
	}
	if (bpfd_fault() == BPFD_FAULT_CHILD_PAUSE_EARLY)
		for (;;)
			pause();
	c->cwd_fd = cwd;
	c->opts = opts;
	c->parent = parent;
	c->names = names;
	bpfd_deadline_init(&c->dl, opts->timeout_ms);
	c->msg.rep.requested = opts->deleg;
	/* Host supplementary groups (root's 0 among them) would stay usable
	 * inside, shown as nogroup: drop them while we still may.  Rootless
	 * we may not (CAP_SETGID): the caller's own groups stay, as with
	 * `unshare -r`; they grant nothing the caller lacks. */
	if (!opts->privop && setgroups(0, NULL) < 0) {
		bpfd_report_fail(&c->msg.rep, BPFD_STEP_SETID, errno,
				 "setgroups(0)");
		child_send(c, MSG_REPORT, BPFD_NO_FD);
		_exit(1);
	}
	c->proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* The read-back's way, chosen while we still see the host's files. */
	if (!bpfd_statmount_has_options()) {
		r = bpfd_libmount_open(&c->lm);
		if (r < 0) {
			bpfd_report_fail(&c->msg.rep, BPFD_STEP_MOUNTINFO, r,
					 "libmount.so.1 (needed before Linux "
					 "6.11, whose statmount(2) shows no "
					 "mount options)");
			child_send(c, MSG_REPORT, BPFD_NO_FD);
			_exit(1);
		}
		c->use_lm = true;
	}
	if (child_namespaces(c) < 0) {
		child_send(c, MSG_REPORT, BPFD_NO_FD);
		_exit(1);
	}
	if (parent_writes_maps(opts) &&
	    child_send(c, MSG_HELLO, BPFD_NO_FD) < 0)
		_exit(1);
	r = child_steps(c);
	if (r == 0 && opts->exec)
		child_exec(c);
	/* Whatever failed says so: a report of err 0 means success. */
	if (r < 0 && !c->msg.rep.err)
		c->msg.rep.err = -r;
	child_send(c, MSG_REPORT, BPFD_NO_FD);
	_exit(r < 0 ? 1 : 0);
}
