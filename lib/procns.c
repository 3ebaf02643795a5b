// SPDX-License-Identifier: LGPL-2.1-or-later
/* Pinning processes, their user namespace and root, paths inside a root. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include <bpfdelegate/procns.h>
#include <bpfdelegate/userns.h>

#include "internal.h"

/* Still the process we pinned?  (Its pid could have been recycled.) */
static int still_alive(int pidfd)
{
	return pidfd_send_signal(pidfd, 0, NULL, 0) < 0 ? -ESRCH : 0;
}

/* Is the namespace @ns ("user", "mnt") of @pid (pinned by @pidfd) the
 * same as ours?  1, 0, -errno. */
static int same_ns_as_ours(pid_t pid, int pidfd, const char *ns,
			   struct bpfd_error *err)
{
	struct stat self, other;
	char path[64];
	int r = bpfd_self_ns_stat(ns, &self);

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns);
	if (r < 0)
		return bpfd_error_set(err, BPFD_STEP_JOIN, -r,
				      "/proc/self/ns/%s", ns);
	/* Before 6.11, or refused: /proc says why, as it always did. */
	if (bpfd_pidfd_ns_stat(pidfd, ns, &other) < 0 && stat(path, &other) < 0)
		return bpfd_error_set(err, BPFD_STEP_JOIN, errno, "%s", path);
	return self.st_ino == other.st_ino && self.st_dev == other.st_dev;
}

static int refuse(struct bpfd_error *err, pid_t pid, const char *what,
		  const char *hint)
{
	bpfd_error_set(err, BPFD_STEP_JOIN, EINVAL, "pid %d %s", (int)pid,
		       what);
	if (err) {
		err->hint = hint;
		err->refused = true;
	}
	return -EINVAL;
}

/*
 * We hold CAP_SYS_ADMIN in the initial namespaces (checked by the caller),
 * so ours are the host's.  A token needs a user namespace of its own; a
 * process that shares our mount namespace would get the bpffs on the host.
 */
static int check_namespaces(pid_t pid, int pidfd, struct bpfd_error *err)
{
	int r = same_ns_as_ours(pid, pidfd, "user", err);

	if (r < 0)
		return r;
	if (r > 0)
		return refuse(err, pid, "is in the initial user namespace",
			      "a BPF token can never be created there: the "
			      "process needs a user namespace of its own");
	r = same_ns_as_ours(pid, pidfd, "mnt", err);
	if (r < 0)
		return r;
	if (r > 0)
		return refuse(err, pid, "shares the host's mount namespace",
			      "a mount there would appear on the host: the "
			      "process needs a mount namespace of its own");
	return 0;
}

int bpfd_proc_open(pid_t pid, struct bpfd_proc *p, struct bpfd_error *err)
{
	_cleanup_close_ int pidfd = BPFD_NO_FD, root = BPFD_NO_FD;
	char path[64];
	int r;

	p->pid = pid;
	p->pidfd = p->root_fd = BPFD_NO_FD;
	if (pid <= 0)
		return bpfd_error_set(err, BPFD_STEP_JOIN, ESRCH, "pid %d",
				      (int)pid);
	pidfd = pidfd_open(pid, 0);
	if (pidfd < 0)
		return bpfd_error_set(err, BPFD_STEP_JOIN, errno, "pid %d",
				      (int)pid);
	r = check_namespaces(pid, pidfd, err);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return bpfd_error_set(err, BPFD_STEP_JOIN, errno, "%s", path);
	if (still_alive(pidfd) < 0)
		return bpfd_error_set(err, BPFD_STEP_JOIN, ESRCH,
				      "pid %d exited", (int)pid);
	p->pidfd = TAKE_FD(pidfd);
	p->root_fd = TAKE_FD(root);
	return 0;
}

void bpfd_proc_close(struct bpfd_proc *p)
{
	bpfd_closep(&p->pidfd);
	bpfd_closep(&p->root_fd);
}

int bpfd_openat2(int dirfd, const char *path, int flags,
		 unsigned long long resolve)
{
	struct open_how how = {.flags = (unsigned long long)flags,
			       .resolve = resolve};
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

int bpfd_open_dir_at_root(int root_fd, const char *path, int flags)
{
	unsigned long long resolve = RESOLVE_NO_MAGICLINKS;
	int fd;

	if (!path || !*path)
		return -EINVAL;
	flags |= O_DIRECTORY | O_CLOEXEC;
	if (root_fd >= 0)
		resolve |= RESOLVE_IN_ROOT;
	fd = bpfd_openat2(root_fd >= 0 ? root_fd : AT_FDCWD, path, flags,
			  resolve);
	if (fd == -ENOSYS && root_fd < 0) {
		/* before 5.6: a plain open is as good without a root */
		fd = open(path, flags);
		if (fd < 0)
			fd = -errno;
	}
	return fd;
}

/* Without a pidfd to poll: look every 10 ms until the deadline; 1 reaped. */
static int exited_within(pid_t pid, int timeout_ms, int *status)
{
	const struct timespec tick = {0, 10 * 1000 * 1000};

	for (int waited = 0;; waited += 10) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 1;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (waited >= timeout_ms)
			return 0;
		nanosleep(&tick, NULL);
	}
}

int bpfd_wait_child(pid_t pid, int timeout_ms, int *status)
{
	_cleanup_close_ int pidfd = pidfd_open(pid, 0);
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	int r = -1;

	if (pidfd >= 0) {
		do
			r = poll(&p, 1, timeout_ms);
		while (r < 0 && errno == EINTR);
	}
	if (r < 0) {
		r = exited_within(pid, timeout_ms, status);
		if (r != 0)
			return r < 0 ? r : 0;
	}
	if (r == 0)
		kill(pid, SIGKILL); /* unreaped: the pid is still ours */
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return r == 0 ? -ETIMEDOUT : 0;
}

/* Create the last component of @path inside @root_fd. */
static int create_last(int root_fd, const char *path)
{
	char parent[4096];
	const char *slash = strrchr(path, '/');
	const char *last = slash ? slash + 1 : path;
	_cleanup_close_ int pfd = BPFD_NO_FD;

	if (!*last || !strcmp(last, ".") || !strcmp(last, ".."))
		return -EINVAL;
	snprintf(parent, sizeof(parent), "%.*s",
		 slash ? (int)(slash - path) : 0, path);
	pfd = bpfd_open_dir_at_root(root_fd, parent[0] ? parent : "/", O_PATH);
	if (pfd < 0)
		return pfd;
	/* O_PATH fds are fine as the dirfd of mkdirat. */
	if (mkdirat(pfd, last, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int bpfd_open_in_root(int root_fd, const char *path, bool create,
		      struct bpfd_error *err)
{
	int fd, r;

	if (!path || !*path || strlen(path) >= 4096)
		return bpfd_error_set(err, BPFD_STEP_TARGET, EINVAL,
				      "empty or too long target");
	/* Never the host's path: a root is required here. */
	if (root_fd < 0)
		return bpfd_error_set(err, BPFD_STEP_TARGET, EBADF,
				      "no root to resolve %s in", path);
	fd = bpfd_open_dir_at_root(root_fd, path, O_PATH);
	if (fd == -ENOENT && create) {
		r = create_last(root_fd, path);
		if (r < 0)
			return bpfd_error_set(err, BPFD_STEP_TARGET, r, "%s",
					      path);
		fd = bpfd_open_dir_at_root(root_fd, path, O_PATH);
	}
	if (fd < 0)
		return bpfd_error_set(err, BPFD_STEP_TARGET, fd, "%s", path);
	return fd;
}
