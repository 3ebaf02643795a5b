// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * doctor and explain against real situations: every cause of a failed
 * BPF_TOKEN_CREATE is set up for real (a host bpffs, no delegation, a
 * subdirectory, a tmpfs, nothing mounted, an O_PATH fd, another user
 * namespace, no CAP_BPF), probed with bpfd_diag_collect() and judged with
 * the library's decision functions.
 *
 * Every situation lives in a forked child with a private mount namespace,
 * so nothing is ever mounted on the host: the mount point is an empty
 * directory under /tmp that the children mount over and that is removed at
 * the end.  User namespace children get their bpffs from this process (root
 * in the initial user namespace) through the library's own primitives.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <bpfdelegate/bpffs.h>
#include <bpfdelegate/diag.h>
#include <bpfdelegate/fdpass.h>
#include <bpfdelegate/mounts.h>
#include <bpfdelegate/userns.h>

#include "testutil.h"

#define TIMEOUT_MS 20000

static struct bpfd_names *names;
static char dir[64];  /* the mount point: empty, on the host's /tmp */
static char sub[128]; /* dir/sub, made inside a bpffs */

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/bpfd-diag-XXXXXX");
	if (!mkdtemp(dir) || chmod(dir, 0755) < 0)
		return -1;
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	return bpfd_names_load(&names, NULL, 0, NULL);
}

static int teardown(void **state)
{
	(void)state;
	bpfd_names_free(names);
	return rmdir(dir);
}

/* ---- situations in the initial user namespace ---- */

typedef void (*scene_fn)(struct bpfd_diag_facts *f);

/* Run @fn in a child with a private mount namespace; its facts come back. */
static void in_private_mntns(scene_fn fn, struct bpfd_diag_facts *out)
{
	int sv[2], status = 0;
	pid_t pid;

	assert_int_equal(bpfd_socketpair(sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static struct bpfd_diag_facts f;

		close(sv[0]);
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(10);
		fn(&f);
		_exit(bpfd_send(sv[1], &f, sizeof(f), -1) < 0 ? 11 : 0);
	}
	close(sv[1]);
	assert_int_equal(bpfd_recv(sv[0], out, sizeof(*out), NULL, TIMEOUT_MS),
			 0);
	close(sv[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void mount_bpf(const char *opts)
{
	if (mount("bpf", dir, "bpf", 0, opts) < 0)
		_exit(12);
}

static void scene_host_delegated(struct bpfd_diag_facts *f)
{
	mount_bpf("delegate_cmds=any,delegate_maps=hash:array");
	bpfd_diag_collect(dir, -1, names, f);
}

static void scene_host_plain(struct bpfd_diag_facts *f)
{
	mount_bpf(NULL);
	bpfd_diag_collect(dir, -1, names, f);
}

static void scene_subdir(struct bpfd_diag_facts *f)
{
	mount_bpf("delegate_cmds=any");
	if (mkdir(sub, 0755) < 0)
		_exit(13);
	bpfd_diag_collect(sub, -1, names, f);
}

static void scene_tmpfs(struct bpfd_diag_facts *f)
{
	if (mount("tmpfs", dir, "tmpfs", 0, "size=64k") < 0)
		_exit(14);
	bpfd_diag_collect(dir, -1, names, f);
}

static void scene_nothing(struct bpfd_diag_facts *f)
{
	bpfd_diag_collect(dir, -1, names, f);
}

static void scene_opath(struct bpfd_diag_facts *f)
{
	int fd;

	mount_bpf("delegate_cmds=any");
	fd = open(dir, O_PATH | O_CLOEXEC);
	if (fd < 0)
		_exit(15);
	bpfd_diag_collect(dir, fd, names, f);
	close(fd);
}

/* Decide and evaluate @f; the cause must be @want and named in doctor. */
static void expect(const struct bpfd_diag_facts *f, int err,
		   enum bpfd_cause want, enum bpfd_verdict verdict)
{
	struct bpfd_diag_report r;
	char why[512];

	assert_int_equal(f->token_err, err);
	assert_int_equal(bpfd_diag_decide(err, f, why, sizeof(why)), want);
	bpfd_diag_evaluate(f, names, &r);
	assert_int_equal(r.cause, want);
	assert_int_equal(r.verdict, verdict);
	if (want != BPFD_CAUSE_NONE)
		assert_non_null(strstr(r.item[BPFD_CHECK_TOKEN].detail,
				       bpfd_cause_info(want)->text));
}

static void test_host_bpffs_delegated(void **state)
{
	struct bpfd_diag_facts f;

	(void)state;
	bpfd_require_root_tokens();
	in_private_mntns(scene_host_delegated, &f);
	assert_true(f.is_bpffs && f.is_root && f.mount_root);
	assert_int_equal(f.owner.owner, BPFD_OWNER_INITIAL);
	assert_true(f.deleg_known);
	assert_int_equal(f.deleg.mask[BPFD_MAPS], 0x6);
	expect(&f, EOPNOTSUPP, BPFD_CAUSE_INIT_USERNS, BPFD_VERDICT_PROBLEM);
}

/* EOPNOTSUPP comes before ENOENT: an undelegated host bpffs says it too. */
static void test_host_bpffs_plain(void **state)
{
	struct bpfd_diag_facts f;

	(void)state;
	bpfd_require_root_tokens();
	in_private_mntns(scene_host_plain, &f);
	assert_int_equal(f.owner.owner, BPFD_OWNER_INITIAL);
	expect(&f, EOPNOTSUPP, BPFD_CAUSE_INIT_USERNS, BPFD_VERDICT_HOST_READY);
}

static void test_subdirectory(void **state)
{
	struct bpfd_diag_facts f;

	(void)state;
	bpfd_require_root_tokens();
	in_private_mntns(scene_subdir, &f);
	assert_true(f.is_bpffs && !f.is_root && !f.mount_root);
	assert_string_equal(f.mnt_target, dir);
	expect(&f, EINVAL, BPFD_CAUSE_NOT_ROOT, BPFD_VERDICT_PROBLEM);
}

static void test_tmpfs(void **state)
{
	struct bpfd_diag_facts f;

	(void)state;
	bpfd_require_root_tokens();
	in_private_mntns(scene_tmpfs, &f);
	assert_true(f.mount_root && !f.is_bpffs);
	assert_string_equal(f.fstype, "tmpfs");
	expect(&f, EINVAL, BPFD_CAUSE_NOT_BPFFS, BPFD_VERDICT_PROBLEM);
}

static void test_nothing_mounted(void **state)
{
	struct bpfd_diag_facts f;
	char why[512];

	(void)state;
	bpfd_require_root_tokens();
	in_private_mntns(scene_nothing, &f);
	assert_false(f.mount_root || f.is_bpffs);
	expect(&f, EINVAL, BPFD_CAUSE_NOT_BPFFS, BPFD_VERDICT_PROBLEM);
	bpfd_diag_decide(EINVAL, &f, why, sizeof(why));
	assert_non_null(strstr(why, "nothing is mounted"));
	/* and a path that does not exist: no attempt at all */
	bpfd_diag_collect("/nonexistent/bpffs", -1, names, &f);
	assert_int_equal(f.open_err, ENOENT);
	assert_int_equal(f.token_err, -1);
	assert_int_equal(bpfd_diag_decide_open(ENOENT, &f, why, sizeof(why)),
			 BPFD_CAUSE_OPEN);
}

static void test_opath_fd(void **state)
{
	struct bpfd_diag_facts f;

	(void)state;
	bpfd_require_root_tokens();
	in_private_mntns(scene_opath, &f);
	assert_true(f.fd_opath && f.is_root);
	/* the owner is still found, through a re-opened fd */
	assert_int_equal(f.owner.owner, BPFD_OWNER_INITIAL);
	expect(&f, EBADF, BPFD_CAUSE_OPATH, BPFD_VERDICT_PROBLEM);
}

/* ---- situations in user namespaces ---- */

/* What a user namespace child does with the bpffs it gets. */
struct role {
	bool create;	   /* open the fs context (owns the bpffs) */
	bool use;	   /* mount the bpffs at dir, probe, send facts */
	bool drop_cap_bpf; /* before probing */
};

static int tag_send(int sock, char tag, int fd)
{
	return bpfd_send(sock, &tag, 1, fd);
}

static char tag_recv(int sock, int *fd)
{
	char c = 0;

	return bpfd_recv(sock, &c, 1, fd, TIMEOUT_MS) == 0 ? c : 0;
}

static int drop_cap_bpf(void)
{
	cap_t c = cap_get_proc();
	cap_value_t v = CAP_BPF;
	int r = -1;

	if (c && cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_CLEAR) == 0)
		r = cap_set_proc(c);
	cap_free(c);
	return r;
}

static int use_bpffs(int sock, const struct role *ro)
{
	static struct bpfd_diag_facts f;
	int mnt = -1;

	if (tag_recv(sock, &mnt) != 'C' || mnt < 0)
		return 24;
	if (move_mount(mnt, "", AT_FDCWD, dir, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return 25;
	close(mnt);
	if (ro->drop_cap_bpf && drop_cap_bpf() < 0)
		return 26;
	bpfd_diag_collect(dir, -1, names, &f);
	return bpfd_send(sock, &f, sizeof(f), -1) < 0 ? 27 : 0;
}

static int kid_main(int sock, const struct role *ro)
{
	int fs, r;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return 20;
	if (tag_send(sock, 'U', -1) < 0 || tag_recv(sock, NULL) != 'M')
		return 21;
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 22;
	if (ro->create) {
		fs = fsopen("bpf", FSOPEN_CLOEXEC);
		if (fs < 0 || tag_send(sock, 'F', fs) < 0)
			return 23;
		close(fs);
	}
	if (ro->use && (r = use_bpffs(sock, ro)) != 0)
		return r;
	/* stay until told, so that /proc/PID can be looked at */
	return tag_recv(sock, NULL) == 'Q' ? 0 : 28;
}

struct kid {
	pid_t pid;
	int sock;
};

/* Fork a user namespace child; write its id maps. */
static void kid_start(struct kid *k, const struct role *ro)
{
	const struct bpfd_idmap map = {.uid = 65534, .gid = 65534};
	int sv[2];

	assert_int_equal(bpfd_socketpair(sv), 0);
	k->pid = fork();
	assert_true(k->pid >= 0);
	if (k->pid == 0) {
		close(sv[0]);
		_exit(kid_main(sv[1], ro));
	}
	close(sv[1]);
	k->sock = sv[0];
	if (tag_recv(k->sock, NULL) != 'U')
		bpfd_skip("cannot unshare a user namespace");
	assert_int_equal(bpfd_userns_write_maps(k->pid, &map, NULL), 0);
	assert_int_equal(tag_send(k->sock, 'M', -1), 0);
}

static void kid_end(struct kid *k)
{
	int status = 0;

	tag_send(k->sock, 'Q', -1);
	close(k->sock);
	assert_int_equal(waitpid(k->pid, &status, 0), k->pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* The privileged operation for @k's fs context: the bpffs's mount fd. */
static int delegate_for(struct kid *k, const struct bpfd_delegation *d)
{
	int fs = -1, mnt;

	assert_int_equal(tag_recv(k->sock, &fs), 'F');
	assert_true(fs >= 0);
	mnt = bpfd_bpffs_delegate(fs, d, NULL);
	close(fs);
	assert_true(mnt >= 0);
	return mnt;
}

static void give_mount(struct kid *k, int mnt, struct bpfd_diag_facts *f)
{
	assert_int_equal(tag_send(k->sock, 'C', mnt), 0);
	assert_int_equal(bpfd_recv(k->sock, f, sizeof(*f), NULL, TIMEOUT_MS),
			 0);
}

static void test_no_delegation(void **state)
{
	const struct role ro = {.create = true, .use = true};
	const struct bpfd_delegation none = {{0}};
	struct bpfd_diag_facts f;
	struct kid k;
	int mnt;

	(void)state;
	bpfd_require_root_tokens();
	kid_start(&k, &ro);
	mnt = delegate_for(&k, &none);
	give_mount(&k, mnt, &f);
	close(mnt);
	kid_end(&k);
	assert_false(f.init_userns);
	assert_int_equal(f.owner.owner, BPFD_OWNER_CALLER);
	assert_true(f.deleg_known);
	expect(&f, ENOENT, BPFD_CAUSE_NO_DELEGATION, BPFD_VERDICT_PROBLEM);
}

static void test_no_cap_bpf(void **state)
{
	const struct role ro = {
	    .create = true, .use = true, .drop_cap_bpf = true};
	const struct bpfd_delegation any = {
	    {BPFD_MASK_ANY, BPFD_MASK_ANY, BPFD_MASK_ANY, BPFD_MASK_ANY}};
	struct bpfd_diag_facts f;
	struct bpfd_diag_report r;
	struct kid k;
	int mnt;

	(void)state;
	bpfd_require_root_tokens();
	kid_start(&k, &ro);
	mnt = delegate_for(&k, &any);
	give_mount(&k, mnt, &f);
	close(mnt);
	kid_end(&k);
	assert_false(f.caps & (1ULL << CAP_BPF));
	assert_int_equal(f.owner.owner, BPFD_OWNER_UNKNOWN);
	expect(&f, EPERM, BPFD_CAUSE_NO_CAP_BPF, BPFD_VERDICT_PROBLEM);
	bpfd_diag_evaluate(&f, names, &r);
	assert_int_equal(r.item[BPFD_CHECK_CALLER].status, BPFD_DIAG_PROBLEM);
}

static void test_other_userns(void **state)
{
	const struct role owner = {.create = true};
	const struct role other = {.use = true};
	const struct bpfd_delegation any = {
	    {BPFD_MASK_ANY, BPFD_MASK_ANY, BPFD_MASK_ANY, BPFD_MASK_ANY}};
	struct bpfd_diag_facts f;
	struct kid a, b;
	int mnt;

	(void)state;
	bpfd_require_root_tokens();
	kid_start(&a, &owner);
	mnt = delegate_for(&a, &any);
	kid_end(&a); /* the superblock keeps its user namespace alive */
	kid_start(&b, &other);
	give_mount(&b, mnt, &f);
	close(mnt);
	kid_end(&b);
	assert_true(f.caps & (1ULL << CAP_BPF));
	assert_int_equal(f.owner.owner, BPFD_OWNER_NOT_CALLER);
	expect(&f, EPERM, BPFD_CAUSE_WRONG_USERNS, BPFD_VERDICT_PROBLEM);
}

/* A delegated bpffs works from its own namespace: doctor says token-ok. */
static void test_token_ok(void **state)
{
	const struct role ro = {.create = true, .use = true};
	const struct bpfd_delegation d = {{1, 0x6, 0, 0}};
	struct bpfd_diag_facts f;
	struct bpfd_diag_report r;
	struct kid k;
	int mnt;

	(void)state;
	bpfd_require_root_tokens();
	kid_start(&k, &ro);
	mnt = delegate_for(&k, &d);
	give_mount(&k, mnt, &f);
	close(mnt);
	kid_end(&k);
	assert_int_equal(f.token_err, 0);
	assert_int_equal(f.owner.owner, BPFD_OWNER_CALLER);
	assert_int_equal(f.deleg.mask[BPFD_CMDS], 1);
	assert_int_equal(f.deleg.mask[BPFD_MAPS], 0x6);
	bpfd_diag_evaluate(&f, names, &r);
	assert_int_equal(r.verdict, BPFD_VERDICT_TOKEN_OK);
	assert_non_null(strstr(r.item[BPFD_CHECK_PATH_DELEGATION].detail,
			       "maps=hash:array"));
}

/* list --pid: the mount in a child's namespace, and whose it is. */
static void check_listed(pid_t pid)
{
	struct bpfd_bpffs_mount *m = NULL;
	struct bpfd_owner_info o;
	char path[64];
	size_t n = 0, i;
	int root, userns, fd;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	assert_int_equal(bpfd_bpffs_mounts(path, names, &m, &n, NULL), 0);
	for (i = 0; i < n && strcmp(m[i].target, dir) != 0; i++)
		;
	assert_true(i < n);
	assert_true(m[i].deleg_ok);
	assert_int_equal(m[i].deleg.mask[BPFD_MAPS], 0x6);
	assert_string_equal(m[i].root, "/");
	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	userns = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(root >= 0 && userns >= 0);
	fd = bpfd_open_dir_in_root(root, dir);
	assert_true(fd >= 0);
	assert_int_equal(bpfd_mount_id(fd), m[i].mnt_id);
	/* from the initial namespace alone: "not the initial one" */
	assert_int_equal(bpfd_bpffs_owner(fd, -1, &o), 0);
	assert_int_equal(o.owner, BPFD_OWNER_NOT_INITIAL);
	assert_int_equal(o.err, EPERM);
	/* joining the child's user namespace names it */
	assert_int_equal(bpfd_bpffs_owner(fd, userns, &o), 0);
	assert_int_equal(o.owner, BPFD_OWNER_TARGET);
	assert_int_equal(o.userns_ino, bpfd_userns_ino(path));
	close(fd);
	close(root);
	close(userns);
	free(m);
}

static void test_list_other_namespace(void **state)
{
	const struct role ro = {.create = true, .use = true};
	const struct bpfd_delegation d = {{1, 0x6, 0, 0}};
	struct bpfd_diag_facts f;
	struct kid k;
	int mnt;

	(void)state;
	bpfd_require_root_tokens();
	kid_start(&k, &ro);
	mnt = delegate_for(&k, &d);
	give_mount(&k, mnt, &f);
	close(mnt);
	check_listed(k.pid);
	kid_end(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_host_bpffs_delegated),
	    cmocka_unit_test(test_host_bpffs_plain),
	    cmocka_unit_test(test_subdirectory),
	    cmocka_unit_test(test_tmpfs),
	    cmocka_unit_test(test_nothing_mounted),
	    cmocka_unit_test(test_opath_fd),
	    cmocka_unit_test(test_no_delegation),
	    cmocka_unit_test(test_no_cap_bpf),
	    cmocka_unit_test(test_other_userns),
	    cmocka_unit_test(test_token_ok),
	    cmocka_unit_test(test_list_other_namespace),
	};

	return cmocka_run_group_tests_name("diag-kernel", tests, setup,
					   teardown);
}
