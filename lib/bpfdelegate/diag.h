/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Diagnostics: why BPF token creation fails here, and what to do.
 *
 * Three parts, so that the decisions can be tested without the kernel:
 *  - bpfd_diag_collect() probes the machine and a path into plain data
 *    (struct bpfd_diag_facts);
 *  - bpfd_diag_evaluate(), bpfd_diag_decide() and the cause table are pure
 *    functions of those facts: a test can inject any probe result, such as
 *    a pre-6.9 kernel;
 *  - bpfd_explain_parse() reads an errno or a libbpf log line.
 * Nothing here prints or exits.
 */
#ifndef BPFDELEGATE_DIAG_H
#define BPFDELEGATE_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <bpfdelegate/delegation.h>
#include <bpfdelegate/error.h>
#include <bpfdelegate/mounts.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BPFD_DIAG_PATH_MAX 512

/*
 * LXD's probe, by an unprivileged child: a kernel that knows the delegate_*
 * options (6.9+) fails delegate_cmds=MUSTFAIL with EINVAL; before 6.9
 * bpffs ignores options it does not know (seen on 5.10 and 6.1).
 */
enum {
	BPFD_DELEG_OPT_NOT_TRIED = 0, /* or fsopen etc. failed */
	BPFD_DELEG_OPT_KNOWN,	      /* EINVAL: the kernel parses it */
	BPFD_DELEG_OPT_IGNORED,	      /* accepted: no delegation here */
};

/* Everything the decisions look at.  Plain data: tests build it by hand. */
struct bpfd_diag_facts {
	/* the kernel */
	char kernel[65]; /* uname release */
	int token_cmd;	 /* errno of BPF_TOKEN_CREATE on an O_PATH fd: EBADF
			    means the command exists (6.9+), EINVAL that it
			    does not, ENOSYS no bpf(), EPERM bpf() refused */
	int deleg_opt;	 /* BPFD_DELEG_OPT_*: delegate_cmds=MUSTFAIL in a bpf
			    fs context of a new user namespace (no privilege
			    needed) */
	bool btf;	 /* /sys/kernel/btf/vmlinux is readable */
	int unpriv_bpf_disabled; /* kernel.unprivileged_bpf_disabled, -1 n/a */

	/* user namespaces */
	long max_user_namespaces;     /* user.max_user_namespaces, -1 n/a */
	int unpriv_userns_clone;      /* kernel.unprivileged_userns_clone */
	int apparmor_restrict_userns; /* kernel.apparmor_restrict_..., -1 */
	int userns_err; /* errno of unshare(CLONE_NEWUSER) in a child, 0 ok,
			   -1 not tried */

	/* the caller */
	uid_t euid;
	bool init_userns;    /* in the initial user namespace */
	uint64_t userns_ino; /* nsfs inode of the caller's user namespace */
	uint64_t caps;	     /* effective capabilities, bit 1 << CAP_x */
	char lsms[160];	     /* active LSMs, comma-separated; "" unknown */

	/* the path */
	char path[BPFD_DIAG_PATH_MAX];
	int open_err;	 /* errno opening the path, 0 when it opened */
	bool fd_opath;	 /* the fd tried is an O_PATH fd */
	bool mount_root; /* the path is the root of a mount */
	bool is_bpffs;	 /* statfs magic BPF_FS_MAGIC */
	bool is_root;	 /* ... and its root directory (inode 1) */
	int mnt_id;
	char fstype[32];      /* of the mount the path is on (mountinfo) */
	char mnt_target[256]; /* that mount's mount point */
	bool deleg_known;
	char deleg_err[320];	      /* why not, when !deleg_known */
	struct bpfd_delegation deleg; /* delegate_* of that mount */
	struct bpfd_owner_info owner;

	/* the real attempt */
	int token_err; /* 0: a token was created (and closed); errno; -1 not
			  tried */
};

/*
 * Probe this machine, and @path (NULL: /sys/fs/bpf).  When @fd >= 0 it is
 * the fd to examine and to try (e.g. an O_PATH fd, to reproduce EBADF); it
 * stays the caller's.  @names decodes the mount's delegate_* options (NULL:
 * only "any" and numbers decode, which a kernel with BTF does not show).
 * Forks briefly to try unshare(CLONE_NEWUSER).  Never fails: whatever
 * could not be probed is recorded as such.
 */
void bpfd_diag_collect(const char *path, int fd, const struct bpfd_names *names,
		       struct bpfd_diag_facts *f);

/*
 * Only the user namespace facts (the sysctls, the caller's euid) into @f,
 * with @unshare_err the positive errno an unshare(CLONE_NEWUSER) got.
 */
void bpfd_diag_collect_userns(struct bpfd_diag_facts *f, int unshare_err);

/*
 * The sysctl that stops user namespaces here ("user.max_user_namespaces
 * is 0", ...), or NULL when none is to blame (seccomp, an LSM...).
 */
const char *bpfd_diag_userns_knob(const struct bpfd_diag_facts *f);

/*
 * True when kernel.unprivileged_bpf_disabled explains bpf() refusing every
 * command with EPERM (@f->token_cmd): set, a caller without CAP_BPF or
 * CAP_SYS_ADMIN in the initial user namespace, and a kernel before 5.19,
 * which checked it at the syscall's entry (seen on 5.10; 6.1 refuses
 * only map and program creation).
 */
bool bpfd_diag_unpriv_bpf_blocks(const struct bpfd_diag_facts *f);

/* 1 when the kernel has BPF_TOKEN_CREATE, 0 when not, -1 unknown. */
int bpfd_diag_kernel_tokens(const struct bpfd_diag_facts *f);

/*
 * The same for the running kernel: BPF_TOKEN_CREATE on an O_PATH fd (EBADF:
 * the command exists, EINVAL: it does not), by the version when bpf() is
 * refused before any command.  Creates nothing.
 */
int bpfd_kernel_tokens(void);

/* ---- causes of BPF_TOKEN_CREATE errors ---- */

enum bpfd_cause {
	BPFD_CAUSE_NONE = 0,
	BPFD_CAUSE_KERNEL_TOO_OLD, /* EINVAL */
	BPFD_CAUSE_FLAGS,	   /* EINVAL */
	BPFD_CAUSE_NOT_BPFFS,	   /* EINVAL */
	BPFD_CAUSE_NOT_ROOT,	   /* EINVAL */
	BPFD_CAUSE_BAD_FD,	   /* EBADF */
	BPFD_CAUSE_OPATH,	   /* EBADF */
	BPFD_CAUSE_PERMISSION,	   /* EACCES */
	BPFD_CAUSE_BPF_BLOCKED,	   /* EPERM: seccomp, before the command */
	BPFD_CAUSE_WRONG_USERNS,   /* EPERM */
	BPFD_CAUSE_NO_CAP_BPF,	   /* EPERM */
	BPFD_CAUSE_LSM,		   /* EPERM, EACCES, ...: bpf_token_create */
	BPFD_CAUSE_INIT_USERNS,	   /* EOPNOTSUPP */
	BPFD_CAUSE_NO_DELEGATION,  /* ENOENT */
	BPFD_CAUSE_NO_BPF_SYSCALL, /* ENOSYS */
	BPFD_CAUSE_RESOURCES,	   /* ENOMEM, EMFILE, ENFILE */
	BPFD_CAUSE_OPEN,	   /* libbpf could not open the path */
	BPFD_CAUSE_UNPRIV_BPF, /* EPERM: unprivileged_bpf_disabled, < 5.19 */
	BPFD_CAUSE__MAX
};

struct bpfd_cause_info {
	enum bpfd_cause cause;
	const char *id;	  /* stable, for JSON: "kernel-too-old", ... */
	const char *text; /* the cause, one line */
	const char *fix;  /* what to do, one line */
};

const struct bpfd_cause_info *bpfd_cause_info(enum bpfd_cause cause);

/*
 * The causes of errno @err (positive) from BPF_TOKEN_CREATE, in the order
 * the kernel checks them, into @out (up to @max).  An errno the command
 * does not return by itself gets the LSM cause.  Returns the count.
 */
size_t bpfd_token_causes(int err, enum bpfd_cause *out, size_t max);

/*
 * Which cause of errno @err applies, judged from @f (facts about this
 * machine and the path; the error may have been seen by another process).
 * @why (may be NULL) gets one line of evidence; BPFD_CAUSE_NONE when the
 * facts do not single one out (@why says what is known).
 */
enum bpfd_cause bpfd_diag_decide(int err, const struct bpfd_diag_facts *f,
				 char *why, size_t len);

/* The same for libbpf's failure to open the path (errno @err of open()). */
enum bpfd_cause bpfd_diag_decide_open(int err, const struct bpfd_diag_facts *f,
				      char *why, size_t len);

/* ---- doctor ---- */

enum bpfd_diag_status {
	BPFD_DIAG_OK,
	BPFD_DIAG_INFO,
	BPFD_DIAG_WARN,
	BPFD_DIAG_PROBLEM,
	BPFD_DIAG_SKIP,
};

/* The checks, in the order doctor reports them. */
enum bpfd_diag_check {
	BPFD_CHECK_KERNEL,
	BPFD_CHECK_BTF,
	BPFD_CHECK_BPF_SYSCALL,
	BPFD_CHECK_USERNS,
	BPFD_CHECK_PATH_MOUNTED,
	BPFD_CHECK_PATH_BPFFS,
	BPFD_CHECK_PATH_ROOT,
	BPFD_CHECK_PATH_OWNER,
	BPFD_CHECK_PATH_DELEGATION,
	BPFD_CHECK_CALLER,
	BPFD_CHECK_LSM,
	BPFD_CHECK_TOKEN,
	BPFD_CHECK__MAX
};

enum bpfd_verdict {
	BPFD_VERDICT_TOKEN_OK,	 /* a token was created from the path */
	BPFD_VERDICT_HOST_READY, /* initial namespace, kernel and user
				    namespaces ready, the path an ordinary
				    host bpffs: tokens can work here, for
				    user namespaces with their own bpffs */
	BPFD_VERDICT_PROBLEM,	 /* something stops tokens at the path */
	BPFD_VERDICT_NO_KERNEL,	 /* no BPF_TOKEN_CREATE (Linux < 6.9) */
	BPFD_VERDICT_NO_USERNS,	 /* user namespaces unavailable here */
};

struct bpfd_diag_item {
	enum bpfd_diag_check check;
	enum bpfd_diag_status status;
	char detail[768];
	char fix[256]; /* "" when nothing to do */
};

struct bpfd_diag_report {
	struct bpfd_diag_item item[BPFD_CHECK__MAX];
	enum bpfd_verdict verdict;
	enum bpfd_cause cause; /* of the token attempt's error, or NONE */
	char verdict_text[384];
};

/* Judge @f (pure).  @names (may be NULL) formats the delegation. */
void bpfd_diag_evaluate(const struct bpfd_diag_facts *f,
			const struct bpfd_names *names,
			struct bpfd_diag_report *r);

/* "kernel", "kernel BTF", ... */
const char *bpfd_diag_check_name(enum bpfd_diag_check check);
/* "ok", "info", "warn", "problem", "skipped" */
const char *bpfd_diag_status_name(enum bpfd_diag_status status);
/* "token-ok", "host-ready", "problem", "no-kernel-support", "no-userns" */
const char *bpfd_verdict_name(enum bpfd_verdict verdict);

/* ---- explain ---- */

struct bpfd_explain_query {
	int err;	/* positive errno */
	bool libbpf;	/* a libbpf message was recognised */
	bool open_step; /* libbpf failed to open the path, not the token */
	bool optional;	/* "skipping optional step": libbpf goes on */
	char path[BPFD_DIAG_PATH_MAX]; /* from the message, or "" */
	bool userns; /* set by the caller: the message came from a
			   process in a user namespace, where going on
			   without a token fails the load */
};

/*
 * Parse an errno name or number: "EINVAL", "einval", "-22", "22".
 * Returns the positive errno or -EINVAL.
 */
int bpfd_errno_parse(const char *word);

/*
 * Parse what a user pastes: an errno (as above), or a libbpf line such as
 *   libbpf: object 'x': failed (-22) to create BPF token from
 *   '/sys/fs/bpf', skipping optional step...
 * (also "(-EINVAL)", "failed (...) to open BPF FS mount at '...'", and
 * "BPF FS at '...' doesn't have BPF token delegation set up").
 * Returns 0, or -EINVAL with @err->detail saying what was not understood.
 */
int bpfd_explain_parse(const char *text, struct bpfd_explain_query *q,
		       struct bpfd_error *err);

/*
 * True when libbpf carries on without a token after the message and that
 * does not fail the load: not inside a user namespace (@q->userns).
 */
bool bpfd_explain_harmless(const struct bpfd_explain_query *q);

#ifdef __cplusplus
}
#endif
#endif
