/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The delegation set: four 64-bit masks (cmds, maps, progs, attachs), the
 * names of their bits, the LIST syntax users type, and presets.
 *
 * Names come from the running kernel's BTF (enum bpf_cmd, bpf_map_type,
 * bpf_prog_type, bpf_attach_type) and fall back to a built-in table taken
 * from a 6.18 kernel when there is no BTF.
 */
#ifndef BPFDELEGATE_DELEGATION_H
#define BPFDELEGATE_DELEGATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bpfdelegate/api.h>
#include <bpfdelegate/error.h>

#ifdef __cplusplus
extern "C" {
#endif

enum bpfd_kind { BPFD_CMDS, BPFD_MAPS, BPFD_PROGS, BPFD_ATTACHS, BPFD_NKINDS };

#define BPFD_MASK_ANY UINT64_MAX

struct bpfd_delegation {
	uint64_t mask[BPFD_NKINDS];
};

/* "cmds", "maps", "progs", "attachs" */
BPFD_API const char *bpfd_kind_name(enum bpfd_kind kind);
/* "delegate_cmds", ... : the bpffs mount option */
BPFD_API const char *bpfd_kind_option(enum bpfd_kind kind);
/* Kernel enum prefix: "BPF_", "BPF_MAP_TYPE_", "BPF_PROG_TYPE_", "BPF_" */
BPFD_API const char *bpfd_kind_prefix(enum bpfd_kind kind);

/* ---- name tables ---- */

struct bpfd_names;

#define BPFD_NAMES_NO_BTF 0x1 /* use the built-in table only */

/*
 * Load the names for the four kinds from @btf_path (NULL means
 * /sys/kernel/btf/vmlinux), or from the built-in table when the file is
 * missing or BPFD_NAMES_NO_BTF is given.  *@out is owned by the caller
 * (bpfd_names_free).  Returns 0, -ENOMEM, or -EINVAL/-EIO for a corrupt BTF
 * file (with @err set; the caller may retry with BPFD_NAMES_NO_BTF).
 */
BPFD_API int bpfd_names_load(struct bpfd_names **out, const char *btf_path,
			     unsigned int flags, struct bpfd_error *err);
BPFD_API void bpfd_names_free(struct bpfd_names *names);

/* True when the names came from kernel BTF, false for the built-in table. */
BPFD_API bool bpfd_names_from_btf(const struct bpfd_names *names);

/* Number of values the table knows for @kind (the enum's __MAX value). */
BPFD_API unsigned int bpfd_names_count(const struct bpfd_names *names,
				       enum bpfd_kind kind);

/* Bits of all known values of @kind. */
BPFD_API uint64_t bpfd_names_known(const struct bpfd_names *names,
				   enum bpfd_kind kind);

/*
 * Canonical name of @value (lower case, prefix stripped, e.g. "map_create",
 * "ringbuf", "cgroup_inet_ingress"), or NULL when the value is unknown.
 */
BPFD_API const char *bpfd_names_get(const struct bpfd_names *names,
				    enum bpfd_kind kind, unsigned int value);

/*
 * Look up one word: case-insensitive, with or without the kernel prefix
 * ("BPF_MAP_TYPE_HASH", "hash"), or systemd's spelling ("BPFMapTypeHash",
 * "BPFCommandMapCreate", "BPFProgTypeXdp", ...).  Returns the value (>= 0)
 * or -ENOENT.
 */
BPFD_API int bpfd_names_lookup(const struct bpfd_names *names,
			       enum bpfd_kind kind, const char *word);

/*
 * systemd's spelling of @name (as bpfd_names_get() returns it) for
 * BPFDelegateCommands= / Maps= / Programs= / Attachments=: "BPFMapCreate",
 * "BPFMapTypeHash", "BPFProgTypeXdp", "BPFCgroupInetIngress".
 * bpfd_names_lookup() accepts it back.  Returns the length the full string
 * needs (like snprintf), or -EINVAL.
 */
BPFD_API int bpfd_name_systemd(enum bpfd_kind kind, const char *name, char *buf,
			       size_t len);

/*
 * Write up to @max closest known names to @word into @buf (", "-separated).
 * Closest is by edit distance (Levenshtein) between the prefix-stripped,
 * lower-case forms, ties in enum order; names more than strlen/2 + 1 edits
 * away are not suggested, and a name that doesn't fit in @buf is left out.
 * Returns the number of suggestions written.
 */
BPFD_API int bpfd_names_suggest(const struct bpfd_names *names,
				enum bpfd_kind kind, const char *word,
				unsigned int max, char *buf, size_t len);

/* ---- LIST syntax ---- */

/*
 * Parse LIST for @kind and OR the result into *@mask.  Items are separated
 * by ':' or ','; "any" sets all bits; a number (0x hex, decimal, 0 octal)
 * sets those bits; otherwise a name as bpfd_names_lookup() accepts.
 * Unlike the kernel, a number does not replace what came before: items
 * always add up, so "hash:0x4" is hash|array (hash is bit 1, array bit 2).
 * Surrounding blanks of an item are ignored.  *@mask is left as it was on
 * error.  @names may be NULL: then only numbers and "any" parse.
 * Errors: -EINVAL with @err->step = BPFD_STEP_PARSE and @err->detail like
 *   "unknown map type 'hsh' (closest: hash)"
 * (the caller adds which option it was) for an unknown name, an empty item,
 * or a bad number; -EINVAL with BPFD_STEP_ARGS for a NULL @list or @mask.
 */
BPFD_API int bpfd_parse_list(const struct bpfd_names *names,
			     enum bpfd_kind kind, const char *list,
			     uint64_t *mask, struct bpfd_error *err);

/*
 * Format @mask as LIST: "any" when all 64 bits are set, "" for 0, otherwise
 * known names joined by ':' followed by remaining unknown bits as one
 * 0x number.  Returns the length the full string needs (like snprintf).
 */
BPFD_API int bpfd_format_list(const struct bpfd_names *names,
			      enum bpfd_kind kind, uint64_t mask, char *buf,
			      size_t len);

/* ---- presets ---- */

struct bpfd_preset {
	const char *name;
	const char *summary;
	const char *list[BPFD_NKINDS]; /* LIST per kind, NULL = none */
};

/* The preset table, terminated by an entry with name == NULL. */
BPFD_API const struct bpfd_preset *bpfd_presets(void);
BPFD_API const struct bpfd_preset *bpfd_preset_find(const char *name);

/* OR preset @name into @d.  -ENOENT (with @err) for an unknown name. */
BPFD_API int bpfd_preset_apply(const struct bpfd_names *names, const char *name,
			       struct bpfd_delegation *d,
			       struct bpfd_error *err);

/* The names of a preset that @names lacks, per kind, ':'-joined. */
struct bpfd_preset_skipped {
	char list[BPFD_NKINDS][256]; /* "" when none */
};

/*
 * bpfd_preset_apply() for the running kernel: a preset lists names of the
 * newest kernels, and an item @names does not know (tcx_ingress before
 * 6.6, cgroup_unix_* before 6.7...) is left out instead of failing, and
 * recorded in @skipped (may be NULL; zeroed first).  Returns the number of
 * items left out, or -errno (-ENOENT: no such preset).
 */
BPFD_API int bpfd_preset_apply_known(const struct bpfd_names *names,
				     const char *name,
				     struct bpfd_delegation *d,
				     struct bpfd_preset_skipped *skipped,
				     struct bpfd_error *err);

#ifdef __cplusplus
}
#endif
#endif
