/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: the administrator's policy for unprivileged callers (the
 * file-capability helper, `bpfdelegate serve`) and for what OCI
 * annotations may ask of the root hook.  Issue 12.
 *
 * Files: BPFD_POLICY_DIR "/policy" and BPFD_POLICY_DIR "/policy.d/" *
 * (sorted), admin presets in BPFD_POLICY_DIR "/presets.d/".  The directory
 * is fixed at build time (never taken from the environment or options);
 * each file and directory read must be root-owned and not writable by
 * group or others, else the whole policy is refused (-EPERM with the path
 * named).  Missing policy: default deny.
 *
 * Shared by three callers; its signature is the contract between them:
 *   - lib/policy.c          implements it (and `bpfdelegate policy`);
 *   - the file-cap helper    calls bpfd_policy_decide() before delegating;
 *   - `bpfdelegate serve`    the same, with the peer's SO_PEERCRED ids.
 */
#ifndef BPFD_POLICY_H
#define BPFD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <bpfdelegate/delegation.h>
#include <bpfdelegate/error.h>

#ifndef BPFD_POLICY_DIR
#define BPFD_POLICY_DIR "/etc/bpfdelegate"
#endif

#define BPFD_CALLER_MAX_GROUPS 64

/* Who asks: a user (ids of the initial user namespace), or a container. */
enum bpfd_subject_kind {
	BPFD_SUBJECT_USER = 1, /* helper, serve: an unprivileged caller */
	BPFD_SUBJECT_CONTAINER /* root oci-hook: an annotation's request */
};

struct bpfd_subject {
	enum bpfd_subject_kind kind;
	/* BPFD_SUBJECT_USER: real ids, and supplementary groups */
	uid_t uid;
	gid_t gid;
	gid_t groups[BPFD_CALLER_MAX_GROUPS];
	size_t ngroups;
	/* BPFD_SUBJECT_CONTAINER: from the OCI state (may be NULL) */
	const char *oci_id;
	const char *bundle;
};

/* The command asking; a rule may limit commands (attach covers oci-hook). */
enum bpfd_policy_cmd {
	BPFD_POLICY_CHECK = 1 << 0,
	BPFD_POLICY_RUN = 1 << 1,
	BPFD_POLICY_ATTACH = 1 << 2,
};

struct bpfd_request {
	enum bpfd_policy_cmd cmd;
	struct bpfd_delegation deleg;
	bool netns_host;    /* run without --netns new */
	const char *target; /* attach/oci-hook: mount path (in the target's
			     * root), else NULL */
};

struct bpfd_verdict {
	bool allowed;
	/* The rule that applied, "FILE:LINE", or "" (default deny). */
	char rule[300];
	/* One line: what exceeds the grant ("maps: hash, lru_hash not
	 * granted"), or why nothing applies ("no rule for user alice
	 * (uid 1001)"). "" when allowed. */
	char reason[512];
	/* The grant of that rule (the maximum delegation). */
	struct bpfd_delegation grant;
	/* The rest of that rule (for `bpfdelegate policy`): the commands it
	 * allows (enum bpfd_policy_cmd bits), whether it allows --netns
	 * host, and its paths= globs, ","-joined.  0 / false / "" when no
	 * rule applied. */
	unsigned int commands;
	bool netns_host;
	char paths[256];
};

struct bpfd_policy;

/*
 * The policy directory this library was built with: BPFD_POLICY_DIR.
 * cmd/ must call this, never use the macro: the test binary
 * (build/tests/bpfdelegate-faults) links the release cmd/ objects with a
 * test library built with -DBPFD_POLICY_DIR=<build>/tests/etc/bpfdelegate.
 */
const char *bpfd_policy_dir(void);

/*
 * Whether @dir holds anything of a policy (policy, policy.d or
 * presets.d), or cannot be looked at: a quick question, no file is read
 * or checked (bpfd_policy_load() does that).  False only when none of
 * them exists.
 */
bool bpfd_policy_present(const char *dir);

/*
 * Load the policy from @dir (callers pass BPFD_POLICY_DIR; tests build
 * with another -DBPFD_POLICY_DIR).  Names in rules resolve with @names;
 * presets: built-in and BPFD_POLICY_DIR/presets.d.  0 with *@out set, or
 * -errno with @err: -EPERM (unsafe owner/mode, path in detail), -EINVAL
 * (syntax, "FILE:LINE: ..." in detail), -ENOMEM, -EIO.  A missing
 * directory or policy file is not an error: an empty (deny-all) policy.
 * @names must outlive *@out (bpfd_policy_decide() names bits with it).
 * The grammar and the matching rules: docs/policy.md.
 */
int bpfd_policy_load(const char *dir, const struct bpfd_names *names,
		     struct bpfd_policy **out, struct bpfd_error *err);
void bpfd_policy_free(struct bpfd_policy *p);

/*
 * Decide @req for @who.  Always fills @v.  Returns 0 when allowed,
 * -EACCES when refused (v->rule and v->reason say why).
 */
int bpfd_policy_decide(const struct bpfd_policy *p,
		       const struct bpfd_subject *who,
		       const struct bpfd_request *req, struct bpfd_verdict *v);

/*
 * How many policy files (policy, policy.d/ *) @p was read from; presets.d
 * does not count.  0 means no policy is installed (the root oci-hook then
 * keeps its behaviour without a policy).
 */
size_t bpfd_policy_nfiles(const struct bpfd_policy *p);

/* bpfd_policy_check(): no policy file at all allows (returns 1). */
#define BPFD_POLICY_IF_PRESENT 0x1

/*
 * Load the policy from bpfd_policy_dir() and decide @req for @who: the
 * one call the front doors make (the root oci-hook, and the rootless
 * oci-hook paths).  Always fills @v (zeroed when the load fails).
 * Returns 0 when allowed; 1 when @flags has BPFD_POLICY_IF_PRESENT and
 * no policy file exists; -EACCES when refused, with @err (step
 * BPFD_STEP_POLICY, refused) holding "REASON (rule FILE:LINE)"; or the
 * load's -errno with its @err.
 */
int bpfd_policy_check(const struct bpfd_subject *who,
		      const struct bpfd_request *req,
		      const struct bpfd_names *names, unsigned int flags,
		      struct bpfd_verdict *v, struct bpfd_error *err);

/*
 * A refusal's one line, "REASON (rule FILE:LINE)" or "REASON (no rule
 * applies: default deny)", into @buf: the rule whole (it names the line
 * to edit), the reason cut with "..." where both do not fit (an error's
 * detail is 256 bytes).  The helper's and the service client's errors.
 */
void bpfd_policy_refusal(char *buf, size_t len, const char *reason,
			 const char *rule);

#endif
