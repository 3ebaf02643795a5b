// SPDX-License-Identifier: LGPL-2.1-or-later
/* The delegation engine on the real kernel: needs root and Linux 6.9+. */
#include <errno.h>
#include <fcntl.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include <bpfdelegate/bpffs.h>
#include <bpfdelegate/engine.h>
#include <bpfdelegate/sysbpf.h>

#include "testutil.h"

static struct bpfd_names *names;

static int setup(void **state)
{
	(void)state;
	return bpfd_names_load(&names, NULL, 0, NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	bpfd_names_free(names);
	return 0;
}

static int bpf_mounts(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " - bpf "))
			n++;
	fclose(f);
	return n;
}

static struct bpfd_engine_opts opts_any(void)
{
	struct bpfd_engine_opts o = {.timeout_ms = 10000, .probe = true};

	for (int k = 0; k < BPFD_NKINDS; k++)
		o.deleg.mask[k] = BPFD_MASK_ANY;
	o.idmap = bpfd_idmap_default(NULL, NULL);
	return o;
}

static const struct bpfd_probe_result *
find(const struct bpfd_report *rep, enum bpfd_kind kind, const char *name)
{
	int v = bpfd_names_lookup(names, kind, name);

	for (unsigned int i = 0; i < rep->probes.count; i++)
		if (rep->probes.r[i].kind == kind &&
		    (int)rep->probes.r[i].value == v &&
		    !rep->probes.r[i].control)
			return &rep->probes.r[i];
	fail_msg("no probe for %s", name);
	return NULL;
}

static void test_default_check(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	struct bpfd_engine_opts o = opts_any();
	struct bpfd_report *rep = calloc(1, sizeof(*rep));
	struct bpfd_error e = {0};
	int before = bpf_mounts();

	assert_int_equal(bpfd_engine_check(&o, names, rep, &e), 0);
	assert_int_equal(rep->err, 0);
	assert_true(rep->done & (1u << BPFD_STEP_TOKEN_CREATE));
	assert_true(rep->kept_valid);
	assert_true(rep->probed);
	assert_int_equal(rep->probes.disagreements, 0);
	for (int k = 0; k < BPFD_NKINDS; k++)
		assert_true(rep->token.mask[k] == BPFD_MASK_ANY);
	assert_non_null(strstr(rep->mount_opts, "delegate_cmds=any"));
	assert_int_equal(find(rep, BPFD_MAPS, "hash")->verdict,
			 BPFD_PROBE_WORKS);
	assert_int_equal(find(rep, BPFD_PROGS, "xdp")->verdict,
			 BPFD_PROBE_WORKS);
	assert_int_equal(bpf_mounts(), before);
	free(rep);
}

static void test_narrow_check(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	struct bpfd_engine_opts o = opts_any();
	struct bpfd_report *rep = calloc(1, sizeof(*rep));
	const struct bpfd_probe_result *r;

	memset(&o.deleg, 0, sizeof(o.deleg));
	o.deleg.mask[BPFD_CMDS] =
	    1ull << bpfd_names_lookup(names, BPFD_CMDS, "map_create");
	o.deleg.mask[BPFD_MAPS] =
	    1ull << bpfd_names_lookup(names, BPFD_MAPS, "array");
	assert_int_equal(bpfd_engine_check(&o, names, rep, NULL), 0);
	assert_true(rep->token.mask[BPFD_CMDS] == o.deleg.mask[BPFD_CMDS]);
	assert_true(rep->kept.mask[BPFD_MAPS] == o.deleg.mask[BPFD_MAPS]);
	r = find(rep, BPFD_MAPS, "array");
	assert_int_equal(r->verdict, BPFD_PROBE_WORKS);
	r = find(rep, BPFD_MAPS, "hash");
	assert_int_equal(r->verdict, BPFD_PROBE_REFUSED);
	assert_int_equal(r->err, EPERM);
	assert_true(r->agrees);
	r = find(rep, BPFD_CMDS, "prog_load");
	assert_int_equal(r->verdict, BPFD_PROBE_REFUSED);
	assert_false(r->delegated);
	assert_true(rep->probes.refused_checked > 0);
	assert_int_equal(rep->probes.disagreements, 0);
	free(rep);
}

/* The privileged operation refuses an fs context that is not a bpffs. */
static void test_delegate_refuses_other_fs(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	const char *types[] = {"tmpfs", "ext4", "proc"};
	struct bpfd_delegation d = {{BPFD_MASK_ANY, BPFD_MASK_ANY, 0, 0}};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct bpfd_error e = {0};
		int fs = fsopen(types[i], FSOPEN_CLOEXEC);

		if (fs < 0)
			continue; /* not built into this kernel */
		assert_int_equal(bpfd_bpffs_delegate(fs, &d, &e), -EINVAL);
		assert_int_equal(e.step, BPFD_STEP_FSTYPE);
		/* Nothing was created: the context cannot be mounted. */
		assert_true(fsmount(fs, FSMOUNT_CLOEXEC, 0) < 0);
		close(fs);
	}
	/* Not an fs context at all. */
	int fd = open("/", O_RDONLY | O_CLOEXEC);
	assert_true(bpfd_bpffs_delegate(fd, &d, NULL) < 0);
	close(fd);
	/* A pipe holding what a bpffs context's log says to a bad mode,
	 * after 16 x 256 bytes for drain_log() to discard: refused before
	 * anything reads it (the fsconfig flag probe; without it the line
	 * passes for a bpffs context's and the failure comes later). */
	static const char lie[] = "e bpf: Bad value for 'mode'\n";
	char filler[16 * 256];
	int p[2];
	struct bpfd_error e = {0};

	memset(filler, 'x', sizeof(filler));
	assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	assert_int_equal(write(p[1], filler, sizeof(filler)),
			 (ssize_t)sizeof(filler));
	assert_int_equal(write(p[1], lie, sizeof(lie) - 1),
			 (ssize_t)sizeof(lie) - 1);
	assert_int_equal(bpfd_bpffs_delegate(p[0], &d, &e), -EINVAL);
	assert_int_equal(e.step, BPFD_STEP_FSTYPE);
	close(p[0]);
	close(p[1]);
}

/* A bpffs of the initial user namespace: delegated, but no token there. */
static void test_initial_userns_bpffs_no_token(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	struct bpfd_delegation d = {
	    {BPFD_MASK_ANY, BPFD_MASK_ANY, BPFD_MASK_ANY, BPFD_MASK_ANY}};
	int before = bpf_mounts();
	int fs = fsopen("bpf", FSOPEN_CLOEXEC), mnt, root;
	struct statfs sfs;

	assert_true(fs >= 0);
	mnt = bpfd_bpffs_delegate(fs, &d, NULL);
	assert_true(mnt >= 0);
	assert_int_equal(fstatfs(mnt, &sfs), 0);
	assert_true((unsigned long)sfs.f_type == 0xcafe4a11UL);
	/* fsmount gives O_PATH: the token wants a real fd. */
	assert_int_equal(bpfd_token_create(mnt), -EBADF);
	root = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(root >= 0);
	assert_int_equal(bpfd_token_create(root), -EOPNOTSUPP);
	close(root);
	close(mnt);
	close(fs);
	assert_int_equal(bpf_mounts(), before);
}

/*
 * BPFDELEGATE_TEST_FAULT=@fault: this test is linked against the library
 * built with -DBPFD_TEST_FAULTS (see the Makefile); the release library
 * ignores the variable.
 */
static void run_fault(const char *fault, int timeout_ms, enum bpfd_step step,
		      int err)
{
	struct bpfd_engine_opts o = opts_any();
	struct bpfd_report *rep = calloc(1, sizeof(*rep));
	struct bpfd_error e = {0};
	int before = bpf_mounts();

	o.timeout_ms = timeout_ms;
	setenv("BPFDELEGATE_TEST_FAULT", fault, 1);
	assert_int_equal(bpfd_engine_check(&o, names, rep, &e), -err);
	unsetenv("BPFDELEGATE_TEST_FAULT");
	assert_int_equal(e.step, step);
	assert_int_equal(e.err, err);
	assert_int_equal(bpf_mounts(), before);
	/* The child was reaped: we have no child left. */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	free(rep);
}

static void test_fault_child_exit(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	run_fault("child-exit-after-fsopen", 10000, BPFD_STEP_PEER, EPIPE);
}

static void test_fault_child_hang(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	run_fault("child-hang", 300, BPFD_STEP_PEER, ETIMEDOUT);
}

static void test_fault_tmpfs_context(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	run_fault("child-send-tmpfs", 10000, BPFD_STEP_FSTYPE, EINVAL);
}

/*
 * The child's guards (parent-death signal, non-dumpable) fail after it
 * became the namespace root: the engine fails with the reason, never
 * reports success, and leaves nothing behind.
 */
static void test_fault_child_rearm(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	run_fault("child-rearm-fail", 10000, BPFD_STEP_SETID, EPERM);
}

/* A child whose report says err 0 but that stopped before the end (an
 * error lost on its way) is a failure for the parent. */
static void test_fault_false_success(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	run_fault("child-false-success", 10000, BPFD_STEP_PEER, EPROTO);
}

/* A final record shorter than its probe count says: a protocol error,
 * never a report read past what came. */
static void test_fault_short_report(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	run_fault("child-short-report", 10000, BPFD_STEP_RECV, EPROTO);
}

/* Same for run, just before the exec: COMMAND never starts, and bpfd_engine_run()
 * says so instead of handing back a child that exited. */
static void test_fault_exec_rearm(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	char *argv[] = {"/bin/true", NULL};
	struct bpfd_exec x = {.argv = argv};
	struct bpfd_engine_opts o = opts_any();
	struct bpfd_report *rep = calloc(1, sizeof(*rep));
	struct bpfd_child ch;
	struct bpfd_error e = {0};
	int r, before = bpf_mounts();

	sigemptyset(&x.sigmask);
	o.exec = &x;
	setenv("BPFDELEGATE_TEST_FAULT", "exec-rearm-fail", 1);
	r = bpfd_engine_run(&o, names, rep, &ch, &e);
	unsetenv("BPFDELEGATE_TEST_FAULT");
	if (r == 0 && ch.pid > 0) {
		waitpid(ch.pid, NULL, 0);
		close(ch.pidfd);
	}
	assert_int_equal(r, -EPERM);
	assert_int_equal(e.step, BPFD_STEP_USER);
	assert_int_equal(e.err, EPERM);
	assert_non_null(strstr(e.detail, "non-dumpable"));
	assert_int_equal(ch.pidfd, -1);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	assert_int_equal(bpf_mounts(), before);
	free(rep);
}

/* Without CAP_SYS_ADMIN the engine refuses before forking anything. */
static void test_not_privileged(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		cap_t c = cap_get_proc();
		cap_value_t v = CAP_SYS_ADMIN;
		struct bpfd_engine_opts o = opts_any();
		struct bpfd_report *rep = calloc(1, sizeof(*rep));
		struct bpfd_error e = {0};

		cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_CLEAR);
		if (cap_set_proc(c) < 0)
			_exit(10);
		if (bpfd_engine_check(&o, names, rep, &e) != -EPERM)
			_exit(11);
		if (e.step != BPFD_STEP_PRIVILEGE || rep->done)
			_exit(12);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_run_exec(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	char *ok_argv[] = {"/bin/sh", "-c", "exit 3", NULL};
	char *bad_argv[] = {"/no/such/command", NULL};
	struct bpfd_exec x = {.argv = ok_argv};
	struct bpfd_engine_opts o = opts_any();
	struct bpfd_report *rep = calloc(1, sizeof(*rep));
	struct bpfd_child ch;
	struct bpfd_error e = {0};
	int st, before = bpf_mounts();

	sigemptyset(&x.sigmask);
	o.exec = &x;
	assert_int_equal(bpfd_engine_run(&o, names, rep, &ch, &e), 0);
	assert_true(ch.pid > 0 && ch.pidfd >= 0);
	assert_true(rep->done & (1u << BPFD_STEP_TOKEN_CREATE));
	assert_int_equal(waitpid(ch.pid, &st, 0), ch.pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 3);
	close(ch.pidfd);
	/* A failed exec is reported with its errno; nothing is left. */
	x.argv = bad_argv;
	assert_int_equal(bpfd_engine_run(&o, names, rep, &ch, &e), -ENOENT);
	assert_int_equal(e.step, BPFD_STEP_EXEC);
	assert_int_equal(ch.pidfd, -1);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(bpf_mounts(), before);
	free(rep);
}

/*
 * A kernel older than 6.9 (Debian's 5.10 and 6.1, under make test-kernels):
 * the engine fails with EOPNOTSUPP, at create (the kernel refuses a bpffs
 * for a user namespace) or when the delegation was not kept (it ignored the
 * options), leaves nothing mounted and no child.  On 6.9+ the same paths
 * run through the old-kernel faults of tests/cli/check.bats.
 */
static void test_old_kernel(void **state)
{
	struct bpfd_engine_opts o = opts_any();
	struct bpfd_report *rep;
	struct bpfd_error e = {0};
	struct utsname u;
	int before;

	(void)state;
	if (geteuid() != 0)
		bpfd_skip("needs root (euid %u)", geteuid());
	if (bpfd_test_kernel_has_tokens())
		bpfd_not_applicable(
		    "kernel %s has BPF tokens (6.9+): the other tests assert "
		    "what it does, tests/cli/check.bats the old-kernel faults",
		    uname(&u) == 0 ? u.release : "?");
	rep = calloc(1, sizeof(*rep));
	assert_non_null(rep);
	before = bpf_mounts();
	assert_int_equal(bpfd_engine_check(&o, names, rep, &e), -EOPNOTSUPP);
	assert_int_equal(e.err, EOPNOTSUPP);
	assert_true(e.step == BPFD_STEP_CREATE || e.step == BPFD_STEP_NOT_KEPT);
	assert_int_equal(rep->err, EOPNOTSUPP);
	assert_false(rep->done & (1ull << BPFD_STEP_TOKEN_CREATE));
	assert_int_equal(bpf_mounts(), before);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	free(rep);
}

static void test_idmap_default(void **state)
{
	(void)state;
	struct bpfd_idmap m = bpfd_idmap_default("1000", "1001");

	assert_int_equal(m.uid, 1000);
	assert_int_equal(m.gid, 1001);
	m = bpfd_idmap_default("0", "0");
	assert_int_equal(m.uid, 65534);
	assert_int_equal(m.gid, 65534);
	m = bpfd_idmap_default("12x", NULL);
	assert_int_equal(m.uid, getuid() ? getuid() : 65534);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_idmap_default),
	    cmocka_unit_test(test_default_check),
	    cmocka_unit_test(test_old_kernel),
	    cmocka_unit_test(test_narrow_check),
	    cmocka_unit_test(test_delegate_refuses_other_fs),
	    cmocka_unit_test(test_initial_userns_bpffs_no_token),
	    cmocka_unit_test(test_fault_child_exit),
	    cmocka_unit_test(test_fault_child_hang),
	    cmocka_unit_test(test_fault_tmpfs_context),
	    cmocka_unit_test(test_fault_child_rearm),
	    cmocka_unit_test(test_fault_exec_rearm),
	    cmocka_unit_test(test_fault_false_success),
	    cmocka_unit_test(test_fault_short_report),
	    cmocka_unit_test(test_not_privileged),
	    cmocka_unit_test(test_run_exec),
	};
	return cmocka_run_group_tests_name("engine", tests, setup, teardown);
}
