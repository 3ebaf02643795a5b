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
#include <sys/types.h>

#include <bpfdelegate/error.h>

#define BPFD_OCI_ANNOTATION_PREFIX "bpfdelegate.io/"
#define BPFD_OCI_PATH_MAX 4096 /* PATH_MAX, with the NUL */

/* The bpfdelegate.io/ annotations, in the order of bpfd_oci_key_name(). */
enum bpfd_oci_key {
	BPFD_OCI_CMDS,
	BPFD_OCI_MAPS,
	BPFD_OCI_PROGS,
	BPFD_OCI_ATTACHS,
	BPFD_OCI_PRESET,
	BPFD_OCI_TARGET,
	BPFD_OCI_NKEYS
};

/* The key without the prefix ("maps"), or NULL. */
const char *bpfd_oci_key_name(enum bpfd_oci_key k);

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

/* What bpfdelegate uses of BUNDLE/config.json. */
struct bpfd_oci_config {
	char *root_path;  /* owned; root.path as written (may be relative) */
	bool has_userns;  /* linux.namespaces has {"type": "user"} */
	bool caps_known;  /* process.capabilities is given */
	bool has_cap_bpf; /* ... and its "effective" list has CAP_BPF */
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
void bpfd_oci_config_free(struct bpfd_oci_config *c);

/*
 * The rootfs on the host: root.path, or @bundle + "/" + root.path when it
 * is relative, into @buf (@len bytes).  0, or -E2BIG when it does not fit
 * in BPFD_OCI_PATH_MAX (or @len): never cut.
 */
int bpfd_oci_rootfs(const char *bundle, const char *root_path, char *buf,
		    size_t len, struct bpfd_error *err);

#endif
