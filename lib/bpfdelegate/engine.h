/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: the CLI's and the public API's (lib/api.c) delegation engine;
 * the public interface is include/bpfdelegate/bpfdelegate.h.
 * The delegation engine: a child in a new user + mount namespace opens a
 * bpffs context, the privileged parent delegates and creates it, the child
 * mounts it, creates a token and proves it works.
 */
#ifndef BPFDELEGATE_ENGINE_H
#define BPFDELEGATE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>

#include <bpfdelegate/delegation.h>
#include <bpfdelegate/error.h>
#include <bpfdelegate/probe.h>
#include <bpfdelegate/procns.h>
#include <bpfdelegate/userns.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What `run` executes in the namespace once the setup is verified. */
struct bpfd_exec {
	char *const *argv;  /* COMMAND [ARG...]; argv[0] is searched in PATH */
	bool set_user;	    /* become idmap.user_uid / user_gid first */
	uint64_t keep_caps; /* with set_user: bit (1 << CAP_x) kept ambient */
	sigset_t sigmask;   /* the signal mask COMMAND starts with */
	/* suggest --learn: COMMAND starts under a seccomp filter that turns
	 * its bpf() calls into user notifications (lib/learn.h); the
	 * listener comes back in bpfd_child.notify_fd. */
	bool notify_bpf;
};

/*
 * A running COMMAND: the caller waits for it (waitpid on pid) and closes
 * pidfd.  pidfd is -1 when pidfd_open() failed (seccomp, EMFILE): pid, an
 * unreaped child of the caller, then stands for it until it is reaped.
 */
struct bpfd_child {
	pid_t pid;
	int pidfd;
	int notify_fd; /* exec->notify_bpf: the seccomp listener, else -1 */
};

/* The privileged step for a caller that is not root (lib/privop.h). */
struct bpfd_privop;

#define BPFD_DEFAULT_TIMEOUT_MS 10000
#define BPFD_DEFAULT_TARGET "/sys/fs/bpf"

struct bpfd_engine_opts {
	struct bpfd_delegation deleg; /* what to delegate */
	struct bpfd_idmap idmap;      /* outside ids of the namespace root */
	const char *target;	      /* mount point in the new mount ns */
	int timeout_ms;		      /* whole handshake; <= 0: default */
	bool probe;		      /* run bpfd_probe_all() with the token */
	bool no_verify;		      /* skip creating a token (run) */
	/* Also a new network namespace, owned by the new user namespace,
	 * with lo up (run --netns new); ignored with join. */
	bool new_netns;
	const struct bpfd_exec *exec; /* bpfd_engine_run(): what to execute */
	/* attach / oci-hook: join this process's user and mount namespaces
	 * instead of creating new ones, and mount at target resolved inside
	 * root_fd (which may differ from the process's root: a rootfs). */
	const struct bpfd_proc *join;
	int join_root_fd;
	/* join: a bpffs with delegate_* options already mounted at the
	 * target (an earlier attach's, or one orphaned by a SIGKILL) is
	 * refused with -EBUSY, step BPFD_STEP_TARGET; with replace it is
	 * detached instead (only a bpffs, once the new one has its token),
	 * counted in rep->replaced.  One without delegate_* options (the
	 * host's /sys/fs/bpf) is mounted over: rep->covered. */
	bool replace;
	/* Signals the caller has blocked (sigprocmask) and wants to end the
	 * handshake: when one is pending the engine gives up as on a
	 * timeout, undoes the mount, and fails with -EINTR, step
	 * BPFD_STEP_WAIT; the signal stays pending for the caller.  NULL:
	 * none. */
	const sigset_t *stop_signals;
	/* Rootless (the file-capability helper, a client of `bpfdelegate
	 * serve`): NULL for root.  When set, the engine runs as the
	 * unprivileged caller: no privilege check; the child drops every
	 * capability right after fork, writes its own id maps (the caller's
	 * own euid/egid for the namespace root; idmap is ignored), and the
	 * parent asks privop->delegate() for the mount instead of
	 * delegating itself.  join: the child joins user namespaces the
	 * caller owns (the kernel's check), the clean-up child joins the
	 * user namespace before the mount namespace. */
	const struct bpfd_privop *privop;
};

/* Plain data, so the child can send it to the parent as bytes. */
struct bpfd_report {
	int32_t err;   /* positive errno of the failed step, 0 = success */
	uint32_t step; /* enum bpfd_step that failed */
	char detail[256];
	uint64_t done; /* bit (1ull << step) for each step completed */
	struct bpfd_delegation requested;
	struct bpfd_delegation kept; /* read back from mountinfo */
	bool kept_valid;
	char mount_opts[4096];	      /* the mount's fs options, raw */
	struct bpfd_delegation token; /* the token's masks */
	uint32_t token_source; /* 0 none, 1 BPF_OBJ_GET_INFO_BY_FD, 2 fdinfo */
	char target[256];
	bool probed;
	uint32_t replaced; /* bpffs mounts detached at the target (replace) */
	/* join: mount id of a bpffs without delegate_* options (the host's
	 * /sys/fs/bpf in a copied mount namespace) the new bpffs was mounted
	 * over, in the process's mount namespace; 0 if none. */
	uint32_t covered;
	/* Last: the child sends only the probe results it has (r[0..count)),
	 * and only those are defined (engine_proto.h child_msg_len). */
	struct bpfd_probe_report probes;
};

#define BPFD_TOKEN_SRC_NONE 0
#define BPFD_TOKEN_SRC_INFO 1
#define BPFD_TOKEN_SRC_FDINFO 2

/*
 * A report for the engine to fill, zeroed up to its probe results (defined
 * up to probes.count only, filled by the engine).  free() it.  NULL when
 * out of memory.
 */
struct bpfd_report *bpfd_report_new(void);

/*
 * Run the whole check.  The caller must be single-threaded and hold
 * CAP_SYS_ADMIN in the initial user namespace (checked: -EPERM), unless
 * opts->privop is set.
 * Always fills @rep (err/step/detail describe the first failure).
 * Returns 0 when the token was created, the kernel kept the delegation, the
 * token carries it, and every probe agreed; otherwise -errno, with @err set
 * from the report.  No mount outlives the call, no child is left behind.
 */
int bpfd_engine_check(const struct bpfd_engine_opts *opts,
		      const struct bpfd_names *names, struct bpfd_report *rep,
		      struct bpfd_error *err);

/*
 * `run`: the same setup as bpfd_engine_check() (without probes; the token check
 * is skipped with opts->no_verify), with the bpffs mounted at opts->target in
 * the new, private mount namespace; then the child becomes opts->exec:
 * --user and ambient capabilities when asked, LIBBPF_BPF_TOKEN_PATH set to
 * the target, every fd but 0-2 closed, execvp.
 * Returns 0 once COMMAND has been executed, with @child filled (the caller
 * waits for it and closes child->pidfd); else -errno with @rep and @err
 * describing the failure (step BPFD_STEP_EXEC with ENOENT/EACCES/... when
 * the execution failed) and no process left behind.
 */
int bpfd_engine_run(const struct bpfd_engine_opts *opts,
		    const struct bpfd_names *names, struct bpfd_report *rep,
		    struct bpfd_child *child, struct bpfd_error *err);

/*
 * bpfd_engine_check() with opts->join set: nothing is unshared and no id map is
 * written; the child joins the process's user and mount namespaces
 * (non-dumpable, so that processes there cannot ptrace it), becomes root
 * there when root is mapped, and mounts at opts->target resolved inside
 * opts->join_root_fd (created when missing).  The token (and the probes)
 * are made on the still detached mount; it is attached last, then read
 * back.  On success the mount stays: it belongs to the process's mount
 * namespace.  On any failure (a step, the timeout, a stop signal, the
 * child dying) the mount is detached again before returning: if that
 * fails, the error says so (step BPFD_STEP_UNDO).  Only a SIGKILL of the
 * caller can leave it behind; the next call then finds it (-EBUSY, see
 * opts->replace).  Mount propagation is left alone.
 */
static inline int bpfd_engine_attach(const struct bpfd_engine_opts *opts,
				     const struct bpfd_names *names,
				     struct bpfd_report *rep,
				     struct bpfd_error *err)
{
	return bpfd_engine_check(opts, names, rep, err);
}

/* Copy the failure recorded in @rep into @err (hint recomputed). */
void bpfd_report_error(const struct bpfd_report *rep, struct bpfd_error *err);

#ifdef __cplusplus
}
#endif
#endif
