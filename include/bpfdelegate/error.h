/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Errors and logging of libbpfdelegate.
 *
 * Every function returns 0 (or an fd >= 0) on success and a negative errno on
 * failure.  An optional last parameter `struct bpfd_error *` (caller-owned,
 * usually on the stack, may be NULL) receives the step that failed, the errno,
 * the value involved and a one-line hint about the likely cause.
 *
 * The library never prints: diagnostics go through the callback installed
 * with bpfd_set_print(), which is NULL (silent) by default.
 */
#ifndef BPFDELEGATE_ERROR_H
#define BPFDELEGATE_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <bpfdelegate/api.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The step that failed.  Keep bpfd_step_name() in lib/error.c in sync. */
enum bpfd_step {
	BPFD_STEP_NONE = 0,
	BPFD_STEP_ARGS,	     /* invalid argument given to the library */
	BPFD_STEP_PRIVILEGE, /* caller lacks CAP_SYS_ADMIN in the initial userns
			      */
	BPFD_STEP_SOCKETPAIR,
	BPFD_STEP_FORK,
	BPFD_STEP_UNSHARE,	 /* unshare(CLONE_NEWUSER | CLONE_NEWNS) */
	BPFD_STEP_UID_MAP,	 /* write /proc/PID/uid_map */
	BPFD_STEP_SETGROUPS,	 /* write /proc/PID/setgroups */
	BPFD_STEP_GID_MAP,	 /* write /proc/PID/gid_map */
	BPFD_STEP_SETID,	 /* setresuid/setresgid to the namespace root */
	BPFD_STEP_MOUNT_PRIVATE, /* make / private in the new mount namespace */
	BPFD_STEP_FSOPEN,	 /* fsopen("bpf") */
	BPFD_STEP_SEND,		 /* send a message or fd to the peer */
	BPFD_STEP_RECV,		 /* receive a message or fd from the peer */
	BPFD_STEP_PEER,		 /* the peer died, timed out or misbehaved */
	BPFD_STEP_FSTYPE,	 /* the fs context received is not a bpffs */
	BPFD_STEP_FSCONFIG,	 /* fsconfig(delegate_xxx=...) */
	BPFD_STEP_CREATE,	 /* fsconfig(FSCONFIG_CMD_CREATE) */
	BPFD_STEP_FSMOUNT,
	BPFD_STEP_MOVE_MOUNT,
	BPFD_STEP_OPEN_ROOT, /* re-open the mount root (fsmount gives O_PATH) */
	BPFD_STEP_MOUNTINFO, /* read back the options from mountinfo */
	BPFD_STEP_NOT_KEPT,  /* the kernel did not keep the delegate options */
	BPFD_STEP_TOKEN_CREATE, /* bpf(BPF_TOKEN_CREATE) */
	BPFD_STEP_TOKEN_INFO,	/* read the token's masks back */
	BPFD_STEP_PROBE,	/* a probe disagreed with the delegation */
	BPFD_STEP_BTF,		/* reading kernel BTF */
	BPFD_STEP_PARSE,	/* a delegation list item is invalid */
	BPFD_STEP_WAIT,		/* waiting for the child */
	BPFD_STEP_USER,		/* switch to --user and keep capabilities */
	BPFD_STEP_EXEC,		/* execute COMMAND */
	BPFD_STEP_JOIN,		/* pin a process, join its namespaces */
	BPFD_STEP_TARGET,	/* resolve the mount point inside a root */
	BPFD_STEP_UNDO,		/* detach a mount after a failure */
	BPFD_STEP_NETNS,   /* run --netns new: unshare(CLONE_NEWNET), lo up */
	BPFD_STEP_POLICY,  /* the administrator's policy refused the request */
	BPFD_STEP_SERVICE, /* talking to `bpfdelegate serve` */
	BPFD_STEP__MAX
};

struct bpfd_error {
	enum bpfd_step step;
	int err;	  /* positive errno, 0 if none */
	char detail[256]; /* value or path involved, e.g. "delegate_maps=0x8" */
	const char *hint; /* static one-line likely cause, or NULL */
	bool refused;	  /* bpfdelegate refused: detail is a sentence and
			     err only a code, not a syscall's failure */
};

/* Name of a step as shown to users, e.g. "fsconfig", "token create". */
BPFD_API const char *bpfd_step_name(enum bpfd_step step);

/*
 * Static one-line likely cause for errno @err (positive) at @step, or NULL
 * when the table has nothing specific.
 */
BPFD_API const char *bpfd_error_hint(enum bpfd_step step, int err);

/*
 * Format @e as one line without prefix or newline:
 *   "<step> <detail>: <strerror> (<hint>)", or for a refusal
 *   "<step>: <detail> (<hint>)"
 * Returns @buf.
 */
BPFD_API char *bpfd_error_format(const struct bpfd_error *e, char *buf,
				 size_t len);

enum bpfd_log_level { BPFD_LOG_WARN, BPFD_LOG_INFO, BPFD_LOG_DEBUG };
typedef void (*bpfd_print_fn)(enum bpfd_log_level level, const char *fmt,
			      va_list ap);

/* Install the log callback; returns the previous one.  NULL = silent. */
BPFD_API bpfd_print_fn bpfd_set_print(bpfd_print_fn fn);

#ifdef __cplusplus
}
#endif
#endif
