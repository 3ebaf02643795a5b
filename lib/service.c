// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `bpfdelegate serve`: the listening side.  The main process only accepts,
 * reads the kernel's SO_PEERCRED, counts, forks one worker per connection
 * (lib/service_conn.c) and kills workers at their deadline.  It never
 * reads a byte a client sends, so no client can stall it; a worker that
 * crashes or hangs costs its own connection only.  Limits: at most
 * per_uid connections at once per caller uid and max_conns in all; an
 * excess connection gets an immediate "busy" verdict.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <bpfdelegate/userns.h>

#include "engine_proto.h"
#include "internal.h"
#include "nschild.h"
#include "service.h"
#include "service_proto.h"

/* A worker past its deadline gets this much more before SIGKILL. */
#define WORKER_GRACE_MS 1000

const char *bpfd_service_socket(void)
{
	return BPFD_SERVICE_SOCKET;
}

struct worker {
	pid_t pid; /* 0: free slot */
	int pidfd;
	uid_t uid;
	struct deadline end;
};

struct server {
	const struct bpfd_serve_opts *o;
	int lfd;
	int sig_fd;
	int timeout_ms;
	unsigned per_uid, max;
	struct worker *w;
	unsigned nworkers;
	struct deadline idle;
	bool bound; /* we bound socket_path: remove it at the end */
	struct stat sock_st;
};

/*
 * The directory of the socket must be root's and writable by root only:
 * whoever can write there could put a socket of their own in its place.
 * Created (0755) when missing, as systemd's RuntimeDirectory= would.
 */
static int check_dir(const char *path, struct bpfd_error *err)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (!slash || slash == path)
		return bpfd_error_set(err, BPFD_STEP_SERVICE, EINVAL,
				      "%s: an absolute path in a directory "
				      "is needed",
				      path);
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return bpfd_error_set(err, BPFD_STEP_SERVICE, errno, "mkdir %s",
				      dir);
	if (lstat(dir, &st) < 0)
		return bpfd_error_set(err, BPFD_STEP_SERVICE, errno, "%s", dir);
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)))
		return bpfd_error_set(err, BPFD_STEP_SERVICE, EPERM,
				      "%s: not a directory owned by root and "
				      "writable by root only",
				      dir);
	return 0;
}

/* A socket left at @path: taken over when nobody listens there. */
static int clear_stale(const struct sockaddr_un *sa, struct bpfd_error *err)
{
	_cleanup_close_ int s = BPFD_NO_FD;
	struct stat st;

	if (lstat(sa->sun_path, &st) < 0)
		return errno == ENOENT
			   ? 0
			   : bpfd_error_set(err, BPFD_STEP_SERVICE, errno, "%s",
					    sa->sun_path);
	if (!S_ISSOCK(st.st_mode))
		return bpfd_error_set(err, BPFD_STEP_SERVICE, EEXIST,
				      "%s exists and is not a socket",
				      sa->sun_path);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s >= 0 && connect(s, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
		return bpfd_error_set(err, BPFD_STEP_SERVICE, EADDRINUSE,
				      "%s: another service listens there",
				      sa->sun_path);
	if (unlink(sa->sun_path) < 0 && errno != ENOENT)
		return bpfd_error_set(err, BPFD_STEP_SERVICE, errno,
				      "unlink %s", sa->sun_path);
	return 0;
}

static int bind_socket(struct server *s, struct bpfd_error *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *path = s->o->socket_path;
	_cleanup_close_ int fd = BPFD_NO_FD;
	int r;

	if (!path || strlen(path) >= sizeof(sa.sun_path))
		return bpfd_error_set(err, BPFD_STEP_SERVICE, ENAMETOOLONG,
				      "%s", path ? path : "(no socket path)");
	memcpy(sa.sun_path, path, strlen(path) + 1);
	r = check_dir(path, err);
	if (r == 0)
		r = clear_stale(&sa, err);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return bpfd_error_set(err, BPFD_STEP_SERVICE, errno, "socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return bpfd_error_set(err, BPFD_STEP_SERVICE, errno, "bind %s",
				      path);
	s->bound = true;
	/* Anyone may connect: the policy decides, by SO_PEERCRED. */
	if (chmod(path, 0666) < 0 || stat(path, &s->sock_st) < 0 ||
	    listen(fd, 64) < 0)
		return bpfd_error_set(err, BPFD_STEP_SERVICE, errno, "%s",
				      path);
	s->lfd = TAKE_FD(fd);
	return 0;
}

/* Socket activation: the fd must be a listening AF_UNIX SEQPACKET one. */
static int check_listen_fd(struct server *s, struct bpfd_error *err)
{
	int type = 0, acc = 0;
	socklen_t len = sizeof(type);
	struct sockaddr_un sa;
	socklen_t salen = sizeof(sa);

	if (getsockopt(s->o->listen_fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    getsockname(s->o->listen_fd, (struct sockaddr *)&sa, &salen) < 0)
		return bpfd_error_set(err, BPFD_STEP_SERVICE, errno,
				      "fd %d from socket activation",
				      s->o->listen_fd);
	len = sizeof(acc);
	if (type != SOCK_SEQPACKET || sa.sun_family != AF_UNIX ||
	    getsockopt(s->o->listen_fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) <
		0 ||
	    !acc)
		return bpfd_error_set(err, BPFD_STEP_SERVICE, EINVAL,
				      "fd %d from socket activation is not a "
				      "listening AF_UNIX SOCK_SEQPACKET socket "
				      "(ListenSequentialPacket=)",
				      s->o->listen_fd);
	/* Ours alone from here: close-on-exec, never blocking in accept. */
	if (fcntl(s->o->listen_fd, F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(s->o->listen_fd, F_SETFL,
		  fcntl(s->o->listen_fd, F_GETFL) | O_NONBLOCK) < 0)
		return bpfd_error_set(err, BPFD_STEP_SERVICE, errno, "fcntl");
	s->lfd = s->o->listen_fd;
	return 0;
}

static unsigned uid_count(const struct server *s, uid_t uid)
{
	unsigned n = 0;

	for (unsigned i = 0; i < s->max; i++)
		n += s->w[i].pid && s->w[i].uid == uid;
	return n;
}

/* An immediate verdict for a connection we do not serve; never blocks. */
static void answer_busy(int fd, const struct ucred *cr, const char *why)
{
	struct bpfd_svc_reply rep = {
	    .magic = BPFD_SVC_MAGIC,
	    .version = BPFD_SVC_VERSION,
	    .err = EAGAIN,
	    .step = BPFD_STEP_SERVICE,
	    .refused = 1,
	};

	snprintf(rep.detail, sizeof(rep.detail), "%s", why);
	(void)send(fd, &rep, sizeof(rep), MSG_DONTWAIT | MSG_NOSIGNAL);
	bpfd_log(BPFD_LOG_INFO, "uid %u pid %d: busy: %s", (unsigned)cr->uid,
		 (int)cr->pid, why);
}

static void __attribute__((noreturn))
worker_main(struct server *s, pid_t parent, int fd, const struct ucred *cr)
{
	int keep[] = {fd};
	sigset_t none;

	/* Nothing of the main process's (listening socket, other
	 * connections, pidfds), and it dies with the main process. */
	if (bpfd_child_harden(parent, keep, 1) < 0)
		_exit(1);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	bpfd_serve_conn(fd, cr, s->o, s->timeout_ms);
	_exit(0);
}

static void accept_one(struct server *s)
{
	_cleanup_close_ int fd = BPFD_NO_FD;
	struct ucred cr = {0};
	socklen_t len = sizeof(cr);
	unsigned slot;
	char why[160];
	pid_t self = getpid();
	struct timeval tv = {.tv_sec = 1};

	fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return; /* EAGAIN (the client left), EMFILE...: next time */
	bpfd_deadline_init(&s->idle, s->o->idle_ms);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return;
	/* A reply must never block the worker on a client that reads
	 * nothing: sends give up after a second. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (uid_count(s, cr.uid) >= s->per_uid) {
		snprintf(why, sizeof(why),
			 "too many requests from uid %u at once (at most %u); "
			 "try again",
			 (unsigned)cr.uid, s->per_uid);
		answer_busy(fd, &cr, why);
		return;
	}
	for (slot = 0; slot < s->max && s->w[slot].pid; slot++)
		;
	if (slot == s->max) {
		snprintf(why, sizeof(why),
			 "the service is busy (%u requests at once); try again",
			 s->max);
		answer_busy(fd, &cr, why);
		return;
	}
	s->w[slot].pid = fork();
	if (s->w[slot].pid < 0) {
		s->w[slot].pid = 0;
		answer_busy(fd, &cr, "the service cannot fork now");
		return;
	}
	if (s->w[slot].pid == 0)
		worker_main(s, self, fd, &cr);
	s->w[slot].pidfd = pidfd_open(s->w[slot].pid, 0);
	s->w[slot].uid = cr.uid;
	bpfd_deadline_init(&s->w[slot].end, s->timeout_ms + WORKER_GRACE_MS);
	s->nworkers++;
}

static void reap(struct server *s, unsigned i, bool kill_it)
{
	int st;

	if (kill_it) {
		bpfd_log(BPFD_LOG_INFO,
			 "uid %u: request still running at its deadline: "
			 "killed",
			 (unsigned)s->w[i].uid);
		kill(s->w[i].pid, SIGKILL); /* unreaped: still our child */
	}
	while (waitpid(s->w[i].pid, &st, 0) < 0 && errno == EINTR)
		;
	bpfd_closep(&s->w[i].pidfd);
	s->w[i].pid = 0;
	s->nworkers--;
}

static void reap_done(struct server *s)
{
	for (unsigned i = 0; i < s->max; i++) {
		int st;

		if (!s->w[i].pid)
			continue;
		if (!bpfd_deadline_left_ms(&s->w[i].end))
			reap(s, i, true);
		else if (waitpid(s->w[i].pid, &st, WNOHANG) == s->w[i].pid) {
			bpfd_closep(&s->w[i].pidfd);
			s->w[i].pid = 0;
			s->nworkers--;
		}
	}
}

/* The next deadline: a worker's, or the idle time's (-1: none). */
static int next_wait(const struct server *s)
{
	int ms = -1;

	for (unsigned i = 0; i < s->max; i++)
		if (s->w[i].pid) {
			int left = bpfd_deadline_left_ms(&s->w[i].end);

			ms = ms < 0 || left < ms ? left : ms;
		}
	if (s->o->idle_ms > 0 && !s->nworkers) {
		int left = bpfd_deadline_left_ms(&s->idle);

		ms = ms < 0 || left < ms ? left : ms;
	}
	/* Without pidfds (seccomp), look at the workers every 100 ms. */
	if (s->nworkers && (ms < 0 || ms > 100))
		for (unsigned i = 0; i < s->max; i++)
			if (s->w[i].pid && s->w[i].pidfd < 0)
				return 100;
	return ms;
}

static int loop(struct server *s)
{
	struct pollfd *pfd = calloc(s->max + 2, sizeof(*pfd));

	if (!pfd)
		return -ENOMEM;
	for (;;) {
		unsigned n = 0;
		int r;

		pfd[n++] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = s->sig_fd, .events = POLLIN};
		for (unsigned i = 0; i < s->max; i++)
			if (s->w[i].pid && s->w[i].pidfd >= 0)
				pfd[n++] = (struct pollfd){.fd = s->w[i].pidfd,
							   .events = POLLIN};
		/* At the limit, connections wait in the backlog until a
		 * worker ends (each worker ends by its deadline). */
		if (s->nworkers >= s->max)
			pfd[0].fd = -1;
		r = poll(pfd, n, next_wait(s));
		if (r < 0 && errno != EINTR) {
			r = -errno;
			free(pfd);
			return r;
		}
		if (r > 0 && pfd[1].revents)
			break;
		reap_done(s);
		if (r > 0 && pfd[0].revents)
			accept_one(s);
		if (s->o->idle_ms > 0 && !s->nworkers &&
		    !bpfd_deadline_left_ms(&s->idle)) {
			bpfd_log(BPFD_LOG_INFO, "idle for %d ms: exiting",
				 s->o->idle_ms);
			break;
		}
	}
	free(pfd);
	return 0;
}

static void cleanup(struct server *s)
{
	struct stat st;

	for (unsigned i = 0; s->w && i < s->max; i++)
		if (s->w[i].pid)
			reap(s, i, true);
	free(s->w);
	bpfd_closep(&s->sig_fd);
	/* Remove the socket we bound, unless another took its place. */
	if (s->bound && stat(s->o->socket_path, &st) == 0 &&
	    st.st_dev == s->sock_st.st_dev && st.st_ino == s->sock_st.st_ino)
		unlink(s->o->socket_path);
	if (s->lfd >= 0 && s->lfd != s->o->listen_fd)
		close(s->lfd);
}

int bpfd_serve(const struct bpfd_serve_opts *o, struct bpfd_error *err)
{
	struct server s = {.o = o, .lfd = BPFD_NO_FD, .sig_fd = BPFD_NO_FD};
	sigset_t none;
	int r;

	r = bpfd_check_privilege(err);
	if (r < 0)
		return r;
	s.timeout_ms =
	    o->timeout_ms > 0 ? o->timeout_ms : BPFD_SERVE_TIMEOUT_MS;
	s.per_uid = o->per_uid ? o->per_uid : BPFD_SERVE_PER_UID;
	s.max = o->max_conns ? o->max_conns : BPFD_SERVE_MAX;
	s.w = calloc(s.max, sizeof(*s.w));
	if (!s.w)
		return bpfd_error_set(err, BPFD_STEP_SERVICE, ENOMEM, NULL);
	sigemptyset(&none);
	s.sig_fd = signalfd(-1, o->stop_signals ? o->stop_signals : &none,
			    SFD_CLOEXEC | SFD_NONBLOCK);
	r = s.sig_fd < 0
		? bpfd_error_set(err, BPFD_STEP_SERVICE, errno, "signalfd")
	    : o->listen_fd >= 0 ? check_listen_fd(&s, err)
				: bind_socket(&s, err);
	if (r == 0) {
		bpfd_log(BPFD_LOG_INFO,
			 "serving on %s (policy %s; %d ms per request, %u per "
			 "uid, %u in all%s)",
			 o->listen_fd >= 0 ? "the activated socket"
					   : o->socket_path,
			 o->policy_dir, s.timeout_ms, s.per_uid, s.max,
			 o->idle_ms > 0 ? "; exits when idle" : "");
		bpfd_deadline_init(&s.idle, o->idle_ms);
		r = loop(&s);
		if (r < 0)
			bpfd_error_set(err, BPFD_STEP_SERVICE, r, "poll");
	}
	cleanup(&s);
	return r;
}
