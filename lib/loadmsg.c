// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libbpf's load, create and attach failure messages, as libbpf 1.1.2 and
 * 1.5.0 print them (src/libbpf.c, btf.c, features.c of Debian's source
 * packages), and what each means for a process holding a BPF token.
 *
 * Facts behind the causes (kernel/bpf/syscall.c, token.c, 6.9+):
 *  - a token that does not allow the command, the map type, or the program
 *    type *and* expected attach type is silently dropped, and the call is
 *    checked as if it had none (capabilities of the initial namespace):
 *    the symptom is EPERM, never a token errno;
 *  - with the token the capabilities are checked in the token's user
 *    namespace: CAP_BPF for most maps and programs (for every one with
 *    kernel.unprivileged_bpf_disabled set), CAP_NET_ADMIN for networking
 *    programs and sockmap/sockhash/devmap/devmap_hash/xskmap, CAP_PERFMON
 *    for tracing programs; the verifier's pointer-leak rules follow
 *    CAP_PERFMON there too;
 *  - tracefs and perf_event_open() are outside bpf(): a token grants
 *    nothing there.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <bpfdelegate/diag.h>
#include <bpfdelegate/loadmsg.h>

#include "internal.h"

/* ---- the causes ---- */

#define NO_ITEM -1, 0
#define ITEM(k, mask) (k), (mask)

/* BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_TRACEPOINT, BPF_MAP_TYPE_ARRAY
 * and bit 0 of the attach types (BPF_CGROUP_INET_INGRESS): UAPI numbers. */
enum { PROG_SOCKET_FILTER = 1, PROG_TRACEPOINT = 5, MAP_ARRAY = 2 };
enum { CMD_MAP_CREATE = 0, CMD_PROG_LOAD = 5, CMD_BTF_LOAD = 18 };

struct cause_tmpl {
	enum bpfd_lm_kind kind;
	const char *id;
	int item_kind; /* enum bpfd_kind, -1 none */
	uint64_t item_mask;
	const char *item; /* template */
	const char *text; /* template: %N name, %T target, %E errno name */
	const char *fix;  /* template */
};

#define C_NO_TOKEN                                                             \
	{                                                                      \
		BPFD_LM_NO_TOKEN, "no-token", NO_ITEM, "a BPF token",          \
		    "The call carried no BPF token, so the kernel asked for "  \
		    "capabilities in the initial user namespace: libbpf "      \
		    "older than 1.4 "                                          \
		    "never passes one, LIBBPF_BPF_TOKEN_PATH= (empty) turns "  \
		    "it off, and "                                             \
		    "a \"failed (...) to create BPF token\" line before this " \
		    "one means "                                               \
		    "libbpf went on without.",                                 \
		    "Point LIBBPF_BPF_TOKEN_PATH at a delegated bpffs "        \
		    "(bpfdelegate run "                                        \
		    "sets it), and explain the token line first."              \
	}

#define C_LSM                                                                  \
	{                                                                      \
		BPFD_LM_KERNEL, "lsm", NO_ITEM, "",                            \
		    "An LSM (the bpf, bpf_map_create, bpf_prog_load or "       \
		    "bpf_token_* "                                             \
		    "hooks) or a seccomp filter refused the call.",            \
		    "Check the active LSMs' policy and the container's "       \
		    "seccomp profile."                                         \
	}

static const struct cause_tmpl prog_eperm[] = {
    {BPFD_LM_DELEGATION, "prog-load-not-delegated",
     ITEM(BPFD_CMDS, 1ULL << CMD_PROG_LOAD), "delegate_cmds=prog_load",
     "The bpffs does not delegate the prog_load command.",
     "Add prog_load to --cmds."},
    {BPFD_LM_DELEGATION, "prog-type-not-delegated", NO_ITEM,
     "delegate_progs=<the program's type>",
     "The program type of '%N' (libbpf derives it from the program's "
     "SEC() name) is not in delegate_progs.",
     "'bpfdelegate suggest OBJECT.bpf.o' names the type; add it to "
     "--progs."},
    {BPFD_LM_DELEGATION, "attach-type-not-delegated", NO_ITEM,
     "delegate_attachs=<the expected attach type>",
     "The expected attach type libbpf loads '%N' with is not in "
     "delegate_attachs. Most sections (kprobe, tracepoint, raw_tp, socket, "
     "tc, perf_event) load with 0, which is bit 0, cgroup_inet_ingress; "
     "xdp loads with xdp, tcx/* with tcx_*, cgroup/* with its hook.",
     "Add the attach type (cgroup_inet_ingress for 0) to --attachs."},
    {BPFD_LM_CAPABILITY, "no-cap-bpf", NO_ITEM, "CAP_BPF",
     "The loader lacks CAP_BPF in the user namespace that owns the bpffs: "
     "a token counts only together with the capability (CAP_SYS_ADMIN "
     "there stands in).",
     "Run the loader as that namespace's root, or keep CAP_BPF for it "
     "(bpfdelegate run --user U --keep-caps bpf,...)."},
    {BPFD_LM_CAPABILITY, "no-cap-prog-kind", NO_ITEM,
     "CAP_NET_ADMIN or CAP_PERFMON",
     "Networking program types (xdp, sched_cls, sched_act, sk_*, "
     "cgroup_*, lwt_*, flow_dissector...) also need CAP_NET_ADMIN, "
     "tracing types (kprobe, tracepoint, raw_tracepoint, perf_event, "
     "tracing...) CAP_PERFMON, in that same user namespace.",
     "Keep the capability for the loader (run --keep-caps "
     "bpf,perfmon,net_admin)."},
    C_NO_TOKEN,
    C_LSM,
};

static const struct cause_tmpl prog_eacces[] = {
    {BPFD_LM_KERNEL, "verifier-refused", NO_ITEM, "",
     "The verifier refused '%N': its log follows the message (\"-- BEGIN "
     "PROG LOAD LOG --\"). Not a delegation problem: the token was "
     "accepted.",
     "Read the verifier log."},
    {BPFD_LM_CAPABILITY, "no-cap-perfmon-verifier", NO_ITEM, "CAP_PERFMON",
     "Without CAP_PERFMON in the token's user namespace the verifier "
     "refuses pointer leaks and arithmetic the program may rely on.",
     "Keep CAP_PERFMON for the loader (run --keep-caps bpf,perfmon)."},
};

static const struct cause_tmpl prog_einval[] = {
    {BPFD_LM_KERNEL, "prog-invalid", NO_ITEM, "",
     "The kernel refused '%N' or its attributes: an attach type its "
     "program type does not take, a helper, kfunc or flag this kernel "
     "lacks, or a verifier error (its log follows the message). Not a "
     "delegation problem: a refused delegation is EPERM.",
     "Read the verifier log; check the section name and the kernel "
     "version."},
};

static const struct cause_tmpl prog_e2big[] = {
    {BPFD_LM_CAPABILITY, "too-many-insns", NO_ITEM, "CAP_BPF",
     "'%N' has more instructions than allowed: 4096 without CAP_BPF, a "
     "million with it (in the token's user namespace, with the token).",
     "Keep CAP_BPF for the loader, or make the program smaller."},
};

static const struct cause_tmpl prog_other[] = {
    {BPFD_LM_KERNEL, "prog-load-error", NO_ITEM, "",
     "The kernel refused to load '%N' with %E; EPERM would have meant a "
     "delegation or capability.",
     "Read the verifier log that follows the message, if any."},
};

static const struct cause_tmpl map_eperm[] = {
    {BPFD_LM_DELEGATION, "map-create-not-delegated",
     ITEM(BPFD_CMDS, 1ULL << CMD_MAP_CREATE), "delegate_cmds=map_create",
     "The bpffs does not delegate the map_create command.",
     "Add map_create to --cmds."},
    {BPFD_LM_DELEGATION, "map-type-not-delegated", NO_ITEM,
     "delegate_maps=<the map's type>",
     "The type of map '%N' is not in delegate_maps (libbpf's .data, "
     ".rodata, .bss and .kconfig maps are arrays; 'X.inner' is the inner "
     "map of the map-in-map X).",
     "'bpfdelegate suggest OBJECT.bpf.o' names the types; add it to "
     "--maps."},
    {BPFD_LM_CAPABILITY, "no-cap-bpf", NO_ITEM, "CAP_BPF",
     "The creator lacks CAP_BPF in the user namespace that owns the "
     "bpffs: most map types need it, and every type does while "
     "kernel.unprivileged_bpf_disabled is set.",
     "Run the loader as that namespace's root, or keep CAP_BPF for it "
     "(bpfdelegate run --user U --keep-caps bpf,...)."},
    {BPFD_LM_CAPABILITY, "no-cap-net-admin", NO_ITEM, "CAP_NET_ADMIN",
     "sockmap, sockhash, devmap, devmap_hash and xskmap also need "
     "CAP_NET_ADMIN in that user namespace.",
     "Keep CAP_NET_ADMIN for the loader (run --keep-caps "
     "bpf,net_admin)."},
    C_NO_TOKEN,
    C_LSM,
};

static const struct cause_tmpl map_einval[] = {
    {BPFD_LM_KERNEL, "map-invalid", NO_ITEM, "",
     "The kernel refused the attributes of map '%N': a type, flag or "
     "size it does not take, or BTF it refused (libbpf then retries "
     "without BTF). Not a delegation problem: a refused delegation is "
     "EPERM.",
     "Check the map definition against the kernel version."},
};

static const struct cause_tmpl map_enomem[] = {
    {BPFD_LM_KERNEL, "memcg-limit", NO_ITEM, "",
     "The memory for map '%N' could not be charged: since Linux 5.11 BPF "
     "memory counts against the memory cgroup of the creator, not "
     "RLIMIT_MEMLOCK.",
     "Make the map smaller or raise the cgroup's memory.max."},
};

static const struct cause_tmpl map_other[] = {
    {BPFD_LM_KERNEL, "map-create-error", NO_ITEM, "",
     "The kernel refused to create map '%N' with %E; EPERM would have "
     "meant a delegation or capability.",
     ""},
};

static const struct cause_tmpl trivial_eperm[] = {
    {BPFD_LM_DELEGATION, "attach-zero-not-delegated", ITEM(BPFD_ATTACHS, 1ULL),
     "delegate_attachs=cgroup_inet_ingress",
     "libbpf's first probe loads a two-instruction socket_filter program, "
     "then a tracepoint one, both with expected_attach_type 0: attach "
     "bit 0, cgroup_inet_ingress, must be delegated even when no program "
     "of the object is a cgroup program.",
     "Add cgroup_inet_ingress to --attachs."},
    {BPFD_LM_DELEGATION, "probe-prog-type-not-delegated",
     ITEM(BPFD_PROGS, (1ULL << PROG_SOCKET_FILTER) | (1ULL << PROG_TRACEPOINT)),
     "delegate_progs=socket_filter (or tracepoint)",
     "Neither socket_filter nor tracepoint is in delegate_progs: libbpf "
     "needs one of them for this probe whatever the object holds.",
     "Add socket_filter to --progs."},
    {BPFD_LM_DELEGATION, "prog-load-not-delegated",
     ITEM(BPFD_CMDS, 1ULL << CMD_PROG_LOAD), "delegate_cmds=prog_load",
     "The bpffs does not delegate the prog_load command.",
     "Add prog_load to --cmds."},
    {BPFD_LM_CAPABILITY, "no-cap-bpf", NO_ITEM, "CAP_BPF",
     "The loader lacks CAP_BPF in the user namespace that owns the bpffs "
     "(with kernel.unprivileged_bpf_disabled set even a socket filter "
     "needs it).",
     "Run the loader as that namespace's root, or keep CAP_BPF for it "
     "(run --keep-caps bpf,...)."},
    C_NO_TOKEN,
    {BPFD_LM_LIBBPF, "not-memlock", NO_ITEM, "",
     "Despite the text, RLIMIT_MEMLOCK is not the cause on Linux 5.11 or "
     "newer (BPF memory is charged to the memory cgroup), and "
     "CONFIG_BPF_SYSCALL is there (else the errno is ENOSYS).",
     ""},
};

static const struct cause_tmpl trivial_other[] = {
    {BPFD_LM_KERNEL, "no-bpf-syscall", NO_ITEM, "",
     "With ENOSYS the kernel has no bpf() (CONFIG_BPF_SYSCALL=n) or a "
     "seccomp filter hides it; with another errno the kernel refused "
     "libbpf's trivial program itself.",
     "Check the kernel configuration and the seccomp profile."},
};

static const struct cause_tmpl array_eperm[] = {
    {BPFD_LM_DELEGATION, "probe-array-not-delegated",
     ITEM(BPFD_MAPS, 1ULL << MAP_ARRAY), "delegate_maps=array",
     "libbpf's feature probe (%T) creates an array map: without array in "
     "delegate_maps it fails, and libbpf then refuses global data (.data, "
     ".rodata, .bss).",
     "Add array to --maps."},
    {BPFD_LM_DELEGATION, "map-create-not-delegated",
     ITEM(BPFD_CMDS, 1ULL << CMD_MAP_CREATE), "delegate_cmds=map_create",
     "The bpffs does not delegate the map_create command.",
     "Add map_create to --cmds."},
    {BPFD_LM_CAPABILITY, "no-cap-bpf", NO_ITEM, "CAP_BPF",
     "The loader lacks CAP_BPF in the user namespace that owns the "
     "bpffs.",
     "Keep CAP_BPF for the loader."},
    C_NO_TOKEN,
};

static const struct cause_tmpl btf_eperm[] = {
    {BPFD_LM_DELEGATION, "btf-load-not-delegated",
     ITEM(BPFD_CMDS, 1ULL << CMD_BTF_LOAD), "delegate_cmds=btf_load",
     "The bpffs does not delegate the btf_load command. When even "
     "libbpf's BTF probes fail, libbpf quietly loads the object without "
     "its BTF (seen with libbpf 1.5): what needs it (maps with spin locks, "
     "timers or kptrs, struct_ops, func and line info) fails then.",
     "Add btf_load to --cmds."},
    {BPFD_LM_CAPABILITY, "no-cap-bpf", NO_ITEM, "CAP_BPF",
     "The loader lacks CAP_BPF in the user namespace that owns the "
     "bpffs.",
     "Keep CAP_BPF for the loader."},
    C_NO_TOKEN,
};

static const struct cause_tmpl btf_other[] = {
    {BPFD_LM_KERNEL, "btf-refused", NO_ITEM, "",
     "The kernel refused the object's BTF with %E (a BTF kind or flag "
     "this kernel lacks); libbpf sanitizes what it knows to be missing "
     "and goes on without BTF where it is optional.",
     ""},
};

static const struct cause_tmpl feature_causes[] = {
    {BPFD_LM_LIBBPF, "feature-probe", NO_ITEM, "",
     "A feature probe (%T) got an error it did not expect; libbpf takes "
     "the feature as missing and goes on. Under a narrow delegation the "
     "probe's own map or program type may be missing.",
     ""},
};

static const struct cause_tmpl memlock_causes[] = {
    {BPFD_LM_LIBBPF, "memcg-probe-without-token", NO_ITEM, "",
     "libbpf checks whether the kernel charges BPF memory to the memory "
     "cgroup with a socket_filter load that passes no token (its global "
     "feature cache has none); in a user namespace that load gets EPERM, "
     "so libbpf takes the kernel for an old one and raises "
     "RLIMIT_MEMLOCK to infinity.",
     ""},
    {BPFD_LM_HOST_PRIV, "rlimit-needs-host-cap", NO_ITEM,
     "CAP_SYS_RESOURCE (initial namespace)",
     "Raising a hard rlimit needs CAP_SYS_RESOURCE in the initial user "
     "namespace: rlimits are not namespaced, and no token grants it.",
     ""},
    {BPFD_LM_LIBBPF, "memcg-accounting", NO_ITEM, "",
     "Harmless on Linux 5.11 and newer (every kernel with BPF tokens): "
     "the kernel charges BPF maps and programs to the memory cgroup and "
     "never looks at RLIMIT_MEMLOCK.",
     "Nothing to do; the message cannot be turned off from outside."},
};

static const struct cause_tmpl root_ulimit_causes[] = {
    {BPFD_LM_LIBBPF, "misleading-ulimit-hint", NO_ITEM, "",
     "libbpf adds this to every EPERM while the effective uid is 0, as it "
     "is for a user namespace's root. On Linux 5.11 and newer "
     "RLIMIT_MEMLOCK plays no part: the EPERM of the line before is a "
     "delegation or capability.",
     "Explain the line before this one."},
};

static const struct cause_tmpl summary_causes[] = {
    {BPFD_LM_LIBBPF, "see-previous-line", NO_ITEM, "",
     "A summary: libbpf printed the failure itself on a line before this "
     "one (\"prog '...':\", \"map '...':\", \"Couldn't load trivial BPF "
     "program\", a token line).",
     "Explain that line."},
};

#define C_TRACEFS_HOST                                                         \
	{                                                                      \
		BPFD_LM_HOST_PRIV, "tracefs-host-only", NO_ITEM,               \
		    "host root (tracefs)",                                     \
		    "libbpf reads the event's id from tracefs "                \
		    "(/sys/kernel/tracing/"                                    \
		    "events/...), whose files only the host's root may read: " \
		    "EACCES in "                                               \
		    "a user namespace, ENOENT where tracefs is not mounted. "  \
		    "A BPF token "                                             \
		    "only gates bpf() loads; it grants nothing here.",         \
		    "Use a raw tracepoint (SEC(\"raw_tp/NAME\")), or attach "  \
		    "from the host."                                           \
	}

#define C_RAW_TP_INSTEAD                                                       \
	{                                                                      \
		BPFD_LM_HOST_PRIV, "use-raw-tp", NO_ITEM,                      \
		    "CAP_PERFMON (initial namespace)",                         \
		    "perf_event_open() needs CAP_PERFMON in the initial user " \
		    "namespace "                                               \
		    "(or a permissive kernel.perf_event_paranoid), and "       \
		    "attaching a "                                             \
		    "kprobe, uprobe or tracepoint program goes through it. "   \
		    "With a token "                                            \
		    "such programs load, but do not attach.",                  \
		    "Use a raw tracepoint instead: SEC(\"raw_tp/NAME\") "      \
		    "(program type "                                           \
		    "raw_tracepoint, attach bit 0); it attaches with "         \
		    "BPF_RAW_TRACEPOINT_OPEN, which the token holder may do. " \
		    "Or attach "                                               \
		    "from the host."                                           \
	}

static const struct cause_tmpl tp_causes[] = {C_TRACEFS_HOST, C_RAW_TP_INSTEAD};
static const struct cause_tmpl perf_causes[] = {C_RAW_TP_INSTEAD,
						C_TRACEFS_HOST};

static const struct cause_tmpl raw_tp_causes[] = {
    {BPFD_LM_KERNEL, "raw-tp-attach", NO_ITEM, "",
     "BPF_RAW_TRACEPOINT_OPEN of '%T' failed with %E: ENOENT, no raw "
     "tracepoint of that name in this kernel; EINVAL, '%N' is not a "
     "raw_tracepoint program; EPERM, an LSM or seccomp (the token holder "
     "may attach raw tracepoints).",
     ""},
};

static const struct cause_tmpl perf_link_causes[] = {
    {BPFD_LM_KERNEL, "perf-link", NO_ITEM, "",
     "Attaching '%N' to its perf event failed with %E: the event exists, "
     "so perf_event_open() passed; EINVAL means the program type does "
     "not fit the event, EPERM an LSM or seccomp.",
     ""},
};

/* ---- the messages ---- */

enum family {
	F_PROG,
	F_MAP,
	F_TRIVIAL,
	F_ARRAY,
	F_BTF,
	F_FEATURE,
	F_MEMLOCK,
	F_ROOT_ULIMIT,
	F_SUMMARY,
	F_TRACEFS,
	F_PERF,
	F_RAW_TP,
	F_PERF_LINK,
};

/*
 * Patterns: literal text (compared case-insensitively) and placeholders:
 * %n the program or map name, %t the target, %e an strerror() text (its
 * errno is kept), %d a number (kept as the errno when none is yet), %x
 * any text.  A placeholder ends at the next literal, the first one that
 * lets the rest match; one at the end takes the rest of the line.  The
 * first pattern that matches wins: longer forms come first.
 */
struct msg_tmpl {
	const char *id;
	const char *pattern;
	enum family family;
	const char *kind;
	bool harmless;
	const char *what; /* template */
};

static const struct msg_tmpl msgs[] = {
    {"prog-load-failed", "prog '%n': BPF program load failed: %e", F_PROG,
     "load", false, "The kernel refused to load program '%N' (%E)."},
    {"prog-load-failed", "prog '%n': failed to load: %d", F_PROG, "load", false,
     "Loading program '%N' failed (%E)."},
    {"map-create-retry",
     "Error in bpf_create_map_xattr(%n):%e(%d). Retrying without BTF", F_MAP,
     "load", false,
     "Creating map '%N' failed (%E); libbpf tries again without BTF, and "
     "an EPERM comes back the same."},
    {"inner-map-create-failed", "map '%n': failed to create inner map: %d",
     F_MAP, "load", false,
     "Creating the inner map of map-in-map '%N' failed (%E): libbpf "
     "creates it first, as '%N.inner'."},
    {"map-create-failed", "map '%n': failed to create: %e(%d)", F_MAP, "load",
     false, "Creating map '%N' failed (%E)."},
    {"probe-loading-failed",
     "Error in %x():%e(%d). Couldn't load trivial BPF program", F_TRIVIAL,
     "load", false,
     "libbpf's first probe, a trivial program loaded before anything of "
     "the object, failed (%E)."},
    {"probe-loading-failed", "Couldn't load trivial BPF program", F_TRIVIAL,
     "load", false,
     "libbpf's first probe, a trivial program loaded before anything of "
     "the object, failed."},
    {"probe-array-failed",
     "Error in %t():%e(%d). Couldn't create simple array map", F_ARRAY, "load",
     false,
     "A libbpf feature probe (%T) could not create an "
     "array map (%E)."},
    {"btf-load-failed",
     "Error loading .BTF into kernel: %d. BTF is "
     "mandatory",
     F_BTF, "load", false,
     "Loading the object's BTF failed (%E) and the object needs it."},
    {"btf-load-optional",
     "Error loading .BTF into kernel: %d. BTF is "
     "optional",
     F_BTF, "load", true,
     "Loading the object's BTF failed (%E); libbpf goes on without it."},
    {"btf-load-failed", "BTF loading error: %d", F_BTF, "load", false,
     "Loading BTF into the kernel failed (%E)."},
    {"feature-probe-failed", "Detection of kernel %t support failed: %d",
     F_FEATURE, "libbpf", true, "libbpf's probe for '%T' failed (%E)."},
    {"memlock-bump-failed", "Failed to bump RLIMIT_MEMLOCK (err = %d)",
     F_MEMLOCK, "libbpf", true, "libbpf could not raise RLIMIT_MEMLOCK (%E)."},
    {"root-ulimit-hint",
     "permission error while running as root; try raising 'ulimit -l'",
     F_ROOT_ULIMIT, "libbpf", false,
     "libbpf suggests raising 'ulimit -l' after an EPERM."},
    {"load-object-failed", "failed to load object '%t'", F_SUMMARY, "summary",
     false, "Loading the object '%T' failed."},
    {"load-skeleton-failed", "failed to load BPF skeleton '%t': %d", F_SUMMARY,
     "summary", false, "Loading the skeleton '%T' failed (%E)."},
    {"tracepoint-id-failed",
     "failed to determine tracepoint '%t' perf event ID: %e", F_TRACEFS,
     "attach", false,
     "libbpf could not read the id of tracepoint '%T' (%E), needed to "
     "attach a tracepoint program."},
    {"tracepoint-perf-failed",
     "prog '%n': failed to create tracepoint '%t' perf event: %e", F_TRACEFS,
     "attach", false,
     "Attaching tracepoint program '%N' to '%T' failed (%E): its perf "
     "event could not be created."},
    {"tracepoint-perf-failed",
     "tracepoint '%t' perf_event_open() failed: "
     "%e",
     F_PERF, "attach", false,
     "perf_event_open() for tracepoint '%T' failed (%E)."},
    {"tracepoint-attach-failed",
     "prog '%n': failed to attach to tracepoint '%t': %e", F_PERF_LINK,
     "attach", false,
     "Attaching program '%N' to tracepoint '%T' failed "
     "(%E)."},
    {"legacy-probe-failed", "failed to add legacy %x event for '%t': %e",
     F_TRACEFS, "attach", false,
     "libbpf could not create the probe '%T' through tracefs (%E)."},
    {"legacy-probe-failed", "failed to add legacy %x event for %t: %d",
     F_TRACEFS, "attach", false,
     "libbpf could not create the probe '%T' through tracefs (%E)."},
    {"legacy-probe-failed",
     "failed to determine legacy %x event id for "
     "'%t': %e",
     F_TRACEFS, "attach", false,
     "libbpf could not read the id of probe '%T' from tracefs (%E)."},
    {"legacy-probe-failed", "legacy %x perf_event_open() failed: %e", F_PERF,
     "attach", false, "perf_event_open() for a probe failed (%E)."},
    {"probe-perf-failed",
     "prog '%n': failed to create %x '%t' perf event: "
     "%e",
     F_PERF, "attach", false,
     "Attaching program '%N' to '%T' failed (%E): its perf event "
     "(kprobe or uprobe) could not be created."},
    {"raw-tp-attach-failed",
     "prog '%n': failed to attach to raw tracepoint '%t': %e", F_RAW_TP,
     "attach", false,
     "Attaching program '%N' to raw tracepoint '%T' failed (%E)."},
    {"probe-attach-failed", "prog '%n': failed to attach to %x '%t': %e",
     F_PERF_LINK, "attach", false,
     "Attaching program '%N' to '%T' failed (%E)."},
    {"perf-link-failed",
     "prog '%n': failed to create BPF link for perf_event FD %t: %d (%e)",
     F_PERF_LINK, "attach", false,
     "Linking program '%N' to its perf event failed (%E)."},
    {"perf-link-failed",
     "prog '%n': failed to attach to perf_event FD %t: "
     "%e",
     F_PERF_LINK, "attach", false,
     "Attaching program '%N' to its perf event failed (%E)."},
};

/* ---- matching ---- */

struct mstate {
	struct bpfd_load_msg *m;
	int budget;
};

static void copy_span(char *out, size_t len, const char *a, const char *b)
{
	size_t n = (size_t)(b - a);

	if (n >= len)
		n = len - 1;
	memcpy(out, a, n);
	out[n] = '\0';
}

static bool capture(char spec, const char *a, const char *b, struct mstate *st)
{
	char buf[64];
	long v;
	char *end;
	int e;

	if (spec != 'x' && a == b)
		return false;
	switch (spec) {
	case 'n':
		copy_span(st->m->name, sizeof(st->m->name), a, b);
		return true;
	case 't':
		copy_span(st->m->target, sizeof(st->m->target), a, b);
		return true;
	case 'e':
		/* any text: libbpf prints its own codes as words too */
		if ((size_t)(b - a) < sizeof(buf)) {
			copy_span(buf, sizeof(buf), a, b);
			e = bpfd_errno_parse(buf);
			if (e > 0)
				st->m->err = e;
		}
		return true;
	case 'd':
		if ((size_t)(b - a) >= sizeof(buf))
			return false;
		copy_span(buf, sizeof(buf), a, b);
		if (!isdigit((unsigned char)buf[buf[0] == '-']))
			return false;
		errno = 0;
		v = strtol(buf, &end, 10);
		if (errno || *end)
			return false;
		if (v < 0)
			v = -v;
		if (!st->m->err && v > 0 && v < 4096)
			st->m->err = (int)v;
		return true;
	default:
		return true;
	}
}

static bool match(const char *p, const char *s, struct mstate *st);

/* Placeholder @spec at @s, then the pattern @rest (a literal first). */
static bool match_hole(char spec, const char *rest, const char *s,
		       struct mstate *st)
{
	size_t lit = strcspn(rest, "%");
	const char *eol = s + strcspn(s, "\n");
	struct bpfd_load_msg saved = *st->m;

	if (!*rest) {
		while (eol > s && isspace((unsigned char)eol[-1]))
			eol--;
		return capture(spec, s, eol, st);
	}
	for (const char *q = s; q + lit <= eol; q++) {
		if (strncasecmp(q, rest, lit) != 0)
			continue;
		if (--st->budget < 0)
			return false;
		if (capture(spec, s, q, st) && match(rest, q, st))
			return true;
		*st->m = saved;
	}
	return false;
}

static bool match(const char *p, const char *s, struct mstate *st)
{
	for (; *p && *p != '%'; p++, s++)
		if (tolower((unsigned char)*p) != tolower((unsigned char)*s))
			return false;
	if (!*p)
		return true; /* whatever follows the message */
	return match_hole(p[1], p + 2, s, st);
}

static bool match_anywhere(const struct msg_tmpl *t, const char *text,
			   struct bpfd_load_msg *m)
{
	struct mstate st = {.m = m, .budget = 4096};

	for (const char *s = text; *s; s++) {
		memset(m, 0, sizeof(*m));
		if (tolower((unsigned char)*s) ==
			tolower((unsigned char)t->pattern[0]) &&
		    match(t->pattern, s, &st))
			return true;
		if (st.budget < 0)
			break;
	}
	memset(m, 0, sizeof(*m));
	return false;
}

int bpfd_load_msg_parse(const char *text, struct bpfd_load_msg *m,
			struct bpfd_error *err)
{
	if (!text || !m)
		return bpfd_error_set(err, BPFD_STEP_ARGS, EINVAL, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(msgs); i++) {
		if (match_anywhere(&msgs[i], text, m)) {
			m->id = msgs[i].id;
			m->form = (unsigned int)i;
			return 0;
		}
	}
	memset(m, 0, sizeof(*m));
	return bpfd_error_set(err, BPFD_STEP_PARSE, ENOENT,
			      "not a libbpf message explain knows");
}

/* ---- explaining ---- */

static const struct msg_tmpl *find_tmpl(const struct bpfd_load_msg *m)
{
	if (!m->id || m->form >= ARRAY_SIZE(msgs) ||
	    strcmp(msgs[m->form].id, m->id) != 0)
		return NULL;
	return &msgs[m->form];
}

#define SET(a) (*n = ARRAY_SIZE(a), (a))

static const struct cause_tmpl *causes_of(enum family f, int err, size_t *n)
{
	/* no errno in the message: EPERM, what a refused token gives */
	bool eperm = !err || err == EPERM;

	switch (f) {
	case F_PROG:
		if (eperm)
			return SET(prog_eperm);
		if (err == EACCES)
			return SET(prog_eacces);
		if (err == EINVAL)
			return SET(prog_einval);
		if (err == E2BIG)
			return SET(prog_e2big);
		return SET(prog_other);
	case F_MAP:
		if (eperm)
			return SET(map_eperm);
		if (err == EINVAL)
			return SET(map_einval);
		if (err == ENOMEM)
			return SET(map_enomem);
		return SET(map_other);
	case F_TRIVIAL:
		return eperm ? SET(trivial_eperm) : SET(trivial_other);
	case F_ARRAY:
		return SET(array_eperm);
	case F_BTF:
		return eperm ? SET(btf_eperm) : SET(btf_other);
	case F_FEATURE:
		return SET(feature_causes);
	case F_MEMLOCK:
		return SET(memlock_causes);
	case F_ROOT_ULIMIT:
		return SET(root_ulimit_causes);
	case F_SUMMARY:
		return SET(summary_causes);
	case F_TRACEFS:
		return SET(tp_causes);
	case F_PERF:
		return SET(perf_causes);
	case F_RAW_TP:
		return SET(raw_tp_causes);
	case F_PERF_LINK:
	default:
		return SET(perf_link_causes);
	}
}

/* Expand %N, %T, %E of @tmpl into @out (always terminated). */
static void expand(char *out, size_t len, const char *tmpl,
		   const struct bpfd_load_msg *m)
{
	const char *en = bpfd_errno_name(m->err, NULL);
	size_t o = 0;

	for (const char *p = tmpl; *p && o + 1 < len; p++) {
		const char *sub = NULL;

		if (p[0] == '%' && p[1] == 'N')
			sub = m->name[0] ? m->name : "?";
		else if (p[0] == '%' && p[1] == 'T')
			sub = m->target[0] ? m->target : "?";
		else if (p[0] == '%' && p[1] == 'E')
			sub = en ? en : "no errno given";
		if (!sub) {
			out[o++] = *p;
			continue;
		}
		p++;
		for (; *sub && o + 1 < len; sub++)
			out[o++] = *sub;
	}
	out[o] = '\0';
}

/* libbpf's internal maps are arrays: the item is known then. */
static bool internal_map(const char *name)
{
	static const char *const sfx[] = {".data", ".rodata", ".bss",
					  ".kconfig"};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < ARRAY_SIZE(sfx); i++)
		if (strncmp(dot, sfx[i], strlen(sfx[i])) == 0)
			return true;
	return false;
}

void bpfd_load_msg_explain(const struct bpfd_load_msg *m, int in_userns,
			   struct bpfd_load_explanation *x)
{
	const struct msg_tmpl *t = m ? find_tmpl(m) : NULL;
	const struct cause_tmpl *c;
	size_t n;

	memset(x, 0, sizeof(*x));
	if (!t)
		return;
	expand(x->what, sizeof(x->what), t->what, m);
	x->kind = t->kind;
	x->harmless = t->harmless;
	c = causes_of(t->family, m->err, &n);
	for (size_t i = 0; i < n && i < BPFD_LOAD_CAUSES_MAX; i++) {
		struct bpfd_load_cause *o;

		/* from the initial namespace the memcg probe had what it
		 * needed or not, token or none: the rlimit is what is left */
		if (in_userns == 0 &&
		    strcmp(c[i].id, "memcg-probe-without-token") == 0)
			continue;
		o = &x->cause[x->n++];

		o->kind = c[i].kind;
		o->id = c[i].id;
		o->has_item = c[i].item_kind >= 0;
		o->item_kind =
		    o->has_item ? (enum bpfd_kind)c[i].item_kind : BPFD_CMDS;
		o->item_mask = c[i].item_mask;
		expand(o->item, sizeof(o->item), c[i].item, m);
		expand(o->text, sizeof(o->text), c[i].text, m);
		expand(o->fix, sizeof(o->fix), c[i].fix, m);
		if (strcmp(o->id, "map-type-not-delegated") == 0 &&
		    internal_map(m->name)) {
			o->has_item = true;
			o->item_kind = BPFD_MAPS;
			o->item_mask = 1ULL << MAP_ARRAY;
			snprintf(o->item, sizeof(o->item),
				 "delegate_maps=array");
		}
	}
}

const char *bpfd_lm_kind_name(enum bpfd_lm_kind kind)
{
	static const char *const names[] = {
	    [BPFD_LM_DELEGATION] = "delegation",
	    [BPFD_LM_CAPABILITY] = "capability",
	    [BPFD_LM_HOST_PRIV] = "host-privilege",
	    [BPFD_LM_NO_TOKEN] = "no-token",
	    [BPFD_LM_KERNEL] = "kernel",
	    [BPFD_LM_LIBBPF] = "libbpf",
	};

	return (unsigned int)kind < ARRAY_SIZE(names) ? names[kind] : "?";
}
