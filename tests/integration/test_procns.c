// SPDX-License-Identifier: LGPL-2.1-or-later
/* Pinning processes and resolving paths inside a root, for real. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <bpfdelegate/procns.h>
#include <bpfdelegate/userns.h>

#include "testutil.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/bpfd-procns-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Same file?  (Compare an O_PATH fd with a host path.) */
static int same(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static void test_in_root_never_leaves(void **state)
{
	(void)state;
	char p[256], host[96];
	int root, fd;

	/* root/ holds "evil" -> an absolute host dir, "up" -> ../../.. */
	snprintf(host, sizeof(host), "%s-host", dir);
	assert_int_equal(mkdir(host, 0755), 0);
	snprintf(p, sizeof(p), "%s/root", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/root/evil", dir);
	assert_int_equal(symlink(host, p), 0);
	snprintf(p, sizeof(p), "%s/root/up", dir);
	assert_int_equal(symlink("../../../../..", p), 0);
	snprintf(p, sizeof(p), "%s/root", dir);
	root = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(root >= 0);

	/* The absolute symlink is taken relative to the root: it names
	 * root/<host path>, which does not exist; the host dir is never used
	 * and nothing is created outside. */
	assert_int_equal(bpfd_open_in_root(root, "/evil", true, NULL), -ENOENT);
	/* ".." stops at the root. */
	fd = bpfd_open_in_root(root, "/up", false, NULL);
	assert_true(fd >= 0);
	assert_true(same(fd, p));
	close(fd);
	fd = bpfd_open_in_root(root, "../../../../tmp", true, NULL);
	assert_true(fd >= 0);
	snprintf(p, sizeof(p), "%s/root/tmp", dir);
	assert_true(same(fd, p)); /* created inside, not /tmp */
	close(fd);
	/* Magic links are refused. */
	assert_int_equal(
	    bpfd_open_in_root(root, "/proc/self/root", false, NULL) < 0, 1);
	close(root);
	rmdir(host);
}

static void test_in_root_errors(void **state)
{
	(void)state;
	struct bpfd_error e = {0};
	char p[128];
	int root, f;

	snprintf(p, sizeof(p), "%s/file", dir);
	f = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	assert_true(f >= 0);
	close(f);
	root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(bpfd_open_in_root(root, "/file", true, &e), -ENOTDIR);
	assert_int_equal(e.step, BPFD_STEP_TARGET);
	assert_int_equal(bpfd_open_in_root(root, "/no/such/parent", true, NULL),
			 -ENOENT);
	assert_true(bpfd_open_in_root(root, "", true, NULL) < 0);
	/* Without a root nothing is resolved on the host, not even "/". */
	assert_int_equal(bpfd_open_in_root(-1, "/", false, &e), -EBADF);
	assert_int_equal(bpfd_open_in_root(-1, dir, true, NULL), -EBADF);
	/* ".." of the root is the root. */
	f = bpfd_open_in_root(root, "/..", false, NULL);
	assert_true(f >= 0);
	assert_true(same(f, dir));
	close(f);
	close(root);
}

/* A child that unshares @flags and waits; its pid. */
static pid_t ns_child(int flags, int *keep)
{
	int sv[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(sv), 0);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		if (unshare(flags) < 0 || write(sv[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(sv[1]);
	assert_int_equal(read(sv[0], &c, 1), 1);
	*keep = sv[0];
	return pid;
}

static void end_child(pid_t pid, int keep)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(keep);
}

static void test_proc_open(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	struct bpfd_proc p;
	struct bpfd_error e = {0};
	int keep;
	pid_t pid;

	/* Ourselves: the initial user namespace. */
	assert_int_equal(bpfd_proc_open(getpid(), &p, &e), -EINVAL);
	assert_non_null(strstr(e.detail, "initial user namespace"));
	assert_int_equal(bpfd_proc_open(0x3ffffff0, &p, NULL), -ESRCH);
	/* A user namespace, but the host's mount namespace: refused. */
	pid = ns_child(CLONE_NEWUSER, &keep);
	assert_int_equal(bpfd_proc_open(pid, &p, &e), -EINVAL);
	assert_non_null(strstr(e.detail, "mount namespace"));
	end_child(pid, keep);
	/* Its own user and mount namespaces. */
	pid = ns_child(CLONE_NEWUSER | CLONE_NEWNS, &keep);
	assert_int_equal(bpfd_proc_open(pid, &p, &e), 0);
	assert_true(p.pidfd >= 0 && p.root_fd >= 0);
	assert_true(same(p.root_fd, "/"));
	bpfd_proc_close(&p);
	assert_int_equal(p.pidfd, -1);
	end_child(pid, keep);
}

/* The pidfd's way (6.11+) names the very namespaces /proc does; before
 * 6.11 it answers ENOTTY (and the callers use /proc). */
static void ns_same_as_proc(int pidfd, pid_t pid, const char *ns)
{
	struct stat a, b;
	char path[64];
	int r = bpfd_pidfd_ns_stat(pidfd, ns, &a);

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns);
	assert_int_equal(stat(path, &b), 0);
	if (r == -ENOTTY)
		return;
	assert_int_equal(r, 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
}

static void test_pidfd_ns_stat(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	struct stat st, self;
	int keep, fds[2], me = pidfd_open(getpid(), 0), other;
	pid_t pid;

	assert_true(me >= 0);
	ns_same_as_proc(me, getpid(), "user");
	ns_same_as_proc(me, getpid(), "mnt");
	assert_int_equal(bpfd_pidfd_ns_stat(me, "net", &st), -EINVAL);
	pid = ns_child(CLONE_NEWUSER | CLONE_NEWNS, &keep);
	other = pidfd_open(pid, 0);
	assert_true(other >= 0);
	ns_same_as_proc(other, pid, "user");
	ns_same_as_proc(other, pid, "mnt");
	if (bpfd_pidfd_ns_stat(other, "user", &st) == 0) {
		assert_int_equal(bpfd_self_ns_stat("user", &self), 0);
		assert_false(st.st_ino == self.st_ino);
	}
	close(other);
	end_child(pid, keep);
	/* not a pidfd: refused */
	assert_int_equal(pipe(fds), 0);
	assert_true(bpfd_pidfd_ns_stat(fds[0], "user", &st) < 0);
	close(fds[0]);
	close(fds[1]);
	close(me);
}

/*
 * bpfd_ns_fixed(): the once-made stats serve only the process that said
 * so.  A forked child that makes its own user namespace must see it (the
 * engine's children join the target's; a stale "initial user namespace"
 * there would pass a check meant for the host); and bpfd_proc_open()
 * still refuses a process sharing our namespaces.
 */
static void test_ns_fixed(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	struct bpfd_proc p;
	int st, keep;
	pid_t pid;

	bpfd_ns_fixed();
	assert_true(bpfd_in_initial_userns()); /* stat'ed, kept */
	assert_true(bpfd_in_initial_userns()); /* kept */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWUSER) < 0)
			_exit(2);
		_exit(bpfd_in_child_userns() && !bpfd_in_initial_userns() ? 0
									  : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	/* the kept stats still tell us apart from a process of our own
	 * mount namespace, and from one of another */
	pid = ns_child(CLONE_NEWUSER, &keep);
	assert_int_equal(bpfd_proc_open(pid, &p, NULL), -EINVAL);
	end_child(pid, keep);
	pid = ns_child(CLONE_NEWUSER | CLONE_NEWNS, &keep);
	assert_int_equal(bpfd_proc_open(pid, &p, NULL), 0);
	bpfd_proc_close(&p);
	end_child(pid, keep);
	assert_int_equal(bpfd_proc_open(getpid(), &p, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_in_root_never_leaves),
	    cmocka_unit_test(test_in_root_errors),
	    cmocka_unit_test(test_proc_open),
	    cmocka_unit_test(test_ns_fixed),
	    cmocka_unit_test(test_pidfd_ns_stat),
	};
	return cmocka_run_group_tests_name("procns", tests, setup, teardown);
}
