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
 * hello/mapped only when the parent writes the maps: a child that joins
 * existing namespaces (attach, oci-hook) or writes its own (rootless)
 * sends its fs fd first (parent_writes_maps()).  A child message carries
 * the report so far, up to the probe results it has (child_msg_len()).
 *
 * Every wait is bounded by one deadline; the parent kills and reaps the child
 * on any failure, and the child dies with the parent (PR_SET_PDEATHSIG).
 * Mounts live only in the child's private mount namespace or as detached
 * mounts held by fds, so nothing stays mounted when either side dies.
 *
 * attach / oci-hook (opts->join) are the exception: the mount goes into
 * another process's mount namespace and stays there.  The child attaches
 * it last (lib/engine_child.c); when the parent gives up (a failed step,
 * the deadline, a stop signal, the child's death) it detaches it again
 * from a clean-up child (parent_undo).  Only a SIGKILL of the parent
 * between the child's move_mount and its report can leave it behind: the
 * next attach then finds a bpffs at the target and refuses.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include <bpfdelegate/bpffs.h>
#include <bpfdelegate/engine.h>
#include <bpfdelegate/fdpass.h>

#include "engine_proto.h"
#include "fault.h"
#include "internal.h"
#include "nschild.h"
#include "privop.h"

/* The clean-up child only detaches one mount: this is plenty. */
#define UNDO_TIMEOUT_MS 2000

struct parent_ctx {
	const struct bpfd_engine_opts *opts;
	int sock;
	pid_t pid;
	int pidfd;
	struct deadline dl;
	struct bpfd_report *rep;
	int mnt;     /* join: the mount sent to the child, for parent_undo */
	int stop_fd; /* signalfd of opts->stop_signals, or BPFD_NO_FD */
	int notify;  /* run with exec->notify_bpf: the seccomp listener */
	struct child_msg msg; /* last: see bpfd_alloc_msg_ctx() */
};

/*
 * Before each wait for the child: a stop signal (pending, not consumed:
 * the caller reads it) ends the handshake like the deadline does.
 */
static int parent_poll(struct parent_ctx *p)
{
	struct pollfd pfd[2] = {
	    {.fd = p->sock, .events = POLLIN},
	    {.fd = p->stop_fd, .events = POLLIN},
	};
	int r;

	if (p->stop_fd < 0)
		return 0;
	do
		r = poll(pfd, 2, bpfd_deadline_left_ms(&p->dl));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return bpfd_report_fail(p->rep, BPFD_STEP_WAIT, errno, "poll");
	if (pfd[1].revents)
		return bpfd_report_fail(p->rep, BPFD_STEP_WAIT, EINTR,
					"stop signal");
	return 0;
}

/*
 * One child message into p->msg: its head and as many probe results as
 * it says it has (child_msg_len); any other size is a protocol error.
 * (The analyzer's NULL @p: see parent_wait_exec().)
 */
BPFD_ANALYZER_IGNORE("-Wanalyzer-null-dereference")
static int recv_child_msg(struct parent_ctx *p, int *fd, int timeout_ms)
{
	size_t got = 0;
	int r = bpfd_recv_upto(p->sock, &p->msg, sizeof(p->msg), &got, fd,
			       timeout_ms);

	if (r == 0 && (got < CHILD_MSG_HEAD || got != child_msg_len(&p->msg))) {
		if (fd)
			bpfd_closep(fd);
		r = -EPROTO;
	}
	return r;
}
BPFD_ANALYZER_POP

/* The report of the message received, as far as it is defined. */
static void take_report(struct parent_ctx *p)
{
	memcpy(p->rep, &p->msg.rep,
	       child_msg_len(&p->msg) - offsetof(struct child_msg, rep));
}

/* Receive the child's next record; a report means it stopped early. */
static int parent_wait(struct parent_ctx *p, enum msg_type want, int *fd)
{
	int r = parent_poll(p);

	if (r < 0)
		return r;
	r = recv_child_msg(p, fd, bpfd_deadline_left_ms(&p->dl));
	if (r == -ETIMEDOUT)
		return bpfd_report_fail(p->rep, BPFD_STEP_PEER, ETIMEDOUT,
					"the child did not answer within %d ms",
					p->opts->timeout_ms);
	if (r == -EPIPE)
		return bpfd_report_fail(
		    p->rep, BPFD_STEP_PEER, EPIPE,
		    "the child exited during the handshake");
	if (r < 0)
		return bpfd_report_fail(p->rep, BPFD_STEP_RECV, r,
					"from the child");
	{
		/* The child's report plus the steps the parent did. */
		uint64_t done = p->rep->done;

		take_report(p);
		p->rep->done |= done;
	}
	if (p->msg.type == want)
		return 0;
	if (fd)
		bpfd_closep(fd);
	if (p->msg.type == MSG_REPORT && p->rep->err)
		return -p->rep->err;
	return bpfd_report_fail(p->rep, BPFD_STEP_PEER, EPROTO,
				"unexpected message %u from the child",
				p->msg.type);
}

/* The step a child that succeeded has done last. */
static enum bpfd_step final_step(const struct bpfd_engine_opts *o)
{
	if (o->exec)
		return BPFD_STEP_USER;
	if (o->no_verify)
		return BPFD_STEP_NOT_KEPT;
	return o->probe ? BPFD_STEP_PROBE : BPFD_STEP_TOKEN_INFO;
}

/*
 * The child's final report: success only when it carries no error and
 * shows the last step done.  A report of err 0 from a child that stopped
 * early (an error lost on the way) is a failure, never a success.
 */
static int parent_final(struct parent_ctx *p)
{
	enum bpfd_step last = final_step(p->opts);

	if (p->rep->err)
		return -p->rep->err;
	if (!(p->rep->done & (1ull << last)))
		return bpfd_report_fail(p->rep, BPFD_STEP_PEER, EPROTO,
					"the child reported no error but did "
					"not finish (%s not done)",
					bpfd_step_name(last));
	return 0;
}

static int parent_send(struct parent_ctx *p, enum msg_type type, int fd)
{
	struct parent_msg pm = {.type = type};
	int r = bpfd_send(p->sock, &pm, sizeof(pm), fd);

	if (r == -EPIPE)
		return bpfd_report_fail(
		    p->rep, BPFD_STEP_PEER, EPIPE,
		    "the child exited during the handshake");
	if (r < 0)
		return bpfd_report_fail(p->rep, BPFD_STEP_SEND, r,
					"to the child");
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
		return bpfd_report_fail(p->rep, BPFD_STEP_PEER, EPROTO,
					"no fs fd from the child");
	if (bpfd_fault() == BPFD_FAULT_PARENT_EXIT_AFTER_RECV)
		kill(getpid(), SIGKILL);
	/* The steps that ran count, also when one failed after them.
	 * Rootless: the helper's or the service's privileged step; the
	 * pidfd names the child whose user namespace the context belongs
	 * to (BPFD_NO_FD when pidfd_open failed: privop decides). */
	if (p->opts->privop)
		mnt = p->opts->privop->delegate(
		    p->opts->privop->ctx, fs, p->pidfd, &p->opts->deleg,
		    &p->opts->idmap, &p->rep->done, &e);
	else
		mnt = bpfd_bpffs_delegate_steps(
		    fs, &p->opts->deleg, &p->opts->idmap, &p->rep->done, &e);
	if (mnt < 0) {
		bpfd_report_from_error(p->rep, &e);
		return mnt;
	}
	r = parent_send(p, MSG_MNTFD, mnt);
	/* join: kept, in case the child attaches it and we must undo. */
	if (p->opts->join)
		p->mnt = TAKE_FD(mnt);
	return r;
}

static bool learning(const struct bpfd_engine_opts *o)
{
	return o->exec && o->exec->notify_bpf;
}

static int parent_steps(struct parent_ctx *p)
{
	struct bpfd_error e = {0};
	int r;

	if (parent_writes_maps(p->opts)) {
		r = parent_wait(p, MSG_HELLO, NULL);
		if (r < 0)
			return r;
		r = bpfd_userns_write_maps(p->pid, &p->opts->idmap, &e);
		if (r < 0) {
			bpfd_report_from_error(p->rep, &e);
			return r;
		}
		bpfd_report_mark(p->rep, BPFD_STEP_UID_MAP);
		bpfd_report_mark(p->rep, BPFD_STEP_GID_MAP);
		r = parent_send(p, MSG_MAPPED, BPFD_NO_FD);
		if (r < 0)
			return r;
	}
	r = parent_delegate(p);
	if (r < 0)
		return r;
	/* suggest --learn: the seccomp listener comes with the report. */
	r = parent_wait(p, MSG_REPORT, learning(p->opts) ? &p->notify : NULL);
	if (r < 0)
		return r;
	r = parent_final(p);
	if (r == 0 && learning(p->opts) && p->notify < 0)
		return bpfd_report_fail(p->rep, BPFD_STEP_PEER, EPROTO,
					"no seccomp listener from the child");
	return r;
}

/* Reap the child: it exits by itself after its report; else kill it. */
static void parent_reap(struct parent_ctx *p, bool kill_now)
{
	int st;

	/* After its report the child exits at once; give it a second. */
	bpfd_wait_child(p->pid, kill_now ? 0 : 1000, &st);
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
	/* The probe results are defined up to probes.count only. */
	memset(rep, 0, offsetof(struct bpfd_report, probes.r));
	rep->requested = o->deleg;
	if (o->timeout_ms <= 0)
		o->timeout_ms = BPFD_DEFAULT_TIMEOUT_MS;
	/* The target travels in the report, and becomes run's
	 * LIBBPF_BPF_TOKEN_PATH: it must fit, never be cut. */
	if (o->target && strlen(o->target) >= sizeof(rep->target))
		return bpfd_report_fail(rep, BPFD_STEP_ARGS, ENAMETOOLONG,
					"target longer than %zu bytes",
					sizeof(rep->target) - 1);
	r = o->privop ? 0 : bpfd_check_privilege(&e);
	if (r < 0) {
		bpfd_report_from_error(rep, &e);
		return r;
	}
	p = bpfd_alloc_msg_ctx(sizeof(*p), offsetof(struct parent_ctx, msg));
	if (!p)
		return bpfd_report_fail(rep, BPFD_STEP_ARGS, ENOMEM, NULL);
	r = bpfd_socketpair(sv);
	if (r < 0) {
		free(p);
		return bpfd_report_fail(rep, BPFD_STEP_SOCKETPAIR, r, NULL);
	}
	p->pid = fork();
	if (p->pid < 0) {
		r = bpfd_report_fail(rep, BPFD_STEP_FORK, errno, NULL);
		close(sv[0]);
		close(sv[1]);
		free(p);
		return r;
	}
	if (p->pid == 0) {
		close(sv[0]);
		bpfd_engine_child(o, names, sv[1], self);
	}
	close(sv[1]);
	p->opts = o;
	p->rep = rep;
	p->sock = sv[0];
	p->mnt = BPFD_NO_FD;
	p->stop_fd = BPFD_NO_FD;
	p->notify = BPFD_NO_FD;
	/* Our own unreaped child: its pid cannot be recycled, so this pins it.
	 * pidfd_open may fail (a seccomp profile older than the syscall
	 * answers ENOSYS or EPERM; EMFILE): the pid, still unreaped, serves
	 * instead, and callers must never poll BPFD_NO_FD. */
	p->pidfd = pidfd_open(p->pid, 0);
	if (p->pidfd < 0)
		p->pidfd = BPFD_NO_FD;
	bpfd_deadline_init(&p->dl, o->timeout_ms);
	*pp = p;
	/* After the fork: the child needs none of it, and a signal that came
	 * before is still pending, so signalfd sees it all the same. */
	if (o->stop_signals) {
		p->stop_fd =
		    signalfd(-1, o->stop_signals, SFD_CLOEXEC | SFD_NONBLOCK);
		if (p->stop_fd < 0)
			return bpfd_report_fail(rep, BPFD_STEP_ARGS, errno,
						"signalfd");
	}
	return parent_steps(p);
}

static void parent_free(struct parent_ctx *p)
{
	if (!p)
		return;
	close(p->sock);
	if (p->pidfd >= 0)
		close(p->pidfd);
	bpfd_closep(&p->mnt);
	bpfd_closep(&p->stop_fd);
	bpfd_closep(&p->notify);
	free(p);
}

/*
 * The clean-up child: host root, in the target's mount namespace, holding
 * the mount fd.  It starts as every child entering a foreign namespace
 * does (bpfd_child_harden: no inherited fds, cwd /, non-dumpable, dies
 * with us).  It joins the mount namespace only: umount needs CAP_SYS_ADMIN
 * over that namespace's owner, which host root has; staying in the initial
 * user namespace spares the id switch (root may not even be mapped).  It
 * detaches exactly the mount we made, wherever it is: its own root as cwd
 * (fchdir on the O_PATH fd), then umount2(".") as child_undo_mount does.
 * Exit status: 0 when it is not attached there any more, else the errno.
 */
static void __attribute__((noreturn))
undo_child(pid_t parent, int pidfd, int mnt, bool rootless)
{
	int keep[] = {pidfd, mnt};
	int r = rootless ? bpfd_caps_drop_host() : 0;

	if (r == 0)
		r = bpfd_child_harden(parent, keep, ARRAY_SIZE(keep));
	/* Rootless, we are the caller, not host root: umount needs
	 * CAP_SYS_ADMIN over the mount namespace's owner, which the caller
	 * has only as a member of the user namespace it owns.  setns with
	 * both flags enters the user namespace first. */
	if (r == 0 &&
	    setns(pidfd, CLONE_NEWNS | (rootless ? CLONE_NEWUSER : 0)) < 0)
		r = -errno;
	if (bpfd_fault() == BPFD_FAULT_UNDO_HANG)
		for (;;)
			pause();
	if (r == 0 && fchdir(mnt) < 0)
		r = -errno;
	/* EINVAL: not attached in this namespace (never, or the engine
	 * child detached it already): nothing to undo. */
	if (r == 0 && umount2(".", MNT_DETACH) < 0 && errno != EINVAL)
		r = -errno;
	_exit(-r & 0xff);
}

/*
 * join, after a failure: the child may have attached the mount before we
 * gave up on it (the deadline, a stop signal, its death, a step whose own
 * undo failed).  Called once the child is reaped, so nothing can attach
 * it again.  0 when it is not (or no longer) attached; else the failure
 * replaces the one in the report: the caller must hear that a bpffs may
 * be left at the target.
 */
static int parent_undo(struct parent_ctx *p)
{
	struct bpfd_report *rep = p->rep;
	const char *target =
	    p->opts->target ? p->opts->target : BPFD_DEFAULT_TARGET;
	pid_t self = getpid(), pid;
	int st = 0, r, id = bpfd_mount_id(p->mnt);

	pid = fork();
	if (pid == 0)
		undo_child(self, p->opts->join->pidfd, p->mnt,
			   p->opts->privop != NULL);
	r = pid < 0 ? -errno
		    : bpfd_wait_child(pid,
				      bpfd_fault() == BPFD_FAULT_UNDO_HANG
					  ? 30000
					  : UNDO_TIMEOUT_MS,
				      &st);
	if (r == 0 && !WIFEXITED(st))
		r = -ECHILD;
	else if (r == 0)
		r = -WEXITSTATUS(st);
	if (r == 0)
		return 0;
	return bpfd_report_fail(rep, BPFD_STEP_UNDO, r,
				"%s: a bpffs (mount id %d) may be left there "
				"after: %s",
				target, id,
				bpfd_step_name((enum bpfd_step)rep->step));
}

int bpfd_engine_check(const struct bpfd_engine_opts *opts,
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
	if (r < 0 && p && p->mnt >= 0) {
		int u = parent_undo(p);

		r = u < 0 ? u : r;
	}
	parent_free(p);
	if (r < 0)
		bpfd_report_error(rep, err);
	return r;
}

/*
 * gcc 12 -fanalyzer (make analyze) reports a NULL parent context below: it
 * sees one file at a time, so bpfd_report_fail() (lib/report.c, always
 * -errno < 0) may return 0 to it, and engine_start() "succeed" without a
 * context.  engine_start() returns 0 only with *pp set.
 */
BPFD_ANALYZER_IGNORE("-Wanalyzer-null-dereference")
/*
 * After the report, the child's socket closes on a successful execvp
 * (close-on-exec); a failed one sends MSG_EXEC_ERR first.  A child that
 * dies before exec also closes it: its status then tells the caller.
 */
static int parent_wait_exec(struct parent_ctx *p)
{
	/* execve of a program on a hung network filesystem must not hang us
	 * either: what is left of the deadline, and at least a second. */
	int left = bpfd_deadline_left_ms(&p->dl);
	int r = recv_child_msg(p, NULL, left > 1000 ? left : 1000);

	if (r == -EPIPE)
		return 0;
	if (r == -ETIMEDOUT)
		return bpfd_report_fail(p->rep, BPFD_STEP_EXEC, ETIMEDOUT,
					"COMMAND did not start in time");
	if (r < 0)
		return bpfd_report_fail(p->rep, BPFD_STEP_RECV, r,
					"from the child");
	take_report(p);
	if (p->msg.type == MSG_EXEC_ERR && p->rep->err)
		return -p->rep->err;
	return bpfd_report_fail(p->rep, BPFD_STEP_PEER, EPROTO,
				"unexpected message %u from the child",
				p->msg.type);
}

int bpfd_engine_run(const struct bpfd_engine_opts *opts,
		    const struct bpfd_names *names, struct bpfd_report *rep,
		    struct bpfd_child *child, struct bpfd_error *err)
{
	struct bpfd_engine_opts o = *opts;
	struct parent_ctx *p;
	int r;

	child->pid = -1;
	child->pidfd = BPFD_NO_FD;
	child->notify_fd = BPFD_NO_FD;
	if (!o.exec || !o.exec->argv || !o.exec->argv[0]) {
		r = bpfd_report_fail(rep, BPFD_STEP_ARGS, EINVAL, "no command");
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
	child->notify_fd = TAKE_FD(p->notify);
	parent_free(p);
	return 0;
}
BPFD_ANALYZER_POP
