// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The decision logic of doctor and explain with injected probe results:
 * pure functions, no kernel.  The pre-6.9 kernel lives here, as nothing
 * else can reproduce it on a 6.9+ machine.
 */
#include <errno.h>
#include <linux/capability.h>

#include <bpfdelegate/diag.h>

#include "testutil.h"

#define ALL_CAPS                                                               \
	((1ULL << CAP_BPF) | (1ULL << CAP_PERFMON) | (1ULL << CAP_NET_ADMIN) | \
	 (1ULL << CAP_SYS_ADMIN))

/* A healthy 6.18 host looking at an ordinary /sys/fs/bpf. */
static struct bpfd_diag_facts host(void)
{
	struct bpfd_diag_facts f;

	memset(&f, 0, sizeof(f));
	snprintf(f.kernel, sizeof(f.kernel), "6.18.0");
	f.token_cmd = EBADF;
	f.btf = true;
	f.unpriv_bpf_disabled = 2;
	f.max_user_namespaces = 1000;
	f.unpriv_userns_clone = -1;
	f.apparmor_restrict_userns = -1;
	f.init_userns = true;
	f.userns_ino = BPFD_INIT_USERNS_INO;
	f.caps = ALL_CAPS;
	snprintf(f.path, sizeof(f.path), "/sys/fs/bpf");
	f.mount_root = f.is_bpffs = f.is_root = true;
	f.mnt_id = 30;
	snprintf(f.fstype, sizeof(f.fstype), "bpf");
	snprintf(f.mnt_target, sizeof(f.mnt_target), "/sys/fs/bpf");
	f.deleg_known = true;
	f.owner.owner = BPFD_OWNER_INITIAL;
	f.owner.err = EOPNOTSUPP;
	f.token_err = EOPNOTSUPP;
	return f;
}

/* A process in a user namespace with its own delegated bpffs. */
static struct bpfd_diag_facts container(void)
{
	struct bpfd_diag_facts f = host();

	f.init_userns = false;
	f.userns_ino = 4026532177ULL;
	f.deleg.mask[BPFD_CMDS] = BPFD_MASK_ANY;
	f.owner.owner = BPFD_OWNER_CALLER;
	f.owner.err = 0;
	f.token_err = 0;
	return f;
}

static enum bpfd_cause decide(int err, const struct bpfd_diag_facts *f,
			      char *why)
{
	return bpfd_diag_decide(err, f, why, 512);
}

/* Linux 6.1: BPF_TOKEN_CREATE is an unknown command, EINVAL everywhere. */
static void test_pre_69_kernel(void **state)
{
	struct bpfd_diag_facts f = host();
	struct bpfd_diag_report r;
	char why[512];

	(void)state;
	snprintf(f.kernel, sizeof(f.kernel), "6.1.0-18-amd64");
	f.token_cmd = EINVAL;
	f.owner.owner = BPFD_OWNER_UNKNOWN;
	f.owner.err = EINVAL;
	f.token_err = EINVAL;
	assert_int_equal(bpfd_diag_kernel_tokens(&f), 0);
	/* the path is a fine bpffs root: the kernel is the cause */
	assert_int_equal(decide(EINVAL, &f, why), BPFD_CAUSE_KERNEL_TOO_OLD);
	assert_non_null(strstr(why, "6.1.0-18-amd64"));
	bpfd_diag_evaluate(&f, NULL, &r);
	assert_int_equal(r.verdict, BPFD_VERDICT_NO_KERNEL);
	assert_int_equal(r.item[BPFD_CHECK_KERNEL].status, BPFD_DIAG_PROBLEM);
	assert_non_null(strstr(r.item[BPFD_CHECK_KERNEL].detail, "6.9"));
	assert_int_equal(r.cause, BPFD_CAUSE_KERNEL_TOO_OLD);
	assert_non_null(strstr(r.verdict_text, "6.9 or newer"));
	/* even a tmpfs at the path: the kernel comes first */
	f.is_bpffs = f.is_root = false;
	assert_int_equal(decide(-22, &f, why), BPFD_CAUSE_KERNEL_TOO_OLD);
}

/* The probe wins over the version: a distribution backport of tokens. */
static void test_backport_and_version_fallback(void **state)
{
	struct bpfd_diag_facts f = host();
	struct bpfd_diag_report r;

	(void)state;
	snprintf(f.kernel, sizeof(f.kernel), "6.8.0-rhel");
	assert_int_equal(bpfd_diag_kernel_tokens(&f), 1);
	/* bpf() refused before the command: only the version can tell */
	f.token_cmd = EPERM;
	assert_int_equal(bpfd_diag_kernel_tokens(&f), 0);
	snprintf(f.kernel, sizeof(f.kernel), "6.12.3");
	assert_int_equal(bpfd_diag_kernel_tokens(&f), 1);
	snprintf(f.kernel, sizeof(f.kernel), "weird");
	assert_int_equal(bpfd_diag_kernel_tokens(&f), -1);
	/* what bpffs does with delegate_cmds=MUSTFAIL beats the version */
	f.token_cmd = EPERM;
	f.deleg_opt = BPFD_DELEG_OPT_IGNORED;
	snprintf(f.kernel, sizeof(f.kernel), "6.12.3");
	assert_int_equal(bpfd_diag_kernel_tokens(&f), 0);
	bpfd_diag_evaluate(&f, NULL, &r);
	assert_int_equal(r.verdict, BPFD_VERDICT_NO_KERNEL);
	assert_non_null(
	    strstr(r.item[BPFD_CHECK_KERNEL].detail, "accepted delegate_cmds"));
	f.deleg_opt = BPFD_DELEG_OPT_KNOWN;
	snprintf(f.kernel, sizeof(f.kernel), "5.10.0");
	assert_int_equal(bpfd_diag_kernel_tokens(&f), 1);
	f.deleg_opt = BPFD_DELEG_OPT_NOT_TRIED;
	f.token_cmd = ENOSYS;
	assert_int_equal(bpfd_diag_kernel_tokens(&f), 0);
	bpfd_diag_evaluate(&f, NULL, &r);
	assert_int_equal(r.verdict, BPFD_VERDICT_NO_KERNEL);
}

static void test_bpf_blocked_by_seccomp(void **state)
{
	struct bpfd_diag_facts f = container();
	struct bpfd_diag_report r;
	char why[512];

	(void)state;
	f.token_cmd = EPERM;
	f.token_err = EPERM;
	f.owner.owner = BPFD_OWNER_NOT_CALLER;
	assert_int_equal(decide(EPERM, &f, why), BPFD_CAUSE_BPF_BLOCKED);
	bpfd_diag_evaluate(&f, NULL, &r);
	assert_int_equal(r.verdict, BPFD_VERDICT_PROBLEM);
	assert_int_equal(r.item[BPFD_CHECK_BPF_SYSCALL].status,
			 BPFD_DIAG_PROBLEM);
	assert_int_equal(r.item[BPFD_CHECK_KERNEL].status, BPFD_DIAG_WARN);
}

/*
 * Debian's 6.1 as root, /sys/fs/bpf an ordinary host bpffs (seen under
 * qemu): no fix may ask for what the kernel cannot do (mount options,
 * paths), only the upgrade.
 */
static void test_pre_69_fixes(void **state)
{
	struct bpfd_diag_facts f = host();
	struct bpfd_diag_report r;

	(void)state;
	snprintf(f.kernel, sizeof(f.kernel), "6.1.0-57-amd64");
	f.token_cmd = EINVAL;
	f.owner.owner = BPFD_OWNER_UNKNOWN;
	f.owner.err = EINVAL;
	f.token_err = EINVAL;
	bpfd_diag_evaluate(&f, NULL, &r);
	assert_int_equal(r.verdict, BPFD_VERDICT_NO_KERNEL);
	assert_int_not_equal(r.item[BPFD_CHECK_PATH_DELEGATION].status,
			     BPFD_DIAG_PROBLEM);
	for (int c = 0; c < BPFD_CHECK__MAX; c++) {
		assert_null(strstr(r.item[c].fix, "delegate_"));
		if (c != BPFD_CHECK_KERNEL)
			assert_string_equal(r.item[c].fix, "");
	}
	assert_non_null(strstr(r.item[BPFD_CHECK_KERNEL].fix, "6.9"));
	assert_null(strstr(r.item[BPFD_CHECK_BTF].detail, "takes names"));
	/* version-judged (bpf() refused): the upgrade is still named */
	f.token_cmd = EPERM;
	f.caps = 0;
	f.euid = 1000;
	bpfd_diag_evaluate(&f, NULL, &r);
	assert_int_equal(r.verdict, BPFD_VERDICT_NO_KERNEL);
	assert_non_null(strstr(r.item[BPFD_CHECK_KERNEL].fix, "6.9"));
}

/*
 * Debian's 5.10 as uid 1000 with kernel.unprivileged_bpf_disabled=2 (seen
 * under qemu): every bpf() command is EPERM, the sysctl is the cause, not
 * seccomp; 6.1 and later refuse only map and program creation.
 */
static void test_unprivileged_bpf_disabled(void **state)
{
	struct bpfd_diag_facts f = host();
	struct bpfd_diag_report r;
	char why[512];

	(void)state;
	snprintf(f.kernel, sizeof(f.kernel), "5.10.0-46-amd64");
	f.token_cmd = EPERM;
	f.token_err = EPERM;
	f.caps = 0;
	f.euid = 1000;
	assert_true(bpfd_diag_unpriv_bpf_blocks(&f));
	assert_int_equal(decide(EPERM, &f, why), BPFD_CAUSE_UNPRIV_BPF);
	assert_non_null(strstr(why, "unprivileged_bpf_disabled=2"));
	bpfd_diag_evaluate(&f, NULL, &r);
	assert_null(strstr(r.item[BPFD_CHECK_BPF_SYSCALL].detail, "seccomp"));
	assert_non_null(strstr(r.item[BPFD_CHECK_BPF_SYSCALL].detail,
			       "unprivileged_bpf_disabled=2"));
	assert_int_not_equal(r.item[BPFD_CHECK_BPF_SYSCALL].status,
			     BPFD_DIAG_PROBLEM);
	assert_int_equal(r.verdict, BPFD_VERDICT_NO_KERNEL);
	/* the sysctl off, a capable caller, or a newer kernel: not it */
	f.unpriv_bpf_disabled = 0;
	assert_false(bpfd_diag_unpriv_bpf_blocks(&f));
	assert_int_equal(decide(EPERM, &f, why), BPFD_CAUSE_BPF_BLOCKED);
	f.unpriv_bpf_disabled = 1;
	f.caps = 1ULL << CAP_BPF;
	assert_false(bpfd_diag_unpriv_bpf_blocks(&f));
	f.init_userns = false; /* CAP_BPF of a user namespace counts not */
	assert_true(bpfd_diag_unpriv_bpf_blocks(&f));
	snprintf(f.kernel, sizeof(f.kernel), "6.1.0-57-amd64");
	assert_false(bpfd_diag_unpriv_bpf_blocks(&f));
	bpfd_diag_evaluate(&f, NULL, &r);
	assert_non_null(
	    strstr(r.item[BPFD_CHECK_BPF_SYSCALL].detail, "seccomp"));
}

static void test_host_bpffs(void **state)
{
	struct bpfd_diag_facts f = host();
	struct bpfd_diag_report r;

	(void)state;
	bpfd_diag_evaluate(&f, NULL, &r);
	assert_int_equal(r.verdict, BPFD_VERDICT_HOST_READY);
	assert_int_equal(r.cause, BPFD_CAUSE_INIT_USERNS);
	assert_int_equal(r.item[BPFD_CHECK_TOKEN].status, BPFD_DIAG_INFO);
	assert_int_equal(r.item[BPFD_CHECK_PATH_DELEGATION].status,
			 BPFD_DIAG_INFO);
	/* delegation on a host bpffs is a mistake: it can never work */
	f.deleg.mask[BPFD_MAPS] = 0x6;
	bpfd_diag_evaluate(&f, NULL, &r);
	assert_int_equal(r.verdict, BPFD_VERDICT_PROBLEM);
	assert_int_equal(r.item[BPFD_CHECK_PATH_DELEGATION].status,
			 BPFD_DIAG_PROBLEM);
	assert_non_null(
	    strstr(r.item[BPFD_CHECK_PATH_DELEGATION].detail, "maps=0x6"));
}

static void test_userns_unavailable(void **state)
{
	struct bpfd_diag_facts f = host();
	struct bpfd_diag_report r;

	(void)state;
	f.userns_err = ENOSPC;
	f.max_user_namespaces = 0;
	bpfd_diag_evaluate(&f, NULL, &r);
	assert_int_equal(r.verdict, BPFD_VERDICT_NO_USERNS);
	assert_int_equal(r.item[BPFD_CHECK_USERNS].status, BPFD_DIAG_PROBLEM);
	assert_non_null(strstr(r.verdict_text, "max_user_namespaces is 0"));
	/* inside a user namespace it does not matter */
	f.init_userns = false;
	f.token_err = 0;
	bpfd_diag_evaluate(&f, NULL, &r);
	assert_int_equal(r.verdict, BPFD_VERDICT_TOKEN_OK);
	/* root is fine, unprivileged users are not: a warning */
	f = host();
	f.unpriv_userns_clone = 0;
	bpfd_diag_evaluate(&f, NULL, &r);
	assert_int_equal(r.item[BPFD_CHECK_USERNS].status, BPFD_DIAG_WARN);
}

static void test_token_ok(void **state)
{
	struct bpfd_diag_facts f = container();
	struct bpfd_diag_report r;

	(void)state;
	bpfd_diag_evaluate(&f, NULL, &r);
	assert_int_equal(r.verdict, BPFD_VERDICT_TOKEN_OK);
	assert_int_equal(r.cause, BPFD_CAUSE_NONE);
	for (int c = 0; c < BPFD_CHECK__MAX; c++) {
		assert_int_equal(r.item[c].check, c);
		assert_int_not_equal(r.item[c].status, BPFD_DIAG_PROBLEM);
	}
	assert_non_null(
	    strstr(r.item[BPFD_CHECK_PATH_DELEGATION].detail, "cmds=any"));
}

static void test_einval_paths(void **state)
{
	struct bpfd_diag_facts f = container();
	struct bpfd_diag_report r;
	char why[512];

	(void)state;
	f.token_err = EINVAL;
	/* nothing mounted */
	f.mount_root = f.is_bpffs = f.is_root = false;
	snprintf(f.fstype, sizeof(f.fstype), "sysfs");
	assert_int_equal(decide(EINVAL, &f, why), BPFD_CAUSE_NOT_BPFFS);
	assert_non_null(strstr(why, "nothing is mounted"));
	assert_non_null(strstr(why, "sysfs"));
	bpfd_diag_evaluate(&f, NULL, &r);
	assert_int_equal(r.item[BPFD_CHECK_PATH_MOUNTED].status,
			 BPFD_DIAG_PROBLEM);
	assert_int_equal(r.item[BPFD_CHECK_PATH_OWNER].status, BPFD_DIAG_SKIP);
	/* a tmpfs */
	f.mount_root = true;
	snprintf(f.fstype, sizeof(f.fstype), "tmpfs");
	assert_int_equal(decide(EINVAL, &f, why), BPFD_CAUSE_NOT_BPFFS);
	assert_non_null(strstr(why, "tmpfs mount"));
	bpfd_diag_evaluate(&f, NULL, &r);
	assert_int_equal(r.item[BPFD_CHECK_PATH_BPFFS].status,
			 BPFD_DIAG_PROBLEM);
	/* a directory inside a bpffs */
	f.mount_root = false;
	f.is_bpffs = true;
	snprintf(f.path, sizeof(f.path), "/sys/fs/bpf/sub");
	assert_int_equal(decide(EINVAL, &f, why), BPFD_CAUSE_NOT_ROOT);
	assert_non_null(strstr(why, "/sys/fs/bpf/sub"));
	bpfd_diag_evaluate(&f, NULL, &r);
	assert_int_equal(r.item[BPFD_CHECK_PATH_ROOT].status,
			 BPFD_DIAG_PROBLEM);
	assert_int_equal(r.verdict, BPFD_VERDICT_PROBLEM);
	/* a fine root here: no cause, the program saw something else */
	f = container();
	assert_int_equal(decide(EINVAL, &f, why), BPFD_CAUSE_NONE);
	assert_non_null(strstr(why, "another mount"));
}

static void test_eperm(void **state)
{
	struct bpfd_diag_facts f = container();
	char why[512];

	(void)state;
	/* reproduced here: another user namespace owns it */
	f.token_err = EPERM;
	f.owner.owner = BPFD_OWNER_NOT_CALLER;
	assert_int_equal(decide(EPERM, &f, why), BPFD_CAUSE_WRONG_USERNS);
	/* reproduced here without CAP_BPF: the owner cannot be told */
	f.owner.owner = BPFD_OWNER_UNKNOWN;
	f.caps = 1ULL << CAP_SYS_ADMIN;
	assert_int_equal(decide(EPERM, &f, why), BPFD_CAUSE_NO_CAP_BPF);
	assert_non_null(strstr(why, "CAP_BPF"));
	/* seen elsewhere, the path belongs to the initial namespace */
	f = host();
	assert_int_equal(decide(EPERM, &f, why), BPFD_CAUSE_WRONG_USERNS);
	assert_non_null(strstr(why, "initial user namespace"));
	/* seen elsewhere, it works here */
	f = container();
	assert_int_equal(decide(EPERM, &f, why), BPFD_CAUSE_NONE);
}

static void test_other_errnos(void **state)
{
	struct bpfd_diag_facts f = container();
	char why[512];

	(void)state;
	f.fd_opath = true;
	f.token_err = EBADF;
	assert_int_equal(decide(EBADF, &f, why), BPFD_CAUSE_OPATH);
	f.fd_opath = false;
	assert_int_equal(decide(EBADF, &f, why), BPFD_CAUSE_NONE);
	assert_non_null(strstr(why, "O_PATH"));
	f.deleg.mask[BPFD_CMDS] = 0;
	assert_int_equal(decide(ENOENT, &f, why), BPFD_CAUSE_NO_DELEGATION);
	assert_non_null(strstr(why, "no delegate_"));
	assert_int_equal(decide(-95, &f, why), BPFD_CAUSE_INIT_USERNS);
	assert_int_equal(decide(ENOSYS, &f, why), BPFD_CAUSE_NO_BPF_SYSCALL);
	assert_int_equal(decide(EMFILE, &f, why), BPFD_CAUSE_RESOURCES);
	assert_int_equal(decide(EXDEV, &f, why), BPFD_CAUSE_LSM);
	f.open_err = ENOENT;
	assert_int_equal(bpfd_diag_decide_open(ENOENT, &f, why, sizeof(why)),
			 BPFD_CAUSE_OPEN);
	assert_non_null(strstr(why, "fails here too"));
	/* NULL why is allowed */
	assert_int_equal(bpfd_diag_decide(EINVAL, &f, NULL, 0),
			 BPFD_CAUSE_NONE);
}

static void test_cause_table(void **state)
{
	enum bpfd_cause c[8];

	(void)state;
	assert_int_equal(bpfd_token_causes(EINVAL, c, 8), 4);
	assert_int_equal(c[0], BPFD_CAUSE_KERNEL_TOO_OLD);
	assert_int_equal(c[1], BPFD_CAUSE_FLAGS);
	assert_int_equal(c[2], BPFD_CAUSE_NOT_ROOT);
	assert_int_equal(c[3], BPFD_CAUSE_NOT_BPFFS);
	assert_int_equal(bpfd_token_causes(-EPERM, c, 8), 5);
	assert_int_equal(c[0], BPFD_CAUSE_BPF_BLOCKED);
	assert_int_equal(c[1], BPFD_CAUSE_UNPRIV_BPF);
	assert_int_equal(c[2], BPFD_CAUSE_WRONG_USERNS);
	assert_int_equal(c[3], BPFD_CAUSE_NO_CAP_BPF);
	assert_int_equal(c[4], BPFD_CAUSE_LSM);
	assert_int_equal(bpfd_token_causes(EOPNOTSUPP, c, 8), 1);
	assert_int_equal(c[0], BPFD_CAUSE_INIT_USERNS);
	assert_int_equal(bpfd_token_causes(ENOENT, c, 8), 1);
	assert_int_equal(c[0], BPFD_CAUSE_NO_DELEGATION);
	assert_int_equal(bpfd_token_causes(EBADF, c, 8), 2);
	assert_int_equal(bpfd_token_causes(EEXIST, c, 8), 1);
	assert_int_equal(c[0], BPFD_CAUSE_LSM);
	assert_int_equal(bpfd_token_causes(EINVAL, c, 2), 2);
	for (int i = 1; i < BPFD_CAUSE__MAX; i++) {
		const struct bpfd_cause_info *ci = bpfd_cause_info(i);

		assert_int_equal(ci->cause, i);
		assert_true(ci->text[0] && ci->fix[0] && ci->id[0]);
		for (int j = 1; j < i; j++)
			assert_string_not_equal(ci->id, bpfd_cause_info(j)->id);
	}
	assert_int_equal(bpfd_cause_info(BPFD_CAUSE__MAX)->cause,
			 BPFD_CAUSE_NONE);
}

static void test_errno_parse(void **state)
{
	static const struct {
		const char *in;
		int want;
	} ok[] = {{"-22", EINVAL},	   {"22", EINVAL},
		  {"EINVAL", EINVAL},	   {"einval", EINVAL},
		  {"-EINVAL", EINVAL},	   {" 95 ", EOPNOTSUPP},
		  {"ENOTSUP", EOPNOTSUPP}, {"EOPNOTSUPP", EOPNOTSUPP},
		  {"-1", EPERM},	   {"Operation not supported", 95},
		  {"ENOENT", ENOENT},	   {"-2", ENOENT}};
	static const char *const bad[] = {"EFOO", "",	  "garbage", "0",
					  "-0",	  "9999", "22x",     "--22",
					  "E",	  "- 22", NULL};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_int_equal(bpfd_errno_parse(ok[i].in), ok[i].want);
	for (size_t i = 0; bad[i]; i++)
		assert_int_equal(bpfd_errno_parse(bad[i]), -EINVAL);
	assert_int_equal(bpfd_errno_parse(NULL), -EINVAL);
}

static void test_explain_parse_libbpf(void **state)
{
	struct bpfd_explain_query q;
	struct bpfd_error e = {0};

	(void)state;
	assert_int_equal(
	    bpfd_explain_parse("libbpf: object 'x': failed (-22) to create BPF "
			       "token from '/sys/fs/bpf', skipping optional "
			       "step...",
			       &q, &e),
	    0);
	assert_int_equal(q.err, EINVAL);
	assert_string_equal(q.path, "/sys/fs/bpf");
	assert_true(q.libbpf && q.optional && !q.open_step);
	assert_true(bpfd_explain_harmless(&q));
	/* errstr() spelling, a mandatory token: not harmless */
	assert_int_equal(bpfd_explain_parse("libbpf: object 'my obj (1)': "
					    "failed (-EPERM) to create BPF "
					    "token from '/run/tok'",
					    &q, &e),
			 0);
	assert_int_equal(q.err, EPERM);
	assert_string_equal(q.path, "/run/tok");
	assert_false(bpfd_explain_harmless(&q));
	assert_int_equal(bpfd_explain_parse("libbpf: object 'x': failed (-2) "
					    "to open BPF FS mount at "
					    "'/sys/fs/bpf', skipping optional "
					    "step...",
					    &q, &e),
			 0);
	assert_true(q.open_step && q.optional);
	assert_int_equal(q.err, ENOENT);
	assert_int_equal(
	    bpfd_explain_parse("libbpf: object 'x': BPF FS at '/sys/fs/bpf' "
			       "doesn't have BPF token delegation set up, "
			       "skipping...",
			       &q, &e),
	    0);
	assert_int_equal(q.err, ENOENT);
	assert_string_equal(q.path, "/sys/fs/bpf");
	assert_true(bpfd_explain_harmless(&q));
	/* bare errnos: not libbpf, harmlessness unknown */
	assert_int_equal(bpfd_explain_parse("-95", &q, &e), 0);
	assert_int_equal(q.err, EOPNOTSUPP);
	assert_false(q.libbpf);
	assert_string_equal(q.path, "");
}

static void test_explain_parse_bad(void **state)
{
	struct bpfd_explain_query q;
	struct bpfd_error e = {0};

	(void)state;
	assert_int_equal(bpfd_explain_parse("EFOO", &q, &e), -EINVAL);
	assert_int_equal(e.step, BPFD_STEP_PARSE);
	assert_non_null(strstr(e.detail, "'EFOO'"));
	assert_int_equal(bpfd_explain_parse("failed (xyz) to create BPF token "
					    "from '/a'",
					    &q, &e),
			 -EINVAL);
	assert_non_null(strstr(e.detail, "xyz"));
	assert_int_equal(
	    bpfd_explain_parse("to create BPF token from '/a'", &q, &e),
	    -EINVAL);
	assert_int_equal(bpfd_explain_parse(NULL, &q, NULL), -EINVAL);
}

static void test_names(void **state)
{
	(void)state;
	for (int c = 0; c < BPFD_CHECK__MAX; c++)
		assert_string_not_equal(bpfd_diag_check_name(c), "?");
	assert_string_equal(bpfd_diag_check_name(BPFD_CHECK__MAX), "?");
	assert_string_equal(bpfd_verdict_name(BPFD_VERDICT_NO_KERNEL),
			    "no-kernel-support");
	assert_string_equal(bpfd_diag_status_name(BPFD_DIAG_PROBLEM),
			    "problem");
	assert_string_equal(bpfd_owner_name(BPFD_OWNER_INITIAL), "initial");
	assert_string_equal(bpfd_owner_name((enum bpfd_owner)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pre_69_kernel),
	    cmocka_unit_test(test_backport_and_version_fallback),
	    cmocka_unit_test(test_bpf_blocked_by_seccomp),
	    cmocka_unit_test(test_pre_69_fixes),
	    cmocka_unit_test(test_unprivileged_bpf_disabled),
	    cmocka_unit_test(test_host_bpffs),
	    cmocka_unit_test(test_userns_unavailable),
	    cmocka_unit_test(test_token_ok),
	    cmocka_unit_test(test_einval_paths),
	    cmocka_unit_test(test_eperm),
	    cmocka_unit_test(test_other_errnos),
	    cmocka_unit_test(test_cause_table),
	    cmocka_unit_test(test_errno_parse),
	    cmocka_unit_test(test_explain_parse_libbpf),
	    cmocka_unit_test(test_explain_parse_bad),
	    cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
