// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The delegation engine.  Parent (privileged, initial user namespace) and
 * child (new user + mount namespace) talk over a SOCK_SEQPACKET pair:
 *
 *   child                                  parent
 *   unshare(NEWUSER|NEWNS)   -- hello -->
 *                            <-- mapped -- write uid_map, setgroups, gid_map
 *   setresuid(0), MS_PRIVATE
 *   fsopen("bpf")            -- fs fd --> bpfd_bpffs_delegate()
 *                            <-- mnt fd --
 *   move_mount, token, probes -- report -->
 *
 * Every wait is bounded by one deadline; the parent kills and reaps the child
 * on any failure, and the child dies with the parent (PR_SET_PDEATHSIG).
 * Mounts live only in the child's private mount namespace or as detached
 * mounts held by fds, so nothing stays mounted when either side dies.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include <bpfdelegate/bpffs.h>
#include <bpfdelegate/engine.h>
#include <bpfdelegate/fdpass.h>
#include <bpfdelegate/procns.h>
#include <bpfdelegate/sysbpf.h>

#include "exec.h"
#include "internal.h"

enum msg_type {
	MSG_HELLO = 1, /* child: namespaces created */
	MSG_MAPPED,    /* parent: id maps written */
	MSG_FSFD,      /* child: fs context fd attached */
	MSG_MNTFD,     /* parent: mount fd attached */
	MSG_REPORT,    /* child: final report */
	MSG_EXEC_ERR,  /* child (run): execvp failed, report says how */
};

/* Every record the child sends has this shape, so sizes always match. */
struct child_msg {
	uint32_t type;
	struct bpfd_report rep;
};

struct parent_msg {
	uint32_t type;
};

struct deadline {
	struct timespec end;
};

static void deadline_init(struct deadline *d, int timeout_ms)
{
	clock_gettime(CLOCK_MONOTONIC, &d->end);
	d->end.tv_sec += timeout_ms / 1000;
	d->end.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (d->end.tv_nsec >= 1000000000L) {
		d->end.tv_sec++;
		d->end.tv_nsec -= 1000000000L;
	}
}

static int deadline_left_ms(const struct deadline *d)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (d->end.tv_sec - now.tv_sec) * 1000L +
	     (d->end.tv_nsec - now.tv_nsec) / 1000000L;
	return ms < 0 ? 0 : (int)ms;
}

static int report_fail(struct bpfd_report *rep, enum bpfd_step step, int err,
		       const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report_from_error(struct bpfd_report *rep,
			      const struct bpfd_error *e);

static int report_fail(struct bpfd_report *rep, enum bpfd_step step, int err,
		       const char *fmt, ...)
{
	struct bpfd_error e;
	va_list ap;

	va_start(ap, fmt);
	err = bpfd_error_setv(&e, step, err, fmt, ap);
	va_end(ap);
	report_from_error(rep, &e);
	return err;
}

static void report_from_error(struct bpfd_report *rep,
			      const struct bpfd_error *e)
{
	rep->err = e->err;
	rep->step = e->step;
	snprintf(rep->detail, sizeof(rep->detail), "%s", e->detail);
}

void bpfd_report_error(const struct bpfd_report *rep, struct bpfd_error *err)
{
	if (!err)
		return;
	err->step = (enum bpfd_step)rep->step;
	err->err = rep->err;
	snprintf(err->detail, sizeof(err->detail), "%s", rep->detail);
	err->hint = bpfd_error_hint(err->step, err->err);
}

static void mark(struct bpfd_report *rep, enum bpfd_step step)
{
	rep->done |= 1u << step;
}

/* ---- child side ---- */

struct child_ctx {
	const struct bpfd_engine_opts *opts;
	pid_t parent;
	int proc_fd; /* the host's /proc, for our own mountinfo after setns */
	const struct bpfd_names *names;
	int sock;
	struct deadline dl;
	struct child_msg msg; /* msg.rep is the report being built */
};

static int child_send(struct child_ctx *c, enum msg_type type, int fd)
{
	c->msg.type = type;
	return bpfd_send(c->sock, &c->msg, sizeof(c->msg), fd);
}

static int child_wait(struct child_ctx *c, enum msg_type want, int *fd)
{
	struct parent_msg pm;
	int r =
	    bpfd_recv(c->sock, &pm, sizeof(pm), fd, deadline_left_ms(&c->dl));

	if (r < 0)
		return report_fail(&c->msg.rep, BPFD_STEP_RECV, r,
				   "from the parent");
	if (pm.type != want) {
		if (fd)
			bpfd_closep(fd);
		return report_fail(&c->msg.rep, BPFD_STEP_PEER, EPROTO,
				   "unexpected message %u from the parent",
				   pm.type);
	}
	return 0;
}

/*
 * Die with the parent.  The kernel clears this on every change of the
 * effective or fs ids, so it is armed again after each one.
 */
static int arm_pdeathsig(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		return -ESRCH;
	return 0;
}

/* Become root of the new namespace and keep mounts to ourselves. */
static int child_enter(struct child_ctx *c)
{
	struct bpfd_report *rep = &c->msg.rep;

	/*
	 * Our kuid is still host root until we switch: ids 0 inside map to
	 * the chosen outside ids, and going from an unmapped id to the
	 * namespace root keeps the full capability set of the namespace.
	 */
	bool join = c->opts->join != NULL;

	/* A joined namespace may not map root (EINVAL): then we stay an
	 * unmapped id, with every capability of the namespace all the same. */
	if (setresgid(0, 0, 0) < 0 && !(join && errno == EINVAL))
		return report_fail(rep, BPFD_STEP_SETID, errno, "setresgid(0)");
	if (setresuid(0, 0, 0) < 0 && !(join && errno == EINVAL))
		return report_fail(rep, BPFD_STEP_SETID, errno, "setresuid(0)");
	mark(rep, BPFD_STEP_SETID);
	if (arm_pdeathsig(c->parent) < 0)
		_exit(127);
	/* Another's mount namespace keeps its propagation: we only add. */
	if (join)
		return 0;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return report_fail(rep, BPFD_STEP_MOUNT_PRIVATE, errno, "/");
	mark(rep, BPFD_STEP_MOUNT_PRIVATE);
	return 0;
}

static int child_fsopen(struct child_ctx *c)
{
	const char *type = "bpf";
	int fd;

	if (c->opts->fault == BPFD_FAULT_CHILD_SEND_TMPFS)
		type = "tmpfs";
	/* fsopen needs CAP_SYS_ADMIN over our mount namespace: we own it. */
	fd = fsopen(type, FSOPEN_CLOEXEC);
	if (fd < 0)
		return report_fail(&c->msg.rep, BPFD_STEP_FSOPEN, errno,
				   "\"%s\"", type);
	mark(&c->msg.rep, BPFD_STEP_FSOPEN);
	return fd;
}

/* Attach the detached mount at the target, inside our private namespace. */
static int child_attach(struct child_ctx *c, int mnt_fd)
{
	struct bpfd_report *rep = &c->msg.rep;
	const char *target =
	    c->opts->target ? c->opts->target : BPFD_DEFAULT_TARGET;
	struct bpfd_error e = {0};
	_cleanup_close_ int tfd = BPFD_NO_FD;

	snprintf(rep->target, sizeof(rep->target), "%s", target);
	if (!c->opts->join) {
		if (move_mount(mnt_fd, "", AT_FDCWD, target,
			       MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return report_fail(rep, BPFD_STEP_MOVE_MOUNT, errno,
					   "%s", target);
		mark(rep, BPFD_STEP_MOVE_MOUNT);
		return 0;
	}
	tfd = bpfd_open_in_root(c->opts->join_root_fd, target, true, &e);
	if (tfd < 0) {
		report_from_error(rep, &e);
		return tfd;
	}
	/* Onto the fd: nothing is looked up by name again. */
	if (move_mount(mnt_fd, "", tfd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return report_fail(rep, BPFD_STEP_MOVE_MOUNT, errno, "%s",
				   target);
	mark(rep, BPFD_STEP_MOVE_MOUNT);
	return 0;
}

static int child_read_back(struct child_ctx *c, int root_fd)
{
	struct bpfd_report *rep = &c->msg.rep;
	struct bpfd_error e = {0};
	_cleanup_close_ int mi = BPFD_NO_FD;
	int id = bpfd_mount_id(root_fd);
	int r;

	if (id < 0)
		return report_fail(rep, BPFD_STEP_MOUNTINFO, id,
				   "statx mount id");
	/* Through the host's /proc opened before joining: a container's
	 * /proc belongs to a pid namespace in which we have no "self". */
	mi = openat(c->proc_fd, "self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (mi < 0)
		return report_fail(rep, BPFD_STEP_MOUNTINFO, errno,
				   "/proc/self/mountinfo");
	r = bpfd_bpffs_read_options_fd(mi, id, c->names, &rep->kept,
				       rep->mount_opts, sizeof(rep->mount_opts),
				       &e);
	if (r < 0) {
		report_from_error(rep, &e);
		return r;
	}
	rep->kept_valid = true;
	mark(rep, BPFD_STEP_MOUNTINFO);
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
 * within the known bits.  Nothing kept at all means a pre-6.9 kernel, which
 * silently ignores unknown bpffs options.
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
		return report_fail(rep, BPFD_STEP_NOT_KEPT, EOPNOTSUPP,
				   "mount options: %s", rep->mount_opts);
	k = first_mismatch(c, &rep->kept, true);
	if (k >= 0)
		return report_fail(rep, BPFD_STEP_NOT_KEPT, EINVAL,
				   "%s: asked 0x%llx, mountinfo shows 0x%llx",
				   bpfd_kind_option((enum bpfd_kind)k),
				   (unsigned long long)rep->requested.mask[k],
				   (unsigned long long)rep->kept.mask[k]);
	mark(rep, BPFD_STEP_NOT_KEPT);
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
		return report_fail(rep, BPFD_STEP_TOKEN_CREATE, tok, "from %s",
				   rep->target);
	mark(rep, BPFD_STEP_TOKEN_CREATE);
	r = bpfd_token_info(tok, &rep->token);
	rep->token_source = BPFD_TOKEN_SRC_INFO;
	if (r < 0) {
		/* BPF_OBJ_GET_INFO_BY_FD knows tokens only since 6.17. */
		r = bpfd_token_fdinfo(tok, &rep->token);
		rep->token_source = BPFD_TOKEN_SRC_FDINFO;
	}
	if (r < 0) {
		rep->token_source = BPFD_TOKEN_SRC_NONE;
		return report_fail(rep, BPFD_STEP_TOKEN_INFO, r, "fd %d", tok);
	}
	/* fdinfo says "any" once every known bit is set: compare those. */
	k = first_mismatch(c, &rep->token,
			   rep->token_source == BPFD_TOKEN_SRC_FDINFO);
	if (k >= 0)
		return report_fail(rep, BPFD_STEP_TOKEN_INFO, EINVAL,
				   "token %s 0x%llx, asked 0x%llx",
				   bpfd_kind_name((enum bpfd_kind)k),
				   (unsigned long long)rep->token.mask[k],
				   (unsigned long long)rep->requested.mask[k]);
	mark(rep, BPFD_STEP_TOKEN_INFO);
	if (!c->opts->probe)
		return 0;
	r = bpfd_probe_all(tok, &rep->requested, c->names, &rep->probes);
	if (r < 0)
		return report_fail(rep, BPFD_STEP_PROBE, r, "probes");
	rep->probed = true;
	if (rep->probes.disagreements)
		return report_fail(rep, BPFD_STEP_PROBE, EACCES,
				   "%u probe(s) disagree with the delegation",
				   rep->probes.disagreements);
	mark(rep, BPFD_STEP_PROBE);
	return 0;
}

/* After the parent's mount fd: attach, read back, token, probes. */
static int child_finish(struct child_ctx *c, int mnt_fd)
{
	_cleanup_close_ int root = BPFD_NO_FD;
	int r;

	r = child_attach(c, mnt_fd);
	if (r < 0)
		return r;
	/* fsmount gives an O_PATH fd, which BPF_TOKEN_CREATE rejects (EBADF).
	 */
	root = openat(mnt_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return report_fail(&c->msg.rep, BPFD_STEP_OPEN_ROOT, errno,
				   "%s", c->msg.rep.target);
	mark(&c->msg.rep, BPFD_STEP_OPEN_ROOT);
	r = child_read_back(c, root);
	if (r == 0)
		r = child_verify_kept(c);
	if (r < 0)
		return r;
	return child_token(c, root);
}

static int child_steps(struct child_ctx *c)
{
	_cleanup_close_ int fs = BPFD_NO_FD, mnt = BPFD_NO_FD;
	int r;

	r = child_wait(c, MSG_MAPPED, NULL);
	if (r < 0)
		return r;
	r = child_enter(c);
	if (r < 0)
		return r;
	if (c->opts->fault == BPFD_FAULT_CHILD_HANG)
		for (;;)
			pause();
	fs = child_fsopen(c);
	if (fs < 0)
		return fs;
	r = child_send(c, MSG_FSFD, fs);
	if (r < 0)
		return report_fail(&c->msg.rep, BPFD_STEP_SEND, r, "fs fd");
	if (c->opts->fault == BPFD_FAULT_CHILD_EXIT_AFTER_FSOPEN)
		_exit(3);
	r = child_wait(c, MSG_MNTFD, &mnt);
	if (r < 0)
		return r;
	if (mnt < 0)
		return report_fail(&c->msg.rep, BPFD_STEP_PEER, EPROTO,
				   "no mount fd from the parent");
	return child_finish(c, mnt);
}

/* New user + mount namespaces, or those of opts->join. */
static int child_namespaces(struct child_ctx *c)
{
	struct bpfd_report *rep = &c->msg.rep;

	if (!c->opts->join) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
			return report_fail(rep, BPFD_STEP_UNSHARE, errno,
					   "CLONE_NEWUSER|CLONE_NEWNS");
		mark(rep, BPFD_STEP_UNSHARE);
		return 0;
	}
	/*
	 * We hold fds of a privileged parent and are about to enter a
	 * namespace whose root may ptrace same-namespace processes: being
	 * non-dumpable keeps it from attaching to us (CVE-2019-5736 class).
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return report_fail(rep, BPFD_STEP_JOIN, errno,
				   "PR_SET_DUMPABLE");
	if (setns(c->opts->join->pidfd, CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return report_fail(rep, BPFD_STEP_JOIN, errno,
				   "setns pid %d user+mnt",
				   (int)c->opts->join->pid);
	mark(rep, BPFD_STEP_JOIN);
	return 0;
}

/* run: become COMMAND; only returns... never: exits on failure. */
static void __attribute__((noreturn)) child_exec(struct child_ctx *c)
{
	const struct bpfd_engine_opts *o = c->opts;
	struct bpfd_error e = {0};
	int err;

	if (bpfd_exec_prepare(o->exec, &o->idmap, c->msg.rep.target, &e) < 0 ||
	    arm_pdeathsig(c->parent) < 0) {
		report_from_error(&c->msg.rep, &e);
		child_send(c, MSG_REPORT, BPFD_NO_FD);
		_exit(1);
	}
	mark(&c->msg.rep, BPFD_STEP_USER);
	if (child_send(c, MSG_REPORT, BPFD_NO_FD) < 0)
		_exit(1);
	err = -bpfd_exec_search(o->exec->argv);
	report_fail(&c->msg.rep, BPFD_STEP_EXEC, err, "%s", o->exec->argv[0]);
	child_send(c, MSG_EXEC_ERR, BPFD_NO_FD);
	_exit(bpfd_exec_status(err));
}

static void __attribute__((noreturn))
child_main(const struct bpfd_engine_opts *opts, const struct bpfd_names *names,
	   int sock, pid_t parent)
{
	struct child_ctx *c = calloc(1, sizeof(*c));
	int r;

	if (!c || arm_pdeathsig(parent) < 0)
		_exit(127);
	c->opts = opts;
	c->parent = parent;
	c->names = names;
	c->sock = sock;
	deadline_init(&c->dl, opts->timeout_ms);
	c->msg.rep.requested = opts->deleg;
	/* Host supplementary groups (root's 0 among them) would stay usable
	 * inside, shown as nogroup: drop them while we still may. */
	if (setgroups(0, NULL) < 0) {
		report_fail(&c->msg.rep, BPFD_STEP_SETID, errno,
			    "setgroups(0)");
		child_send(c, MSG_REPORT, BPFD_NO_FD);
		_exit(1);
	}
	c->proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (child_namespaces(c) < 0) {
		child_send(c, MSG_REPORT, BPFD_NO_FD);
		_exit(1);
	}
	if (child_send(c, MSG_HELLO, BPFD_NO_FD) < 0)
		_exit(1);
	r = child_steps(c);
	if (r == 0 && opts->exec)
		child_exec(c);
	child_send(c, MSG_REPORT, BPFD_NO_FD);
	_exit(r < 0 ? 1 : 0);
}

/* ---- parent side ---- */

struct parent_ctx {
	const struct bpfd_engine_opts *opts;
	int sock;
	pid_t pid;
	int pidfd;
	struct deadline dl;
	struct child_msg msg;
	struct bpfd_report *rep;
};

/* Receive the child's next record; a report means it stopped early. */
static int parent_wait(struct parent_ctx *p, enum msg_type want, int *fd)
{
	int r = bpfd_recv(p->sock, &p->msg, sizeof(p->msg), fd,
			  deadline_left_ms(&p->dl));

	if (r == -ETIMEDOUT)
		return report_fail(p->rep, BPFD_STEP_PEER, ETIMEDOUT,
				   "the child did not answer within %d ms",
				   p->opts->timeout_ms);
	if (r == -EPIPE)
		return report_fail(p->rep, BPFD_STEP_PEER, EPIPE,
				   "the child exited during the handshake");
	if (r < 0)
		return report_fail(p->rep, BPFD_STEP_RECV, r, "from the child");
	{
		/* The child's report plus the steps the parent did. */
		uint32_t done = p->rep->done;

		*p->rep = p->msg.rep;
		p->rep->done |= done;
	}
	if (p->msg.type == want)
		return 0;
	if (fd)
		bpfd_closep(fd);
	if (p->msg.type == MSG_REPORT && p->rep->err)
		return -p->rep->err;
	return report_fail(p->rep, BPFD_STEP_PEER, EPROTO,
			   "unexpected message %u from the child", p->msg.type);
}

static int parent_send(struct parent_ctx *p, enum msg_type type, int fd)
{
	struct parent_msg pm = {.type = type};
	int r = bpfd_send(p->sock, &pm, sizeof(pm), fd);

	if (r == -EPIPE)
		return report_fail(p->rep, BPFD_STEP_PEER, EPIPE,
				   "the child exited during the handshake");
	if (r < 0)
		return report_fail(p->rep, BPFD_STEP_SEND, r, "to the child");
	return 0;
}

static int parent_delegate(struct parent_ctx *p)
{
	_cleanup_close_ int fs = BPFD_NO_FD, mnt = BPFD_NO_FD;
	struct bpfd_error e = {0};
	int r;

	r = parent_wait(p, MSG_FSFD, &fs);
	if (r < 0)
		return r;
	if (fs < 0)
		return report_fail(p->rep, BPFD_STEP_PEER, EPROTO,
				   "no fs fd from the child");
	if (p->opts->fault == BPFD_FAULT_PARENT_EXIT_AFTER_RECV)
		kill(getpid(), SIGKILL);
	if (p->opts->fault == BPFD_FAULT_DROP_OPTIONS) {
		static const struct bpfd_delegation none;

		mnt = bpfd_bpffs_delegate(fs, &none, &e);
	} else {
		mnt = bpfd_bpffs_delegate_as(fs, &p->opts->deleg,
					     &p->opts->idmap, &e);
	}
	if (mnt < 0) {
		report_from_error(p->rep, &e);
		return mnt;
	}
	mark(p->rep, BPFD_STEP_FSCONFIG);
	mark(p->rep, BPFD_STEP_CREATE);
	mark(p->rep, BPFD_STEP_FSMOUNT);
	return parent_send(p, MSG_MNTFD, mnt);
}

static int parent_steps(struct parent_ctx *p)
{
	struct bpfd_error e = {0};
	int r;

	r = parent_wait(p, MSG_HELLO, NULL);
	if (r < 0)
		return r;
	if (!p->opts->join) {
		r = bpfd_userns_write_maps(p->pid, &p->opts->idmap, &e);
		if (r < 0) {
			report_from_error(p->rep, &e);
			return r;
		}
		mark(p->rep, BPFD_STEP_UID_MAP);
		mark(p->rep, BPFD_STEP_GID_MAP);
	}
	r = parent_send(p, MSG_MAPPED, BPFD_NO_FD);
	if (r < 0)
		return r;
	r = parent_delegate(p);
	if (r < 0)
		return r;
	r = parent_wait(p, MSG_REPORT, NULL);
	if (r < 0)
		return r;
	return p->rep->err ? -p->rep->err : 0;
}

/* Reap the child: it exits by itself after its report; else kill it. */
static void parent_reap(struct parent_ctx *p, bool kill_now)
{
	struct pollfd pfd = {.fd = p->pidfd, .events = POLLIN};

	/* After its report the child exits at once; give it a second. */
	if (!kill_now)
		kill_now = p->pidfd < 0 || poll(&pfd, 1, 1000) != 1;
	if (kill_now) {
		if (p->pidfd >= 0)
			pidfd_send_signal(p->pidfd, SIGKILL, NULL, 0);
		else
			kill(p->pid, SIGKILL);
	}
	while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/*
 * Fork the child and run the handshake up to its report.  On return *pp
 * holds the parent context (the child is alive, or failed) unless NULL.
 */
static int engine_start(struct bpfd_engine_opts *o,
			const struct bpfd_names *names, struct bpfd_report *rep,
			struct parent_ctx **pp)
{
	struct parent_ctx *p;
	struct bpfd_error e = {0};
	pid_t self = getpid();
	int sv[2], r;

	*pp = NULL;
	memset(rep, 0, sizeof(*rep));
	rep->requested = o->deleg;
	if (o->timeout_ms <= 0)
		o->timeout_ms = BPFD_DEFAULT_TIMEOUT_MS;
	r = bpfd_check_privilege(&e);
	if (r < 0) {
		report_from_error(rep, &e);
		return r;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return report_fail(rep, BPFD_STEP_ARGS, ENOMEM, NULL);
	r = bpfd_socketpair(sv);
	if (r < 0) {
		free(p);
		return report_fail(rep, BPFD_STEP_SOCKETPAIR, r, NULL);
	}
	p->pid = fork();
	if (p->pid < 0) {
		r = report_fail(rep, BPFD_STEP_FORK, errno, NULL);
		close(sv[0]);
		close(sv[1]);
		free(p);
		return r;
	}
	if (p->pid == 0) {
		close(sv[0]);
		child_main(o, names, sv[1], self);
	}
	close(sv[1]);
	p->opts = o;
	p->rep = rep;
	p->sock = sv[0];
	/* Our own unreaped child: its pid cannot be recycled, so this pins it.
	 */
	p->pidfd = pidfd_open(p->pid, 0);
	deadline_init(&p->dl, o->timeout_ms);
	*pp = p;
	return parent_steps(p);
}

static void parent_free(struct parent_ctx *p)
{
	if (!p)
		return;
	close(p->sock);
	if (p->pidfd >= 0)
		close(p->pidfd);
	free(p);
}

int bpfd_check(const struct bpfd_engine_opts *opts,
	       const struct bpfd_names *names, struct bpfd_report *rep,
	       struct bpfd_error *err)
{
	struct bpfd_engine_opts o = *opts;
	struct parent_ctx *p;
	int r;

	o.exec = NULL;
	r = engine_start(&o, names, rep, &p);
	if (p)
		parent_reap(p, r < 0);
	parent_free(p);
	if (r < 0)
		bpfd_report_error(rep, err);
	return r;
}

/*
 * After the report, the child's socket closes on a successful execvp
 * (close-on-exec); a failed one sends MSG_EXEC_ERR first.  No deadline:
 * the child is either executing or dying, both close the socket.
 */
static int parent_wait_exec(struct parent_ctx *p)
{
	int r = bpfd_recv(p->sock, &p->msg, sizeof(p->msg), NULL, -1);

	if (r == -EPIPE)
		return 0;
	if (r < 0)
		return report_fail(p->rep, BPFD_STEP_RECV, r, "from the child");
	*p->rep = p->msg.rep;
	if (p->msg.type == MSG_EXEC_ERR && p->rep->err)
		return -p->rep->err;
	return report_fail(p->rep, BPFD_STEP_PEER, EPROTO,
			   "unexpected message %u from the child", p->msg.type);
}

int bpfd_run(const struct bpfd_engine_opts *opts,
	     const struct bpfd_names *names, struct bpfd_report *rep,
	     struct bpfd_child *child, struct bpfd_error *err)
{
	struct bpfd_engine_opts o = *opts;
	struct parent_ctx *p;
	int r;

	child->pid = -1;
	child->pidfd = BPFD_NO_FD;
	if (!o.exec || !o.exec->argv || !o.exec->argv[0]) {
		r = report_fail(rep, BPFD_STEP_ARGS, EINVAL, "no command");
		bpfd_report_error(rep, err);
		return r;
	}
	o.probe = false;
	r = engine_start(&o, names, rep, &p);
	if (r == 0)
		r = parent_wait_exec(p);
	if (r < 0) {
		if (p)
			parent_reap(p, true);
		parent_free(p);
		bpfd_report_error(rep, err);
		return r;
	}
	child->pid = p->pid;
	child->pidfd = TAKE_FD(p->pidfd);
	parent_free(p);
	return 0;
}
