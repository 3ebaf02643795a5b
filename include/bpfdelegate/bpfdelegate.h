/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libbpfdelegate: mount a delegated bpffs for a user namespace, prove that a
 * BPF token made from it carries the delegation, and read a token's masks.
 *
 * This header includes the whole public interface (api.h, error.h,
 * delegation.h).  docs/library.md describes it and its ABI rules.
 *
 * Conventions: every function returns 0 (or an fd >= 0) on success and a
 * negative errno on failure, with the optional last `struct bpfd_error *`
 * (may be NULL) saying which step failed and why.  An fd argument or result
 * of -1 means "none".  Every fd the library returns is close-on-exec.
 */
#ifndef BPFDELEGATE_BPFDELEGATE_H
#define BPFDELEGATE_BPFDELEGATE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <bpfdelegate/api.h>
#include <bpfdelegate/delegation.h>
#include <bpfdelegate/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the engine: check, run, attach ---- */

/* bpfd_opts.flags */
#define BPFD_F_PROBE 0x1u     /* check, attach: exercise the token (probes) */
#define BPFD_F_NO_VERIFY 0x2u /* run: do not create a token first */
#define BPFD_F_NEW_NETNS 0x4u /* run: also a new network ns with lo up */
#define BPFD_F_REPLACE                                                         \
	0x8u		  /* attach: detach an earlier delegated bpffs         \
			     found at the target instead of failing */
#define BPFD_F_USER 0x10u /* run: COMMAND runs as user_uid/user_gid */

/*
 * Options of bpfd_check(), bpfd_run() and bpfd_attach(); NULL means all
 * defaults.  Versioned by size: set sz to sizeof(struct bpfd_opts), e.g.
 *	struct bpfd_opts o = {.sz = sizeof(o), .deleg = d};
 * or with BPFD_OPTS(o, .deleg = d).  A library newer than the program
 * takes the smaller struct the program knew (the fields it lacks are at
 * their defaults); a library older than the program fails with -EINVAL
 * (step BPFD_STEP_ARGS) when a field it does not know is non-zero.  New
 * fields are only ever appended, and their zero value is the old behaviour.
 */
struct bpfd_opts {
	size_t sz; /* sizeof(struct bpfd_opts) as the program knew it */
	/* Names for the masks in reports and errors; NULL: loaded from the
	 * running kernel's BTF for the call (the built-in table without). */
	const struct bpfd_names *names;
	struct bpfd_delegation deleg; /* what to delegate */
	/* Mount point inside the new (run, check) or the process's (attach)
	 * mount namespace; NULL: "/sys/fs/bpf". */
	const char *target;
	int timeout_ms; /* bound on the whole handshake; <= 0: 10 s */
	uint32_t flags; /* BPFD_F_*; an unknown bit is -EINVAL */
	/* Outside ids the root of the new user namespace maps to (check,
	 * run); 0: the caller's real id, or 65534 when that is 0: the
	 * namespace root is never host root. */
	uid_t uid;
	gid_t gid;
	/* BPFD_F_USER (run): also map these outside ids to themselves, and
	 * run COMMAND as them, keeping the capabilities of keep_caps (bit
	 * 1 << CAP_x, <linux/capability.h> numbers) ambient. */
	uid_t user_uid;
	gid_t user_gid;
	uint64_t keep_caps;
};

/* Declare struct bpfd_opts NAME with sz set and the given fields. */
#define BPFD_OPTS(NAME, ...)                                                   \
	struct bpfd_opts NAME = {.sz = sizeof(struct bpfd_opts), __VA_ARGS__}

/*
 * What a check, run or attach found, whether it succeeded or not.  Opaque:
 * read it with the bpfd_result_*() functions, free it with
 * bpfd_result_free().
 */
struct bpfd_result;

/*
 * Delegate opts->deleg to a new user namespace (its root: opts->uid /
 * opts->gid) in a new, private mount namespace, mount the bpffs at
 * opts->target there, create a token from it, read the token's masks back
 * and, with BPFD_F_PROBE, prove with probes that it grants what was
 * delegated and refuses the rest.  Nothing outlives the call: no mount, no
 * process.  The caller must be single-threaded and hold CAP_SYS_ADMIN in
 * the initial user namespace (-EPERM, step BPFD_STEP_PRIVILEGE).
 * Returns 0 when the token was created, the kernel kept the delegation, the
 * token carries it and every probe agreed; else -errno with @err set.
 * *@res (@res may be NULL) receives the result, also on failure, once the
 * options were accepted; NULL otherwise.
 */
BPFD_API int bpfd_check(const struct bpfd_opts *opts, struct bpfd_result **res,
			struct bpfd_error *err);

/*
 * The setup of bpfd_check() (no probes; no token with BPFD_F_NO_VERIFY),
 * then COMMAND @argv (argv[0] searched in PATH) executed in the namespaces,
 * with LIBBPF_BPF_TOKEN_PATH set to the target, every fd but 0-2 closed and
 * the caller's signal mask.  On success *@pid is COMMAND, an unreaped child
 * of the caller, and *@pidfd a pidfd of it or -1 (pidfd_open() failed):
 * the caller waits for it and closes the pidfd.  On failure no process is
 * left (step BPFD_STEP_EXEC with ENOENT/EACCES: COMMAND could not run).
 */
BPFD_API int bpfd_run(const struct bpfd_opts *opts, char *const argv[],
		      pid_t *pid, int *pidfd, struct bpfd_result **res,
		      struct bpfd_error *err);

/*
 * Delegate to the user namespace of process @pid (a container) and mount
 * the bpffs at opts->target inside its mount namespace, resolved inside
 * @root_fd (an O_PATH or directory fd of the container's root filesystem;
 * -1: the process's own root): symlinks cannot lead outside it.  The
 * process is pinned with a pidfd first.  The token is made and checked on
 * the still detached mount, which is attached last.  On success the mount
 * stays (it belongs to the process's mount namespace); on any failure it
 * is detached again.  A delegated bpffs already at the target fails with
 * -EBUSY (step BPFD_STEP_TARGET) unless BPFD_F_REPLACE.  opts->uid/gid are
 * not used (nothing is unshared).
 */
BPFD_API int bpfd_attach(pid_t pid, int root_fd, const struct bpfd_opts *opts,
			 struct bpfd_result **res, struct bpfd_error *err);

/* The delegation sets a result knows. */
enum bpfd_result_set {
	BPFD_RESULT_REQUESTED, /* what was asked */
	BPFD_RESULT_KEPT,      /* what the mount's options say (mountinfo) */
	BPFD_RESULT_TOKEN,     /* the token's own masks */
};

/* Copy set @which into *@out: 0, or -ENODATA when the run did not get as
 * far as reading it, -EINVAL for a bad argument. */
BPFD_API int bpfd_result_delegation(const struct bpfd_result *res,
				    enum bpfd_result_set which,
				    struct bpfd_delegation *out);

/* The mount point, and the bpffs's options as mountinfo shows them ("" when
 * not read).  Valid until bpfd_result_free(). */
BPFD_API const char *bpfd_result_target(const struct bpfd_result *res);
BPFD_API const char *bpfd_result_mount_options(const struct bpfd_result *res);

/* BPFD_F_PROBE: how many probes ran and how many disagreed with the
 * delegation.  0, or -ENODATA when no probe ran. */
BPFD_API int bpfd_result_probes(const struct bpfd_result *res,
				unsigned int *count,
				unsigned int *disagreements);

/* The failure recorded in @res (err->err 0: none). */
BPFD_API void bpfd_result_error(const struct bpfd_result *res,
				struct bpfd_error *err);

BPFD_API void bpfd_result_free(struct bpfd_result *res);

/* ---- tokens ---- */

/*
 * The four masks of BPF token @token_fd: from BPF_OBJ_GET_INFO_BY_FD
 * (Linux 6.17+), else from /proc/self/fdinfo.  0, -EBADF, -ENOENT (not a
 * token), or another -errno.
 */
BPFD_API int bpfd_token_masks(int token_fd, struct bpfd_delegation *out);

#ifdef __cplusplus
}
#endif
#endif
