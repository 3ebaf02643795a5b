/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * OCI state and config.json, as a createRuntime hook receives them: pure
 * parsers over a buffer (no I/O), strict about what bpfdelegate uses.
 * Internal (not installed); the fuzz target tests/fuzz/fuzz_oci.c calls
 * them directly.
 *
 * Every string taken is checked: the right JSON type, no NUL byte (json-c
 * keeps "\u0000" and a C string would silently end there), at most
 * BPFD_OCI_PATH_MAX - 1 bytes for paths.  Errors are -EINVAL (a wrong
 * value) or -EBADMSG (not a JSON object at all), -E2BIG for a path that is
 * too long, -ENOMEM; @err then holds one sentence in detail (refused set),
 * with untrusted text quoted by bpfd_quote().
 */
#ifndef BPFD_OCI_H
#define BPFD_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <bpfdelegate/error.h>

#define BPFD_OCI_ANNOTATION_PREFIX "bpfdelegate.io/"
#define BPFD_OCI_PATH_MAX 4096 /* PATH_MAX, with the NUL */
/* Largest pid the kernel hands out (PID_MAX_LIMIT is 4M; leave room). */
#define BPFD_OCI_PID_MAX 0x3fffffff

/* The bpfdelegate.io/ annotations, in the order of bpfd_oci_key_name(). */
enum bpfd_oci_key {
	BPFD_OCI_CMDS,
	BPFD_OCI_MAPS,
	BPFD_OCI_PROGS,
	BPFD_OCI_ATTACHS,
	BPFD_OCI_PRESET,
	BPFD_OCI_TARGET,
	BPFD_OCI_UNUSABLE, /* "fail" (default) or "warn" */
	BPFD_OCI_NKEYS
};

/* The key without the prefix ("maps"), or NULL. */
const char *bpfd_oci_key_name(enum bpfd_oci_key k);
/* The annotation key of the @n bytes at @key (no NUL needed): its enum
 * bpfd_oci_key, -ENOENT when it does not start with bpfdelegate.io/, or
 * -EINVAL for a name after that prefix which is none of ours. */
int bpfd_oci_key_of(const char *key, size_t n);

/* The annotations object of the state or of config.json. */
struct bpfd_oci_annotations {
	bool present;		     /* there was an "annotations" object */
	char *value[BPFD_OCI_NKEYS]; /* owned; NULL when not given */
};

/* What bpfdelegate uses of the OCI state on stdin. */
struct bpfd_oci_state {
	char *id; /* owned; "?" when absent */
	pid_t pid;
	char *bundle; /* owned; absolute */
	struct bpfd_oci_annotations ann;
};

/* process.capabilities' sets, in the order of bpfd_oci_cap_set_name(). */
enum bpfd_oci_cap_set {
	BPFD_OCI_BOUNDING,
	BPFD_OCI_EFFECTIVE,
	BPFD_OCI_PERMITTED,
	BPFD_OCI_INHERITABLE,
	BPFD_OCI_AMBIENT,
	BPFD_OCI_NCAPSETS
};

/* "bounding", ...; NULL out of range. */
const char *bpfd_oci_cap_set_name(enum bpfd_oci_cap_set s);

/* Seccomp actions as they decide bpf(): */
enum bpfd_oci_sc_verdict {
	BPFD_OCI_SC_ALLOW,   /* SCMP_ACT_ALLOW, SCMP_ACT_LOG */
	BPFD_OCI_SC_DENY,    /* SCMP_ACT_ERRNO, _KILL*, _TRAP */
	BPFD_OCI_SC_UNKNOWN, /* _TRACE, _NOTIFY, anything else: a tracer or a
				supervisor decides */
};

/* One condition of a seccomp rule (linux.seccomp.syscalls[].args[]). */
struct bpfd_oci_sc_arg {
	unsigned int index;
	uint64_t value, value2;
	char op[24]; /* "SCMP_CMP_EQ", ... */
};

#define BPFD_OCI_SC_ARGS_MAX 6
#define BPFD_OCI_SC_RULES_MAX 16

/* A linux.seccomp.syscalls[] entry that names bpf. */
struct bpfd_oci_sc_rule {
	size_t index; /* its position in linux.seccomp.syscalls */
	char action[32];
	int errno_ret; /* errnoRet, or -1 when not given */
	size_t nargs;
	struct bpfd_oci_sc_arg args[BPFD_OCI_SC_ARGS_MAX];
	/* podman's (and Docker's) profile format, should a runtime pass it
	 * on unresolved: the rule applies only when the bounding set has
	 * every cap of includes.caps and none of excludes.caps. */
	uint64_t includes_caps, excludes_caps;
	bool unknown_cap; /* a name in includes/excludes we cannot read */
};

/* What linux.seccomp says about bpf(). */
struct bpfd_oci_seccomp {
	bool present;		 /* linux.seccomp is given */
	char default_action[32]; /* defaultAction */
	int default_errno;	 /* defaultErrnoRet, or -1 */
	size_t nrules;		 /* rules naming bpf, up to _RULES_MAX */
	bool too_many;		 /* more than _RULES_MAX of them */
	bool unreadable;	 /* a rule we could not read: no verdict */
	struct bpfd_oci_sc_rule rule[BPFD_OCI_SC_RULES_MAX];
};

/* What bpfdelegate uses of BUNDLE/config.json. */
struct bpfd_oci_config {
	char *root_path;  /* owned; root.path as written (may be relative) */
	bool has_userns;  /* linux.namespaces has {"type": "user"} */
	bool caps_known;  /* process.capabilities is given */
	bool has_cap_bpf; /* ... and its "effective" list has CAP_BPF */
	/* process.capabilities, bit 1 << CAP_x per set (unknown names are
	 * left out); all 0 when caps_known is false. */
	uint64_t caps[BPFD_OCI_NCAPSETS];
	uint32_t uid; /* process.user.uid, 0 when not given */
	struct bpfd_oci_seccomp seccomp;
	struct bpfd_oci_annotations ann;
};

/*
 * Parse the OCI state in @text (@len bytes, no NUL needed): "pid" (a
 * positive integer), "bundle" (an absolute path), "id" (a string, if
 * given) and the bpfdelegate.io/ annotations (see below).  0 or -errno;
 * @out is zeroed first and must be freed with bpfd_oci_state_free() either
 * way.
 */
int bpfd_oci_parse_state(const char *text, size_t len,
			 struct bpfd_oci_state *out, struct bpfd_error *err);
void bpfd_oci_state_free(struct bpfd_oci_state *s);

/*
 * Parse config.json in @text: root.path (a non-empty string), whether
 * linux.namespaces has a user namespace, process.capabilities.effective
 * and the annotations.  0 or -errno; free @out with bpfd_oci_config_free().
 *
 * Annotations (in both): "annotations", when given, must be an object;
 * every key starting with bpfdelegate.io/ must be a known one and its
 * value a string without NUL bytes.  Other keys are not looked at.
 */
int bpfd_oci_parse_config(const char *text, size_t len,
			  struct bpfd_oci_config *out, struct bpfd_error *err);
/*
 * The same, with @whole: json-c parses all of @text, never the plain
 * documents lib/oci_fast.c reads without it, nor only the members read
 * (lib/jsonprune.h).  The same result either way (tests/fuzz/fuzz_oci.c
 * compares them on every input).
 */
int bpfd_oci_parse_config_whole(const char *text, size_t len, bool whole,
				struct bpfd_oci_config *out,
				struct bpfd_error *err);
int bpfd_oci_parse_state_whole(const char *text, size_t len, bool whole,
			       struct bpfd_oci_state *out,
			       struct bpfd_error *err);

/* lib/oci_fast.c: the plain documents without json-c.  1 with @out
 * filled, or 0 with @out zeroed: parse @text with json-c. */
int bpfd_oci_fast_state(const char *text, size_t len,
			struct bpfd_oci_state *out);
int bpfd_oci_fast_config(const char *text, size_t len,
			 struct bpfd_oci_config *out);
void bpfd_oci_config_free(struct bpfd_oci_config *c);

/*
 * The rootfs on the host: root.path, or @bundle + "/" + root.path when it
 * is relative, into @buf (@len bytes).  0, or -E2BIG when it does not fit
 * in BPFD_OCI_PATH_MAX (or @len): never cut.
 */
int bpfd_oci_rootfs(const char *bundle, const char *root_path, char *buf,
		    size_t len, struct bpfd_error *err);

/*
 * Whether bpf(@cmd) (for a caller with the capability bounding set
 * @bounding) passes the seccomp profile @sc: BPFD_OCI_SC_ALLOW when some
 * rule that may apply, or the default action when no rule surely applies,
 * allows it; BPFD_OCI_SC_DENY only when every outcome denies; else
 * BPFD_OCI_SC_UNKNOWN.  Conditions on bpf()'s first argument (the command)
 * are evaluated; conditions on the others make a rule "may apply".
 * @why (@len bytes) names the deciding rule or default action.
 */
enum bpfd_oci_sc_verdict bpfd_oci_seccomp_bpf(const struct bpfd_oci_seccomp *sc,
					      unsigned int cmd,
					      uint64_t bounding, char *why,
					      size_t len);

struct bpfd_delegation;
struct bpfd_names;

/*
 * Could the container of @cfg ever use a token delegating @d?  0 when it
 * could; 1 when it never could, with the reason (which set lacks which
 * capability, which seccomp rule denies bpf(BPF_TOKEN_CREATE), which
 * program types all need a missing capability) in @why; 2 when only part
 * of @d is unusable (@why says which).  @names (or NULL) names program
 * types.  Pure: reads @cfg only.
 */
int bpfd_oci_usable(const struct bpfd_oci_config *cfg,
		    const struct bpfd_delegation *d,
		    const struct bpfd_names *names, char *why, size_t len);

#endif
