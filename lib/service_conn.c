// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One connection of `bpfdelegate serve`, in a worker process of its own
 * (lib/service.c forks it and kills it at its deadline).  The worker is
 * root in the initial namespaces; it trusts the kernel only:
 *
 *   - who asks: SO_PEERCRED and SO_PEERGROUPS (ids of the initial user
 *     namespace, whatever namespace the client runs in);
 *   - what it asks: a fixed-size record, checked field by field, then
 *     against the administrator's policy (bpfd_policy_decide);
 *   - for whom: the pidfd received, whose user namespace must be the
 *     caller's (the child of the initial one above it is owned by the
 *     caller's uid); for attach the caller must be able to ptrace it;
 *   - the fs context: opened by a child of ours inside that user
 *     namespace, never taken from the client.
 *
 * Then bpfd_bpffs_delegate_steps(), the same privileged operation the
 * root engine does, and the detached mount fd goes back with the verdict.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/nsfs.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <bpfdelegate/fdpass.h>

#include "compat.h"
#include "engine_proto.h"
#include "fault.h"
#include "internal.h"
#include "nschild.h"
#include "service.h"
#include "service_proto.h"

/* The kernel nests at most 32 user namespaces. */
#define USERNS_MAX_DEPTH 33

struct conn {
	int sock;
	const struct bpfd_serve_opts *o;
	struct deadline dl;
	struct ucred cred;
	gid_t groups[BPFD_CALLER_MAX_GROUPS];
	size_t ngroups;
	struct bpfd_svc_request req;
	int pidfd;
	pid_t pid;  /* the pidfd's, for messages and /proc fallbacks */
	int userns; /* the pidfd's user namespace, checked */
	bool netns_host;
	struct bpfd_svc_reply rep;
};

static const char *cmd_name(uint32_t cmd)
{
	switch (cmd) {
	case BPFD_POLICY_CHECK:
		return "check";
	case BPFD_POLICY_RUN:
		return "run";
	case BPFD_POLICY_ATTACH:
		return "attach";
	default:
		return "?";
	}
}

/* Record the verdict; returns -err. */
static int __attribute__((format(printf, 5, 6)))
fail(struct conn *c, enum bpfd_step step, int err, bool refused,
     const char *fmt, ...)
{
	va_list ap;

	c->rep.err = err;
	c->rep.step = step;
	c->rep.refused = refused;
	va_start(ap, fmt);
	vsnprintf(c->rep.detail, sizeof(c->rep.detail), fmt, ap);
	va_end(ap);
	return -err;
}

static int fail_error(struct conn *c, const struct bpfd_error *e)
{
	c->rep.err = e->err ? e->err : BPFD_ERR_NO_ERRNO;
	c->rep.step = e->step;
	c->rep.refused = e->refused;
	snprintf(c->rep.detail, sizeof(c->rep.detail), "%s", e->detail);
	return -c->rep.err;
}

/* The caller's supplementary groups, as the kernel saw them at connect. */
static void peer_groups(struct conn *c)
{
	gid_t buf[1024];
	socklen_t len = sizeof(buf);

	/* More than fit: the first ones only.  A group left out can only
	 * make the policy grant less (rules grant, nothing denies). */
	if (getsockopt(c->sock, SOL_SOCKET, SO_PEERGROUPS, buf, &len) < 0)
		len = 0;
	c->ngroups = len / sizeof(gid_t);
	if (c->ngroups > BPFD_CALLER_MAX_GROUPS)
		c->ngroups = BPFD_CALLER_MAX_GROUPS;
	memcpy(c->groups, buf, c->ngroups * sizeof(gid_t));
}

static int check_request(struct conn *c)
{
	const struct bpfd_svc_request *q = &c->req;
	bool any = false;

	if (q->magic != BPFD_SVC_MAGIC || q->version != BPFD_SVC_VERSION)
		return fail(c, BPFD_STEP_SERVICE, EPROTO, true,
			    "protocol version %u (magic 0x%x) not served; this "
			    "service speaks version %u",
			    q->version, q->magic, BPFD_SVC_VERSION);
	if (q->cmd != BPFD_POLICY_CHECK && q->cmd != BPFD_POLICY_RUN &&
	    q->cmd != BPFD_POLICY_ATTACH)
		return fail(c, BPFD_STEP_SERVICE, EINVAL, true,
			    "unknown command %u", q->cmd);
	if (q->flags & ~BPFD_SVC_FLAGS_KNOWN)
		return fail(c, BPFD_STEP_SERVICE, EINVAL, true,
			    "unknown flags 0x%x", q->flags);
	if (!memchr(q->target, '\0', sizeof(q->target)))
		return fail(c, BPFD_STEP_SERVICE, EINVAL, true,
			    "target not NUL-terminated");
	for (int k = 0; k < BPFD_NKINDS; k++)
		any |= q->mask[k] != 0;
	if (!any)
		return fail(c, BPFD_STEP_SERVICE, EINVAL, true,
			    "nothing to delegate: every mask is 0");
	if (c->pidfd < 0)
		return fail(c, BPFD_STEP_SERVICE, EINVAL, true,
			    "no pidfd: the request needs a pidfd of the "
			    "target process");
	return 0;
}

/* The pid a pidfd stands for (fdinfo "Pid:"); -ESRCH once it exited. */
static int pidfd_pid(int fd, pid_t *pid)
{
	char path[64], line[128];
	FILE *f;
	int r = bpfd_fd_is_anon(fd, "pidfd");

	if (r <= 0)
		return r < 0 ? r : -EBADF;
	r = -EBADF;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		int v;

		if (sscanf(line, "Pid: %d", &v) != 1)
			continue;
		r = v > 0 ? 0 : -ESRCH;
		*pid = v;
		break;
	}
	fclose(f);
	return r;
}

/*
 * A namespace of the pidfd's process: the pidfs ioctl (6.11+), else
 * /proc/PID/ns/NAME, confirmed against the pidfd afterwards (the pid may
 * have been recycled before the open; a live pidfd means it was not).
 */
static int pidfd_ns(struct conn *c, unsigned long ioc, const char *name)
{
	char path[64];
	int fd = ioctl(c->pidfd, ioc, 0);

	if (fd >= 0)
		return fd;
	if (errno != ENOTTY && errno != EINVAL && errno != EOPNOTSUPP)
		return -errno;
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)c->pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (pidfd_send_signal(c->pidfd, 0, NULL, 0) < 0) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

static bool same_file(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * Whose is the namespace?  The kernel gives a process of the initial
 * namespace every capability in a user namespace when its euid owns that
 * namespace or an ancestor of it that is a child of the initial one
 * (cap_capable()).  So: walk up to that child of the initial namespace
 * and require the caller's uid as its owner.  A namespace the caller
 * created inside someone else's (owned by the caller, but under a
 * namespace of root's container) is refused: others hold capabilities
 * over it.  *@owner gets the owner found.
 */
static int userns_owner(int ns, uid_t *owner)
{
	_cleanup_close_ int cur = fcntl(ns, F_DUPFD_CLOEXEC, 3);

	if (cur < 0)
		return -errno;
	if (same_file(cur, "/proc/self/ns/user"))
		return -ELOOP; /* the initial namespace itself */
	for (int depth = 0; depth < USERNS_MAX_DEPTH; depth++) {
		int parent = ioctl(cur, NS_GET_PARENT);

		if (parent < 0)
			return -errno;
		if (same_file(parent, "/proc/self/ns/user")) {
			close(parent);
			if (ioctl(cur, NS_GET_OWNER_UID, owner) < 0)
				return -errno;
			return 0;
		}
		close(cur);
		cur = parent;
	}
	return -EMLINK;
}

static int check_target(struct conn *c)
{
	_cleanup_close_ int net = BPFD_NO_FD;
	uid_t owner = (uid_t)-1;
	int r;

	r = pidfd_pid(c->pidfd, &c->pid);
	if (r == -ESRCH)
		return fail(c, BPFD_STEP_JOIN, ESRCH, true,
			    "the process of the pidfd has exited");
	if (r < 0)
		return fail(c, BPFD_STEP_SERVICE, EBADF, true,
			    "the fd sent is not a pidfd");
	c->userns = pidfd_ns(c, PIDFD_GET_USER_NAMESPACE, "user");
	if (c->userns < 0)
		return fail(c, BPFD_STEP_JOIN, -c->userns, false,
			    "pid %d: its user namespace", (int)c->pid);
	r = userns_owner(c->userns, &owner);
	if (r == -ELOOP)
		return fail(c, BPFD_STEP_JOIN, EPERM, true,
			    "pid %d is in the initial user namespace: a "
			    "token is only for a user namespace of yours",
			    (int)c->pid);
	if (r < 0)
		return fail(c, BPFD_STEP_JOIN, -r, false,
			    "pid %d: the owner of its user namespace",
			    (int)c->pid);
	if (owner != c->cred.uid)
		return fail(c, BPFD_STEP_JOIN, EPERM, true,
			    "pid %d: its user namespace is not yours: it is "
			    "owned by uid %u, you are uid %u",
			    (int)c->pid, (unsigned)owner,
			    (unsigned)c->cred.uid);
	/* run --netns host or not (the policy's netns= is about run's
	 * COMMAND; check runs none, attach joins what exists): what the
	 * kernel says, and never less than the client says. */
	net = pidfd_ns(c, PIDFD_GET_NET_NAMESPACE, "net");
	if (net < 0)
		return fail(c, BPFD_STEP_JOIN, -net, false,
			    "pid %d: its network namespace", (int)c->pid);
	c->netns_host = c->req.cmd == BPFD_POLICY_RUN &&
			(same_file(net, "/proc/self/ns/net") ||
			 (c->req.flags & BPFD_SVC_NETNS_HOST));
	return 0;
}

static int decide(struct conn *c)
{
	struct bpfd_policy *p = NULL;
	struct bpfd_error e = {0};
	struct bpfd_subject who = {
	    .kind = BPFD_SUBJECT_USER,
	    .uid = c->cred.uid,
	    .gid = c->cred.gid,
	    .ngroups = c->ngroups,
	};
	struct bpfd_request req = {
	    .cmd = (enum bpfd_policy_cmd)c->req.cmd,
	    .netns_host = c->netns_host,
	    .target = c->req.cmd == BPFD_POLICY_ATTACH ? c->req.target : NULL,
	};
	struct bpfd_verdict v;
	int r;

	memcpy(who.groups, c->groups, c->ngroups * sizeof(gid_t));
	memcpy(req.deleg.mask, c->req.mask, sizeof(req.deleg.mask));
	r = bpfd_policy_load(c->o->policy_dir, c->o->names, &p, &e);
	if (r < 0) {
		if (!e.step)
			e.step = BPFD_STEP_POLICY;
		return fail_error(c, &e);
	}
	memset(&v, 0, sizeof(v));
	r = bpfd_policy_decide(p, &who, &req, &v);
	bpfd_policy_free(p);
	snprintf(c->rep.rule, sizeof(c->rep.rule), "%s", v.rule);
	if (r < 0 || !v.allowed)
		return fail(c, BPFD_STEP_POLICY, EACCES, true, "%s",
			    v.reason[0] ? v.reason : "refused");
	return 0;
}

/*
 * attach: the caller must be able to ptrace the target, as if it were to
 * join it itself.  A child with the caller's real ids and groups (and so
 * no capability) asks the kernel: pidfd_getfd() checks
 * PTRACE_MODE_ATTACH_REALCREDS before it looks at the fd number, so a fd
 * no process has (INT_MAX) answers EBADF when allowed, EPERM when not,
 * and nothing is taken from the target.
 */
static int check_ptrace(struct conn *c)
{
	pid_t self = getpid(), pid;
	int st = 0, r;

	if (c->req.cmd != BPFD_POLICY_ATTACH)
		return 0;
	pid = fork();
	if (pid < 0)
		return fail(c, BPFD_STEP_FORK, errno, false, "ptrace check");
	if (pid == 0) {
		int keep[] = {c->pidfd};

		if (bpfd_child_harden(self, keep, 1) < 0 ||
		    setgroups(c->ngroups, c->groups) < 0 ||
		    setresgid(c->cred.gid, c->cred.gid, c->cred.gid) < 0 ||
		    setresuid(c->cred.uid, c->cred.uid, c->cred.uid) < 0)
			_exit(2);
		if (syscall(SYS_pidfd_getfd, c->pidfd, 0x7fffffff, 0) >= 0)
			_exit(2);
		_exit(errno == EBADF ? 0 : errno == EPERM ? 1 : 2);
	}
	r = bpfd_wait_child(pid, 2000, &st);
	if (r < 0 || !WIFEXITED(st) || WEXITSTATUS(st) == 2)
		return fail(c, BPFD_STEP_JOIN, r < 0 ? -r : EIO, false,
			    "pid %d: ptrace check", (int)c->pid);
	if (WEXITSTATUS(st) == 1)
		return fail(c, BPFD_STEP_JOIN, EPERM, true,
			    "pid %d: you may not ptrace it (attach needs a "
			    "process you could join yourself)",
			    (int)c->pid);
	return 0;
}

struct ns_msg {
	int32_t err;
	uint32_t step;
};

/*
 * The child that opens the fs context: hardened like every child that
 * enters a foreign namespace (nothing of ours but the two fds, cwd /,
 * non-dumpable, dies with us), then the checked user namespace (never the
 * process's, which could have moved on since), a mount namespace of its
 * own there (fsopen needs CAP_SYS_ADMIN over one: we enter none of the
 * client's), fsopen.  The context's user namespace is the one we checked.
 */
static void __attribute__((noreturn))
ns_child(pid_t parent, int userns, int sock)
{
	int keep[] = {userns, sock};
	struct ns_msg m = {0};
	int fd = BPFD_NO_FD, r;

	r = bpfd_child_harden(parent, keep, ARRAY_SIZE(keep));
	m.step = BPFD_STEP_FORK;
	if (r == 0 && setgroups(0, NULL) < 0)
		r = -errno;
	if (r == 0) {
		m.step = BPFD_STEP_JOIN;
		if (setns(userns, CLONE_NEWUSER) < 0)
			r = -errno;
	}
	/* The context takes our fs ids as the bpffs root's owner: be the
	 * namespace's root where it is mapped (the engine's child does the
	 * same), else stay an unmapped id with the namespace's capabilities
	 * all the same. */
	if (r == 0 && setresgid(0, 0, 0) < 0 && errno != EINVAL)
		r = -errno;
	if (r == 0 && setresuid(0, 0, 0) < 0 && errno != EINVAL)
		r = -errno;
	/* Entering the namespace and the id switch changed our
	 * credentials: the parent-death signal and the dumpable flag were
	 * reset. */
	if (r == 0)
		r = bpfd_child_rearm(parent);
	if (bpfd_fault() == BPFD_FAULT_SERVE_NS_HANG)
		for (;;)
			pause();
	if (r == 0) {
		m.step = BPFD_STEP_UNSHARE;
		if (unshare(CLONE_NEWNS) < 0)
			r = -errno;
	}
	if (r == 0) {
		m.step = BPFD_STEP_FSOPEN;
		fd = fsopen("bpf", FSOPEN_CLOEXEC);
		if (fd < 0)
			r = -errno;
	}
	m.err = -r;
	_exit(bpfd_send(sock, &m, sizeof(m), fd) < 0 || r < 0 ? 1 : 0);
}

static int open_context(struct conn *c)
{
	pid_t self = getpid(), pid;
	struct ns_msg m = {0};
	int sv[2], fs = BPFD_NO_FD, st, r;

	r = bpfd_socketpair(sv);
	if (r < 0)
		return fail(c, BPFD_STEP_SOCKETPAIR, -r, false, NULL);
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return fail(c, BPFD_STEP_FORK, errno, false, NULL);
	}
	if (pid == 0) {
		close(sv[0]);
		ns_child(self, c->userns, sv[1]);
	}
	close(sv[1]);
	r = bpfd_recv(sv[0], &m, sizeof(m), &fs, bpfd_deadline_left_ms(&c->dl));
	close(sv[0]);
	bpfd_wait_child(pid, r < 0 ? 0 : 1000, &st);
	if (r < 0)
		return fail(c, BPFD_STEP_PEER, -r, false,
			    "the service's namespace child");
	if (m.err) {
		bpfd_closep(&fs);
		return fail(c, (enum bpfd_step)m.step, m.err, false,
			    "pid %d's user namespace (service child)",
			    (int)c->pid);
	}
	if (fs < 0)
		return fail(c, BPFD_STEP_PEER, EPROTO, false,
			    "no fs fd from the service's namespace child");
	return fs;
}

static int delegate(struct conn *c)
{
	_cleanup_close_ int fs = BPFD_NO_FD;
	struct bpfd_delegation d;
	struct bpfd_idmap owner = {0};
	struct bpfd_error e = {0};
	uint64_t done = 0;
	int mnt;

	fs = open_context(c);
	if (fs < 0)
		return fs;
	if (bpfd_fault() == BPFD_FAULT_SERVE_SLOW) {
		/* "work" for 3 s, as long as the client stays */
		struct pollfd p = {.fd = c->sock, .events = POLLRDHUP};

		poll(&p, 1, 3000);
	}
	memcpy(d.mask, c->req.mask, sizeof(d.mask));
	/* uid=/gid= of the bpffs: numbers only; the kernel refuses ids not
	 * mapped in the namespace, which is the caller's. */
	owner.has_user = (c->req.flags & BPFD_SVC_OWNER) != 0;
	owner.user_uid = c->req.owner_uid;
	owner.user_gid = c->req.owner_gid;
	mnt = bpfd_bpffs_delegate_steps(fs, &d, owner.has_user ? &owner : NULL,
					&done, &e);
	c->rep.done = done;
	if (mnt < 0)
		return fail_error(c, &e);
	return mnt;
}

static void log_verdict(const struct conn *c)
{
	const struct bpfd_svc_request *q = &c->req;

	if (!c->rep.err)
		bpfd_log(BPFD_LOG_INFO,
			 "uid %u pid %d: %s granted for pid %d (rule %s): "
			 "cmds 0x%" PRIx64 " maps 0x%" PRIx64
			 " progs 0x%" PRIx64 " attachs 0x%" PRIx64,
			 (unsigned)c->cred.uid, (int)c->cred.pid,
			 cmd_name(q->cmd), (int)c->pid, c->rep.rule, q->mask[0],
			 q->mask[1], q->mask[2], q->mask[3]);
	else
		bpfd_log(BPFD_LOG_INFO, "uid %u pid %d: refused (%s, %s): %s",
			 (unsigned)c->cred.uid, (int)c->cred.pid,
			 bpfd_step_name((enum bpfd_step)c->rep.step),
			 strerrorname_np(c->rep.err) ?: "?", c->rep.detail);
}

void bpfd_serve_conn(int sock, const struct ucred *cred,
		     const struct bpfd_serve_opts *o, int timeout_ms)
{
	struct conn c = {.sock = sock, .o = o, .cred = *cred};
	_cleanup_close_ int mnt = BPFD_NO_FD;
	int r;

	c.pidfd = c.userns = BPFD_NO_FD;
	c.rep.magic = BPFD_SVC_MAGIC;
	c.rep.version = BPFD_SVC_VERSION;
	bpfd_deadline_init(&c.dl, timeout_ms);
	peer_groups(&c);
	r = bpfd_recv(sock, &c.req, sizeof(c.req), &c.pidfd,
		      bpfd_deadline_left_ms(&c.dl));
	if (r == -ETIMEDOUT)
		r = fail(&c, BPFD_STEP_SERVICE, ETIMEDOUT, true,
			 "no request within %d ms", timeout_ms);
	else if (r == -EPIPE)
		return; /* gone: nobody to answer */
	else if (r < 0)
		r = fail(&c, BPFD_STEP_SERVICE, -r, true,
			 "malformed request: a record of %zu bytes with at "
			 "most a pidfd is expected",
			 sizeof(c.req));
	if (r == 0)
		r = check_request(&c);
	if (r == 0)
		r = check_target(&c);
	if (r == 0)
		r = decide(&c);
	if (r == 0)
		r = check_ptrace(&c);
	if (r == 0) {
		r = delegate(&c);
		if (r >= 0)
			mnt = r;
	}
	log_verdict(&c);
	/* Best effort: a client that left gets nothing, and the mount fd
	 * closes with us: a detached mount disappears with its last fd. */
	if (bpfd_send(sock, &c.rep, sizeof(c.rep), mnt) < 0 && mnt >= 0)
		bpfd_log(BPFD_LOG_INFO,
			 "uid %u pid %d: left before the answer: the mount is "
			 "dropped",
			 (unsigned)c.cred.uid, (int)c.cred.pid);
	bpfd_closep(&c.pidfd);
	bpfd_closep(&c.userns);
}
