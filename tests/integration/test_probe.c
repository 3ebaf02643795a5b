// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Integration tests of the bpf() wrappers and the token probes against the
 * running kernel: real user namespaces, real bpffs instances, real tokens.
 *
 * The fixture is self-contained (the library's engine is tested elsewhere):
 * a child unshares a user and a mount namespace, the test process (root in
 * the initial namespace) writes its id maps, the child opens a bpffs context
 * and passes it over a SOCK_SEQPACKET socketpair, the parent sets the four
 * delegate masks and creates the superblock, the child mounts it (detached:
 * nothing is ever attached to a mount tree), makes a token, runs a check
 * function and sends its result back as plain bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "testutil.h"

#include <linux/bpf.h>

#include <bpfdelegate/bpffs.h>
#include <bpfdelegate/delegation.h>
#include <bpfdelegate/fdpass.h>
#include <bpfdelegate/probe.h>
#include <bpfdelegate/userns.h>
#include <bpfdelegate/sysbpf.h>

#define TIMEOUT_MS 30000
#define ANY BPFD_MASK_ANY
#define BIT(n) (1ULL << (n))
#define masks4(c, m, p, a) ((struct bpfd_delegation){.mask = {c, m, p, a}})
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* UAPI values (stable) that Debian 12's 6.1 headers lack. */
#define CMD_BTF_LOAD 18
#define CMD_BTF_GET_FD_BY_ID 19
#define ATTACH_XDP 37

/* ---- the fixture, on the library's own primitives ---- */

/* Runs in the child with the detached bpffs: fills @out, returns 0. */
typedef int (*child_fn)(int mnt_fd, int root_fd, void *arg, void *out);

struct tokenfs {
	struct bpfd_delegation masks; /* set on the bpffs */
	child_fn fn;
	void *arg;
	void *out; /* the child's reply, @outlen bytes */
	size_t outlen;
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

static int child_main(int sock, const struct tokenfs *t)
{
	int fs, mnt = -1, root, rc;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return 10;
	if (tag_send(sock, 'U', -1) < 0 || tag_recv(sock, NULL) != 'M')
		return 11;
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return 12;
	fs = fsopen("bpf", FSOPEN_CLOEXEC);
	if (fs < 0)
		return errno == ENOSYS ? 18 : 13;
	if (tag_send(sock, 'F', fs) < 0 || tag_recv(sock, &mnt) != 'C' ||
	    mnt < 0)
		return 14;
	root = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return 16;
	memset(t->out, 0, t->outlen);
	rc = t->fn(mnt, root, t->arg, t->out);
	if (bpfd_send(sock, t->out, t->outlen, -1) < 0)
		return 17;
	return rc;
}

/* Id maps, then the privileged operation; the mount fd goes back. */
static int parent_setup(int sock, pid_t pid, const struct bpfd_delegation *d)
{
	const struct bpfd_idmap map = {65534, 65534};
	int fs = -1, mnt, err = -1;

	if (tag_recv(sock, NULL) != 'U' ||
	    bpfd_userns_write_maps(pid, &map, NULL) < 0 ||
	    tag_send(sock, 'M', -1) < 0)
		return -1;
	if (tag_recv(sock, &fs) != 'F' || fs < 0)
		return -1;
	mnt = bpfd_bpffs_delegate(fs, d, NULL);
	if (mnt >= 0) {
		err = tag_send(sock, 'C', mnt);
		close(mnt);
	}
	close(fs);
	return err;
}

/* Returns the child's exit code (0 = fn succeeded), or -1. */
static int run_tokenfs(struct tokenfs *t)
{
	int sv[2], status = 0, ok = -1;
	pid_t pid;

	if (bpfd_socketpair(sv) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(sv[0]);
		_exit(child_main(sv[1], t));
	}

	close(sv[1]);
	if (parent_setup(sv[0], pid, &t->masks) == 0 &&
	    bpfd_recv(sv[0], t->out, t->outlen, NULL, TIMEOUT_MS) == 0)
		ok = 0;
	/* On failure the child sees EOF (or times out) and exits. */
	close(sv[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status))
		return -1;
	if (ok < 0 && WEXITSTATUS(status) == 0)
		return -1;
	return WEXITSTATUS(status);
}

/* Run the fixture; skip (fail in CI) without user namespaces. */
#define assert_fixture(t)                                                      \
	do {                                                                   \
		int rc_ = run_tokenfs(t);                                      \
		if (rc_ == 10)                                                 \
			bpfd_skip("cannot unshare a user namespace");          \
		if (rc_ == 18)                                                 \
			bpfd_skip("fsopen: ENOSYS (valgrind < 3.20?)");        \
		if (rc_ != 0)                                                  \
			fail_msg("fixture failed: child exit %d", rc_);        \
	} while (0)

static int unpriv_bpf_disabled(void)
{
	FILE *f = fopen("/proc/sys/kernel/unprivileged_bpf_disabled", "re");
	int v = -1;

	if (f && fscanf(f, "%d", &v) != 1)
		v = -1;
	if (f)
		fclose(f);
	return v;
}

/*
 * Does the running kernel take a token for BPF_BTF_GET_FD_BY_ID?  Only
 * Linux 6.15+ does; 6.9 to 6.14 (Debian's 6.12) fail a call that passes
 * one with EINVAL.  Found out here on its own, by what the kernel does with
 * BPF_F_TOKEN_FD and token fd -1 (EBADF: it read the field; EINVAL: it
 * rejected it), not from the library nor the version number.
 */
static bool kernel_btf_id_takes_token(void)
{
	struct {
		uint32_t id, next_id, open_flags;
		int32_t token_fd;
	} attr = {.open_flags = 1U << 16, .token_fd = -1};
	long r = syscall(__NR_bpf, CMD_BTF_GET_FD_BY_ID, &attr, sizeof(attr));

	if (r >= 0)
		fail_msg("btf_get_fd_by_id with token fd -1 gave fd %ld", r);
	if (errno != EBADF && errno != EINVAL)
		fail_msg("btf_get_fd_by_id with token fd -1: errno %d", errno);
	return errno == EBADF;
}

/* ---- the probe children ---- */

struct probe_arg {
	struct bpfd_delegation want;
	const struct bpfd_names *names;
};

struct probe_out {
	int token;
	int probe;
	struct bpfd_probe_report rep;
};

static int probe_child(int mnt_fd, int root_fd, void *arg, void *out)
{
	const struct probe_arg *a = arg;
	struct probe_out *o = out;

	(void)mnt_fd;
	o->token = bpfd_token_create(root_fd);
	if (o->token < 0)
		return 20;
	o->probe = bpfd_probe_all(o->token, &a->want, a->names, &o->rep);
	return o->probe < 0 ? 21 : 0;
}

/* The result for @k/@v; the control when @control. */
static const struct bpfd_probe_result *
find_r(const struct bpfd_probe_report *rep, enum bpfd_kind k, uint32_t v,
       bool control)
{
	for (uint32_t i = 0; i < rep->count; i++) {
		const struct bpfd_probe_result *r = &rep->r[i];

		if (r->kind == k && r->value == v &&
		    control == !strncmp(r->note, "control: no token", 17))
			return r;
	}
	fail_msg("no result for kind %d value %u", k, v);
	return NULL;
}
#define find(rep, k, v) find_r(rep, k, v, false)

static void dump(const struct bpfd_probe_report *rep, bool all)
{
	static const char *const kinds[] = {"cmd", "map", "prog", "attach"};

	for (uint32_t i = 0; i < rep->count; i++) {
		const struct bpfd_probe_result *r = &rep->r[i];

		if (all || !r->agrees)
			print_message("  %-6s %2u %-10s %-3s %s%s\n",
				      kinds[r->kind], r->value,
				      bpfd_probe_verdict_name(r->verdict),
				      r->delegated ? "del" : "-", r->note,
				      r->agrees ? "" : "  <-- DISAGREES");
	}
}

/* Probe a token with @masks against @want; BPFD_TEST_VERBOSE dumps all. */
static const struct bpfd_probe_report *run_probe(const struct bpfd_names *names,
						 struct bpfd_delegation masks,
						 struct bpfd_delegation want)
{
	static struct probe_out out;
	struct probe_arg a = {.want = want, .names = names};
	struct tokenfs t = {.masks = masks,
			    .fn = probe_child,
			    .arg = &a,
			    .out = &out,
			    .outlen = sizeof(out)};

	assert_fixture(&t);
	assert_true(out.token >= 0);
	assert_int_equal(out.probe, 0);
	dump(&out.rep, getenv("BPFD_TEST_VERBOSE") != NULL);
	return &out.rep;
}

static void assert_verdict(const struct bpfd_probe_report *rep,
			   enum bpfd_kind k, uint32_t v,
			   enum bpfd_probe_verdict want)
{
	const struct bpfd_probe_result *r = find(rep, k, v);

	if (r->verdict != want || !r->agrees)
		fail_msg(
		    "kind %d value %u: %s, agrees %d, err %d (%s), want %s", k,
		    v, bpfd_probe_verdict_name(r->verdict), r->agrees, r->err,
		    r->note, bpfd_probe_verdict_name(want));
}

/* An undelegated item: EPERM, or untestable when unprivileged BPF is on. */
static void assert_refused(const struct bpfd_probe_report *rep,
			   enum bpfd_kind k, uint32_t v, bool unpriv_type)
{
	const struct bpfd_probe_result *r = find(rep, k, v);

	assert_false(r->delegated);
	if (unpriv_type && unpriv_bpf_disabled() == 0) {
		assert_int_equal(r->verdict, BPFD_PROBE_UNTESTABLE);
		return;
	}
	assert_verdict(rep, k, v, BPFD_PROBE_REFUSED);
	assert_int_equal(r->err, EPERM);
}

/* The probe's verdict where the kernel takes no token: said, not judged. */
static void assert_no_token_for_btf_id(const struct bpfd_probe_report *rep,
				       bool delegated)
{
	const struct bpfd_probe_result *r =
	    find(rep, BPFD_CMDS, CMD_BTF_GET_FD_BY_ID);

	assert_int_equal(r->delegated, delegated);
	assert_int_equal(r->verdict, BPFD_PROBE_UNTESTABLE);
	assert_true(r->agrees);
	assert_non_null(strstr(r->note, "takes no token"));
}

static void assert_control(const struct bpfd_probe_report *rep)
{
	const struct bpfd_probe_result *c =
	    find_r(rep, BPFD_CMDS, BPF_MAP_CREATE, true);

	assert_int_equal(c->kind, BPFD_CMDS);
	assert_int_equal(c->value, BPF_MAP_CREATE);
	assert_false(c->delegated);
	assert_true(c->agrees);
	if (unpriv_bpf_disabled() != 0) {
		assert_int_equal(c->verdict, BPFD_PROBE_REFUSED);
		assert_int_equal(c->err, EPERM);
	}
}

/* ---- tests: probes ---- */

static int group_setup(void **state)
{
	struct bpfd_names *names = NULL;

	if (bpfd_names_load(&names, NULL, 0, NULL) < 0)
		return -1;
	*state = names;
	return 0;
}

static int group_teardown(void **state)
{
	bpfd_names_free(*state);
	return 0;
}

/* Everything delegated: every testable type works, the control does not. */
static void test_probe_any(void **state)
{
	const struct bpfd_delegation all = masks4(ANY, ANY, ANY, ANY);
	const struct bpfd_probe_report *rep;
	static const uint32_t maps[] = {
	    BPF_MAP_TYPE_HASH,		BPF_MAP_TYPE_ARRAY,
	    BPF_MAP_TYPE_LRU_HASH,	BPF_MAP_TYPE_LPM_TRIE,
	    BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_HASH_OF_MAPS,
	    BPF_MAP_TYPE_QUEUE,		BPF_MAP_TYPE_RINGBUF,
	    BPF_MAP_TYPE_BLOOM_FILTER,	BPF_MAP_TYPE_SK_STORAGE,
	    BPF_MAP_TYPE_TASK_STORAGE,	BPF_MAP_TYPE_DEVMAP,
	    BPF_MAP_TYPE_SOCKMAP,
	};
	static const uint32_t progs[] = {
	    BPF_PROG_TYPE_SOCKET_FILTER,    BPF_PROG_TYPE_KPROBE,
	    BPF_PROG_TYPE_SCHED_CLS,	    BPF_PROG_TYPE_XDP,
	    BPF_PROG_TYPE_CGROUP_SKB,	    BPF_PROG_TYPE_CGROUP_SOCK,
	    BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_PROG_TYPE_SK_REUSEPORT,
	    BPF_PROG_TYPE_SYSCALL,	    BPF_PROG_TYPE_SK_LOOKUP,
	};

	bpfd_require_root_tokens();
	rep = run_probe(*state, all, all);
	assert_int_equal(rep->disagreements, 0);
	assert_control(rep);
	assert_int_equal(rep->refused_checked, 0);
	for (uint32_t i = 0; i < rep->count; i++) {
		const struct bpfd_probe_result *r = &rep->r[i];

		assert_true(r->agrees);
		assert_true(strlen(r->note) > 0);
		if (strncmp(r->note, "control:", 8) != 0)
			assert_true(r->delegated);
		/* Delegated and refused is a disagreement, never "refused". */
		if (r->delegated)
			assert_int_not_equal(r->verdict, BPFD_PROBE_REFUSED);
	}
	assert_verdict(rep, BPFD_CMDS, BPF_MAP_CREATE, BPFD_PROBE_WORKS);
	assert_verdict(rep, BPFD_CMDS, BPF_PROG_LOAD, BPFD_PROBE_WORKS);
	assert_verdict(rep, BPFD_CMDS, CMD_BTF_LOAD, BPFD_PROBE_WORKS);
	if (kernel_btf_id_takes_token())
		assert_verdict(rep, BPFD_CMDS, CMD_BTF_GET_FD_BY_ID,
			       BPFD_PROBE_WORKS);
	else
		assert_no_token_for_btf_id(rep, true);
	for (size_t i = 0; i < ARRAY_SIZE(maps); i++)
		assert_verdict(rep, BPFD_MAPS, maps[i], BPFD_PROBE_WORKS);
	for (size_t i = 0; i < ARRAY_SIZE(progs); i++)
		assert_verdict(rep, BPFD_PROGS, progs[i], BPFD_PROBE_WORKS);
	assert_verdict(rep, BPFD_ATTACHS, BPF_CGROUP_INET_INGRESS,
		       BPFD_PROBE_WORKS);
	assert_verdict(rep, BPFD_ATTACHS, ATTACH_XDP, BPFD_PROBE_WORKS);
	assert_verdict(rep, BPFD_PROGS, BPF_PROG_TYPE_TRACING,
		       BPFD_PROBE_UNTESTABLE);
	assert_verdict(rep, BPFD_CMDS, BPF_MAP_LOOKUP_ELEM,
		       BPFD_PROBE_UNTESTABLE);
}

/* Only map_create of arrays: arrays work, the rest is refused. */
static void test_probe_array_only(void **state)
{
	const struct bpfd_delegation d =
	    masks4(BIT(BPF_MAP_CREATE), BIT(BPF_MAP_TYPE_ARRAY), 0, 0);
	const struct bpfd_probe_report *rep;

	bpfd_require_root_tokens();
	rep = run_probe(*state, d, d);
	assert_int_equal(rep->disagreements, 0);
	assert_control(rep);
	assert_true(rep->refused_checked > 0);
	assert_verdict(rep, BPFD_MAPS, BPF_MAP_TYPE_ARRAY, BPFD_PROBE_WORKS);
	assert_verdict(rep, BPFD_CMDS, BPF_MAP_CREATE, BPFD_PROBE_WORKS);
	assert_refused(rep, BPFD_MAPS, BPF_MAP_TYPE_HASH, true);
	assert_refused(rep, BPFD_MAPS, BPF_MAP_TYPE_LRU_HASH, false);
	assert_refused(rep, BPFD_MAPS, BPF_MAP_TYPE_ARRAY_OF_MAPS, true);
	assert_refused(rep, BPFD_CMDS, BPF_PROG_LOAD, true);
	assert_refused(rep, BPFD_CMDS, CMD_BTF_LOAD, false);
	assert_refused(rep, BPFD_PROGS, BPF_PROG_TYPE_SOCKET_FILTER, true);
	assert_refused(rep, BPFD_PROGS, BPF_PROG_TYPE_XDP, false);
	assert_refused(rep, BPFD_ATTACHS, ATTACH_XDP, false);
	/* Refused before the kernel looks at the (stand-in) BTF. */
	if (kernel_btf_id_takes_token())
		assert_refused(rep, BPFD_CMDS, CMD_BTF_GET_FD_BY_ID, false);
	else
		assert_no_token_for_btf_id(rep, false);
	assert_refused(rep, BPFD_MAPS, BPF_MAP_TYPE_SK_STORAGE, false);
}

/* Delegated, but without btf_load there is no BTF object to use. */
static void test_probe_needs_btf(void **state)
{
	const struct bpfd_delegation d = masks4(
	    BIT(BPF_MAP_CREATE) | BIT(CMD_BTF_GET_FD_BY_ID),
	    BIT(BPF_MAP_TYPE_ARRAY) | BIT(BPF_MAP_TYPE_SK_STORAGE), 0, 0);
	const struct bpfd_probe_report *rep;
	const struct bpfd_probe_result *r;

	bpfd_require_root_tokens();
	rep = run_probe(*state, d, d);
	assert_int_equal(rep->disagreements, 0);
	r = find(rep, BPFD_MAPS, BPF_MAP_TYPE_SK_STORAGE);
	assert_true(r->delegated);
	assert_int_equal(r->verdict, BPFD_PROBE_UNTESTABLE);
	r = find(rep, BPFD_CMDS, CMD_BTF_GET_FD_BY_ID);
	assert_true(r->delegated);
	assert_int_equal(r->verdict, BPFD_PROBE_UNTESTABLE);
	assert_refused(rep, BPFD_CMDS, CMD_BTF_LOAD, false);
	assert_verdict(rep, BPFD_MAPS, BPF_MAP_TYPE_ARRAY, BPFD_PROBE_WORKS);
}

/*
 * Program types and attach types are checked together: with every program
 * type but only attach bit 0, programs loaded with expected_attach_type 0
 * work and the others are refused.  cgroup_sock loaded with 0 is refused
 * too: the kernel turns 0 into cgroup_inet_sock_create before the token
 * check (bpf_prog_load_fixup_attach_type).
 */
static void test_probe_attach_gates_progs(void **state)
{
	const struct bpfd_delegation d =
	    masks4(BIT(BPF_PROG_LOAD), 0, ANY, BIT(BPF_CGROUP_INET_INGRESS));
	const struct bpfd_probe_report *rep;

	bpfd_require_root_tokens();
	rep = run_probe(*state, d, d);
	assert_int_equal(rep->disagreements, 0);
	assert_true(rep->refused_checked > 0);
	assert_verdict(rep, BPFD_PROGS, BPF_PROG_TYPE_SOCKET_FILTER,
		       BPFD_PROBE_WORKS);
	assert_verdict(rep, BPFD_PROGS, BPF_PROG_TYPE_KPROBE, BPFD_PROBE_WORKS);
	assert_verdict(rep, BPFD_ATTACHS, BPF_CGROUP_INET_INGRESS,
		       BPFD_PROBE_WORKS);
	assert_refused(rep, BPFD_PROGS, BPF_PROG_TYPE_XDP, false);
	assert_refused(rep, BPFD_PROGS, BPF_PROG_TYPE_CGROUP_SOCK, false);
	assert_refused(rep, BPFD_ATTACHS, BPF_CGROUP_INET_EGRESS, true);
	assert_refused(rep, BPFD_MAPS, BPF_MAP_TYPE_LRU_HASH, false);
}

/* A wrong claim about the token must show up as disagreements. */
static void test_probe_wrong_want(void **state)
{
	const struct bpfd_delegation real =
	    masks4(BIT(BPF_MAP_CREATE),
		   BIT(BPF_MAP_TYPE_ARRAY) | BIT(BPF_MAP_TYPE_LRU_HASH), 0, 0);
	/* Claims lru_hash is not delegated and queue is. */
	const struct bpfd_delegation want =
	    masks4(BIT(BPF_MAP_CREATE),
		   BIT(BPF_MAP_TYPE_ARRAY) | BIT(BPF_MAP_TYPE_QUEUE), 0, 0);
	const struct bpfd_probe_report *rep;
	const struct bpfd_probe_result *r;

	bpfd_require_root_tokens();
	rep = run_probe(*state, real, want);
	assert_int_equal(rep->disagreements, 2);
	r = find(rep, BPFD_MAPS, BPF_MAP_TYPE_LRU_HASH);
	assert_int_equal(r->verdict, BPFD_PROBE_WORKS);
	assert_false(r->delegated);
	assert_false(r->agrees);
	r = find(rep, BPFD_MAPS, BPF_MAP_TYPE_QUEUE);
	assert_int_equal(r->verdict, BPFD_PROBE_REFUSED);
	assert_int_equal(r->err, EPERM);
	assert_true(r->delegated);
	assert_false(r->agrees);
	assert_verdict(rep, BPFD_MAPS, BPF_MAP_TYPE_ARRAY, BPFD_PROBE_WORKS);
}

/* ---- tests: the bpf() wrappers ---- */

struct readback_out {
	int token;
	int info;
	int fdinfo;
	int opath;	/* fsmount's O_PATH fd: the kernel's fdget() skips it */
	int info_notok; /* bpfd_token_info on the bpffs root */
	int fdinfo_notok; /* bpfd_token_fdinfo on the bpffs root */
	int map_fd;
	int info_map; /* bpfd_token_info on a map */
	struct bpfd_delegation from_info;
	struct bpfd_delegation from_fdinfo;
};

static int readback_child(int mnt_fd, int root_fd, void *arg, void *out)
{
	const struct bpfd_map_opts m = {.type = BPF_MAP_TYPE_ARRAY,
					.key_size = 4,
					.value_size = 4,
					.max_entries = 1};
	struct readback_out *o = out;
	struct bpfd_delegation scratch;

	(void)arg;
	o->opath = bpfd_token_create(mnt_fd);
	o->token = bpfd_token_create(root_fd);
	if (o->token < 0)
		return 30;
	o->info = bpfd_token_info(o->token, &o->from_info);
	o->fdinfo = bpfd_token_fdinfo(o->token, &o->from_fdinfo);
	o->info_notok = bpfd_token_info(root_fd, &scratch);
	o->fdinfo_notok = bpfd_token_fdinfo(root_fd, &scratch);
	o->map_fd = bpfd_map_create(&m, o->token);
	o->info_map =
	    o->map_fd >= 0 ? bpfd_token_info(o->map_fd, &scratch) : o->map_fd;
	return 0;
}

static void assert_masks(const struct bpfd_delegation *got,
			 const struct bpfd_delegation *want)
{
	for (int k = 0; k < BPFD_NKINDS; k++)
		if (got->mask[k] != want->mask[k])
			fail_msg("%s: got 0x%" PRIx64 ", want 0x%" PRIx64,
				 bpfd_kind_name(k), got->mask[k],
				 want->mask[k]);
}

/* Token info must read back @masks, its fdinfo @fdinfo_masks. */
static const struct readback_out *readback(struct bpfd_delegation masks,
					   struct bpfd_delegation fdinfo_masks)
{
	static struct readback_out o;
	struct tokenfs t = {.masks = masks,
			    .fn = readback_child,
			    .out = &o,
			    .outlen = sizeof(o)};

	assert_fixture(&t);
	assert_true(o.token >= 0);
	assert_int_equal(o.opath, -EBADF);
	assert_int_equal(o.fdinfo, 0);
	assert_int_equal(o.fdinfo_notok, -ENOENT);
	assert_int_equal(o.info_notok, -EINVAL);
	assert_masks(&o.from_fdinfo, &fdinfo_masks);
	/* Kernels before 6.17 cannot report token info: -EINVAL. */
	if (o.info == -EINVAL)
		print_message("[  NOTE    ] no token info before 6.17\n");
	else
		assert_int_equal(o.info, 0);
	if (o.info == 0)
		assert_masks(&o.from_info, &masks);
	return &o;
}

static void test_token_readback(void **state)
{
	const struct bpfd_delegation d = masks4(
	    BIT(BPF_MAP_CREATE) | BIT(BPF_PROG_LOAD) | BIT(CMD_BTF_LOAD),
	    BIT(BPF_MAP_TYPE_HASH) | BIT(BPF_MAP_TYPE_ARRAY),
	    BIT(BPF_PROG_TYPE_SOCKET_FILTER) | BIT(BPF_PROG_TYPE_XDP), 0);
	const struct readback_out *o;

	(void)state;
	bpfd_require_root_tokens();
	o = readback(d, d);
	/* A map fd is not a token, even though GET_INFO would succeed. */
	assert_true(o->map_fd >= 0);
	assert_int_equal(o->info_map, -EINVAL);
}

static void test_token_readback_any(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	readback(masks4(ANY, ANY, ANY, ANY), masks4(ANY, ANY, ANY, ANY));
}

/*
 * Kernel quirk: fdinfo says "any" as soon as every bit the kernel knows is
 * set (bpf_token_show_fdinfo), so exactly the known bits read back as all
 * 64 from fdinfo, while BPF_OBJ_GET_INFO_BY_FD gives the real mask.
 */
static void test_token_readback_known_bits(void **state)
{
	struct bpfd_delegation d;

	bpfd_require_root_tokens();
	for (int k = 0; k < BPFD_NKINDS; k++) {
		unsigned int n = bpfd_names_count(*state, k);

		assert_true(n > 0 && n < 64);
		d.mask[k] = BIT(n) - 1;
	}
	readback(d, masks4(ANY, ANY, ANY, ANY));
}

struct host_out {
	int tmpfs;
	int tmpfs_info;
	int host_bpffs;
	int host_setup; /* which setup step failed, 0 = none */
};

/* Root of a new detached @fstype mount (@key=@val if @key); *@mnt kept. */
static int detached_root(const char *fstype, const char *key, const char *val,
			 int *mnt)
{
	int fs = fsopen(fstype, FSOPEN_CLOEXEC), err = -1;

	if (fs < 0)
		return -1;
	if ((!key || fsconfig(fs, FSCONFIG_SET_STRING, key, val, 0) == 0) &&
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		err = 0;
	*mnt = err ? -1 : fsmount(fs, FSMOUNT_CLOEXEC, 0);
	close(fs);
	if (*mnt < 0)
		return -1;
	return openat(*mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* In a child with its own mount namespace; detached mounts only. */
static void host_checks(struct host_out *o)
{
	struct bpfd_delegation scratch;
	int mnt = -1, tmp_mnt = -1, root, tmp;

	if (unshare(CLONE_NEWNS) < 0) {
		o->host_setup = 1;
		return;
	}
	root = detached_root("bpf", "delegate_cmds", "0x1", &mnt);
	tmp = detached_root("tmpfs", NULL, NULL, &tmp_mnt);
	if (root < 0 || tmp < 0) {
		o->host_setup = errno == ENOSYS ? 18 : 2;
		return;
	}
	o->host_bpffs = bpfd_token_create(root);
	o->tmpfs = bpfd_token_create(tmp);
	o->tmpfs_info = bpfd_token_info(tmp, &scratch);
}

static void test_token_create_errors(void **state)
{
	struct host_out o;
	int p[2], status;
	pid_t pid;

	(void)state;
	bpfd_require_root_tokens();
	assert_int_equal(bpfd_socketpair(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		memset(&o, 0, sizeof(o));
		host_checks(&o);
		_exit(bpfd_send(p[1], &o, sizeof(o), -1) == 0 ? 0 : 1);
	}
	close(p[1]);
	assert_int_equal(bpfd_recv(p[0], &o, sizeof(o), NULL, TIMEOUT_MS), 0);
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (o.host_setup == 18)
		bpfd_skip("fsopen: ENOSYS (valgrind < 3.20?)");
	assert_int_equal(o.host_setup, 0);
	/* Not the root of a bpffs. */
	assert_int_equal(o.tmpfs, -EINVAL);
	assert_int_equal(o.tmpfs_info, -EINVAL);
	/* A delegating bpffs of the initial user namespace. */
	assert_int_equal(o.host_bpffs, -EOPNOTSUPP);
}

static void test_wrapper_args(void **state)
{
	const struct bpfd_names *names = *state;
	struct bpfd_delegation d = masks4(ANY, ANY, ANY, ANY);
	static struct bpfd_probe_report rep;
	uint32_t len = 0;

	/*
	 * A negative fd never reaches the kernel.  A closed one does: EBADF
	 * from a kernel with BPF_TOKEN_CREATE (6.9+); one without the
	 * command (Debian's 5.10, 6.1) rejects the command itself with
	 * EINVAL before it reads any field (which one this kernel is: by
	 * the version).  A command every kernel has does read the same bad
	 * fd: the EINVAL is the command's, not the fd's.
	 */
	int closed_fd = bpfd_test_kernel_has_tokens() ? -EBADF : -EINVAL;
	union bpf_attr info = {.info.bpf_fd = 1000};
	long r = syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &info, sizeof(info));
	int info_errno = errno;

	assert_int_equal(r, -1);
	/* it read the fd: EBADF, or EBADFD (as 6.18 says) */
	assert_true(info_errno == EBADF || info_errno == EBADFD);
	assert_int_equal(bpfd_token_create(-1), -EBADF);
	assert_int_equal(bpfd_token_create(1000), closed_fd); /* not open */
	assert_int_equal(bpfd_map_create(NULL, -1), -EINVAL);
	assert_int_equal(bpfd_prog_load(NULL, -1), -EINVAL);
	assert_int_equal(bpfd_btf_load(NULL, 0, -1), -EINVAL);
	assert_int_equal(bpfd_obj_get_info(0, NULL, &len), -EINVAL);
	assert_int_equal(bpfd_token_info(0, NULL), -EINVAL);
	assert_int_equal(bpfd_token_fdinfo(-1, &d), -EBADF);
	/* stdin is not a token: no allowed_* lines in its fdinfo. */
	assert_int_equal(bpfd_token_fdinfo(0, &d), -ENOENT);
	assert_int_equal(bpfd_probe_all(-1, &d, names, &rep), -EINVAL);
	assert_int_equal(bpfd_probe_all(0, NULL, names, &rep), -EINVAL);
	assert_int_equal(bpfd_probe_all(0, &d, NULL, &rep), -EINVAL);
	assert_int_equal(bpfd_probe_all(0, &d, names, NULL), -EINVAL);
	assert_string_equal(bpfd_probe_verdict_name(BPFD_PROBE_WORKS), "works");
	assert_string_equal(bpfd_probe_verdict_name(BPFD_PROBE_REFUSED),
			    "refused");
	assert_string_equal(bpfd_probe_verdict_name(BPFD_PROBE_UNTESTABLE),
			    "untestable");
}

/*
 * The library's answer agrees with the kernel's, and on a kernel that takes
 * no token for it a real token makes btf_get_fd_by_id fail with EINVAL
 * (the reason the probe cannot judge the delegation there).
 */
static void test_btf_id_takes_token(void **state)
{
	bool takes = kernel_btf_id_takes_token();

	(void)state;
	bpfd_require_root_tokens();
	assert_int_equal(bpfd_btf_get_fd_by_id_takes_token(), takes ? 1 : 0);
	if (!takes) {
		/* any fd in the token field: rejected before it is read */
		assert_int_equal(bpfd_btf_get_fd_by_id(1, 0), -EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wrapper_args),
	    cmocka_unit_test(test_btf_id_takes_token),
	    cmocka_unit_test(test_token_create_errors),
	    cmocka_unit_test(test_token_readback),
	    cmocka_unit_test(test_token_readback_any),
	    cmocka_unit_test(test_token_readback_known_bits),
	    cmocka_unit_test(test_probe_any),
	    cmocka_unit_test(test_probe_array_only),
	    cmocka_unit_test(test_probe_needs_btf),
	    cmocka_unit_test(test_probe_attach_gates_progs),
	    cmocka_unit_test(test_probe_wrong_want),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
