// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Names of the delegate mask bits: from the running kernel's BTF when it has
 * some, else from the built-in table.  The kernel matches names the same way
 * (kernel/bpf/inode.c: case-insensitive, prefix stripped), so a name we
 * accept is a name the kernel would accept on this machine; we still hand
 * the kernel hex masks only, as its numbers replace instead of adding up.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <bpfdelegate/delegation.h>

#include "btf_cache.h"
#include "btf_enums.h"
#include "internal.h"

#define DEFAULT_BTF "/sys/kernel/btf/vmlinux"

struct bpfd_names {
	bool from_btf;
	unsigned int count[BPFD_NKINDS];
	uint64_t known[BPFD_NKINDS];
	const char *canon[BPFD_NKINDS][64]; /* first name of each value */
	const struct bpfd_enum_entry *ent;  /* every name, aliases too */
	unsigned int nent;
	struct bpfd_btf_enums btf; /* owns ent and the names from BTF */
};

static const struct {
	const char *name, *option, *prefix;
	const char *camel; /* systemd's spelling of the prefix */
} kinds[BPFD_NKINDS] = {
    [BPFD_CMDS] = {"cmds", "delegate_cmds", "BPF_", "BPF"},
    [BPFD_MAPS] = {"maps", "delegate_maps", "BPF_MAP_TYPE_", "BPFMapType"},
    [BPFD_PROGS] = {"progs", "delegate_progs", "BPF_PROG_TYPE_", "BPFProgType"},
    [BPFD_ATTACHS] = {"attachs", "delegate_attachs", "BPF_", "BPF"},
};

static bool valid_kind(enum bpfd_kind kind)
{
	return (unsigned int)kind < BPFD_NKINDS;
}

const char *bpfd_kind_name(enum bpfd_kind kind)
{
	return valid_kind(kind) ? kinds[kind].name : NULL;
}

const char *bpfd_kind_option(enum bpfd_kind kind)
{
	return valid_kind(kind) ? kinds[kind].option : NULL;
}

const char *bpfd_kind_prefix(enum bpfd_kind kind)
{
	return valid_kind(kind) ? kinds[kind].prefix : NULL;
}

/*
 * Turn the raw BTF names into table names in place: prefix stripped, lower
 * case.  Entries without the prefix are dropped, as the kernel's
 * find_btf_enum_const() never matches them.
 */
static void adopt_btf(struct bpfd_names *n)
{
	struct bpfd_btf_enums *b = &n->btf;
	unsigned int kept = 0;

	for (unsigned int i = 0; i < b->n; i++) {
		struct bpfd_enum_entry e = b->entries[i];
		const char *pfx = kinds[e.kind].prefix;
		size_t plen = strlen(pfx);
		/* the names live in b->pool, which we own and may rewrite */
		char *name = b->pool + (e.name - b->pool);

		if (strncasecmp(name, pfx, plen) != 0 || !name[plen])
			continue;
		name += plen;
		for (char *c = name; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		e.name = name;
		b->entries[kept++] = e;
	}
	n->ent = b->entries;
	n->nent = kept;
	n->from_btf = true;
}

static void index_names(struct bpfd_names *n, const unsigned int *max)
{
	unsigned int top[BPFD_NKINDS] = {0};

	for (unsigned int i = 0; i < n->nent; i++) {
		const struct bpfd_enum_entry *e = &n->ent[i];

		if (!n->canon[e->kind][e->value])
			n->canon[e->kind][e->value] = e->name;
		n->known[e->kind] |= 1ULL << e->value;
		if (e->value + 1U > top[e->kind])
			top[e->kind] = e->value + 1U;
	}
	/* no "__MAX_" entry, or an odd one: trust the names we have */
	for (int k = 0; k < BPFD_NKINDS; k++) {
		n->count[k] = max[k] < top[k] ? top[k] : max[k];
		if (n->count[k] > 64)
			n->count[k] = 64;
	}
}

/* The running kernel's enums: kept for the boot in @cache_dir (when
 * given, for the default BTF file), else read and kept there. */
static int read_enums_cached(const char *path, const char *cache_dir,
			     struct bpfd_btf_enums *out)
{
	struct stat st;
	int r;

	if (!cache_dir || strcmp(path, DEFAULT_BTF) != 0 || stat(path, &st) < 0)
		return bpfd_btf_read_enums(path, out);
	if (bpfd_btf_cache_read(cache_dir, &st, out) == 0)
		return 0;
	r = bpfd_btf_read_enums(path, out);
	if (r == 0)
		bpfd_btf_cache_write(cache_dir, &st, out);
	return r;
}

static int names_load(struct bpfd_names **out, const char *btf_path,
		      unsigned int flags, const char *cache_dir,
		      struct bpfd_error *err)
{
	const char *path = btf_path ? btf_path : DEFAULT_BTF;
	_cleanup_free_ struct bpfd_names *n = NULL;
	int r = -ENOENT;

	if (!out || (flags & ~BPFD_NAMES_NO_BTF))
		return bpfd_error_set(err, BPFD_STEP_ARGS, EINVAL,
				      "names load flags 0x%x", flags);
	*out = NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return bpfd_error_set(err, BPFD_STEP_BTF, ENOMEM, NULL);
	if (!(flags & BPFD_NAMES_NO_BTF))
		r = read_enums_cached(path, cache_dir, &n->btf);
	if (r == 0) {
		unsigned int max[BPFD_NKINDS];

		memcpy(max, n->btf.max, sizeof(max));
		adopt_btf(n);
		index_names(n, max);
	} else if (r == -ENOENT) {
		/* no BTF (CONFIG_DEBUG_INFO_BTF=n) or asked not to use it */
		n->ent = bpfd_fallback_entries;
		n->nent = bpfd_fallback_nentries;
		index_names(n, bpfd_fallback_max);
	} else if (r == -ESRCH) {
		return bpfd_error_set(err, BPFD_STEP_BTF, EINVAL,
				      "%s: no enum bpf_cmd, bpf_map_type, "
				      "bpf_prog_type or bpf_attach_type",
				      path);
	} else {
		return bpfd_error_set(err, BPFD_STEP_BTF, -r, "%s", path);
	}
	*out = TAKE_PTR(n);
	return 0;
}

int bpfd_names_load(struct bpfd_names **out, const char *btf_path,
		    unsigned int flags, struct bpfd_error *err)
{
	return names_load(out, btf_path, flags, NULL, err);
}

int bpfd_names_load_kept(struct bpfd_names **out, struct bpfd_error *err)
{
	return names_load(out, NULL, 0, BPFD_CACHE_DIR, err);
}

void bpfd_names_free(struct bpfd_names *names)
{
	if (!names)
		return;
	bpfd_btf_enums_free(&names->btf);
	free(names);
}

bool bpfd_names_from_btf(const struct bpfd_names *names)
{
	return names && names->from_btf;
}

unsigned int bpfd_names_count(const struct bpfd_names *names,
			      enum bpfd_kind kind)
{
	return names && valid_kind(kind) ? names->count[kind] : 0;
}

uint64_t bpfd_names_known(const struct bpfd_names *names, enum bpfd_kind kind)
{
	return names && valid_kind(kind) ? names->known[kind] : 0;
}

const char *bpfd_names_get(const struct bpfd_names *names, enum bpfd_kind kind,
			   unsigned int value)
{
	if (!names || !valid_kind(kind) || value >= 64)
		return NULL;
	return names->canon[kind][value];
}

/* Exact match, case-insensitive, with or without the kernel prefix. */
static int find(const struct bpfd_names *n, enum bpfd_kind kind,
		const char *word)
{
	const char *pfx = kinds[kind].prefix;
	size_t plen = strlen(pfx);
	const char *bare =
	    strncasecmp(word, pfx, plen) == 0 ? word + plen : NULL;

	for (unsigned int i = 0; i < n->nent; i++)
		if (n->ent[i].kind == kind &&
		    strcasecmp(n->ent[i].name, word) == 0)
			return n->ent[i].value;
	for (unsigned int i = 0; bare && *bare && i < n->nent; i++)
		if (n->ent[i].kind == kind &&
		    strcasecmp(n->ent[i].name, bare) == 0)
			return n->ent[i].value;
	return -ENOENT;
}

/* systemd-style words: no '_', both cases ("BPFMapTypeHash"). */
static bool is_camel(const char *w)
{
	bool upper = false, lower = false;

	for (; *w; w++) {
		if (*w == '_')
			return false;
		upper |= isupper((unsigned char)*w) != 0;
		lower |= islower((unsigned char)*w) != 0;
	}
	return upper && lower;
}

/*
 * "BPFCgroupInet4Bind" -> "bpf_cgroup_inet4_bind": a word starts at an
 * upper-case letter after a lower-case letter or digit, and at the last
 * upper-case letter of a run followed by a lower-case one ("BPFMap").
 */
static void camel_to_snake(const char *w, char *out, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; w[i] && o + 2 < len; i++) {
		unsigned char c = (unsigned char)w[i];
		unsigned char prev = i ? (unsigned char)w[i - 1] : 0;
		unsigned char next = (unsigned char)w[i + 1];

		if (i && isupper(c) &&
		    (islower(prev) || isdigit(prev) ||
		     (isupper(prev) && islower(next))))
			out[o++] = '_';
		out[o++] = (char)tolower(c);
	}
	out[o] = '\0';
}

/* Compare ignoring case and '_'; returns the rest of @s after @prefix. */
static const char *squash_prefix(const char *s, const char *prefix)
{
	for (;;) {
		while (*s == '_')
			s++;
		while (*prefix == '_')
			prefix++;
		if (!*prefix)
			return s;
		if (tolower((unsigned char)*s) !=
		    tolower((unsigned char)*prefix))
			return NULL;
		s++;
		prefix++;
	}
}

/*
 * Last resort for CamelCase words whose word breaks we can't guess, such
 * as a digit starting a word: compare with every '_' removed.
 */
static int find_squashed(const struct bpfd_names *n, enum bpfd_kind kind,
			 const char *word)
{
	const char *bare = squash_prefix(word, kinds[kind].prefix);

	for (unsigned int i = 0; i < n->nent; i++) {
		const char *rest;

		if (n->ent[i].kind != kind)
			continue;
		rest = squash_prefix(word, n->ent[i].name);
		if (rest && !*rest)
			return n->ent[i].value;
		rest = bare ? squash_prefix(bare, n->ent[i].name) : NULL;
		if (rest && !*rest)
			return n->ent[i].value;
	}
	return -ENOENT;
}

int bpfd_names_lookup(const struct bpfd_names *names, enum bpfd_kind kind,
		      const char *word)
{
	char snake[2 * BPFD_ENUM_NAME_MAX];
	int r;

	if (!names || !valid_kind(kind) || !word || !*word ||
	    strlen(word) >= BPFD_ENUM_NAME_MAX)
		return -ENOENT;
	r = find(names, kind, word);
	if (r >= 0 || !is_camel(word))
		return r;
	/* systemd writes "BPFMapCreate"; users also write
	 * "BPFCommandMapCreate". */
	if (kind == BPFD_CMDS && strncmp(word, "BPFCommand", 10) == 0 &&
	    word[10]) {
		snprintf(snake, sizeof(snake), "BPF%s", word + 10);
		return bpfd_names_lookup(names, kind, snake);
	}
	camel_to_snake(word, snake, sizeof(snake));
	r = find(names, kind, snake);
	if (r >= 0)
		return r;
	return find_squashed(names, kind, word);
}

int bpfd_name_systemd(enum bpfd_kind kind, const char *name, char *buf,
		      size_t len)
{
	char tmp[2 * BPFD_ENUM_NAME_MAX];
	size_t o;
	bool start = true;

	if (!valid_kind(kind) || !name || strlen(name) >= BPFD_ENUM_NAME_MAX)
		return -EINVAL;
	o = (size_t)snprintf(tmp, sizeof(tmp), "%s", kinds[kind].camel);
	for (; *name; name++) {
		if (*name == '_') {
			start = true;
			continue;
		}
		tmp[o++] = (char)(start ? toupper((unsigned char)*name)
					: tolower((unsigned char)*name));
		start = false;
	}
	tmp[o] = '\0';
	return snprintf(buf, len, "%s", tmp);
}

/* Levenshtein distance of two lower-case strings shorter than NAME_MAX. */
static unsigned int distance(const char *a, const char *b)
{
	unsigned int row[BPFD_ENUM_NAME_MAX], la = (unsigned int)strlen(a);

	for (unsigned int i = 0; i <= la; i++)
		row[i] = i;
	for (unsigned int j = 1; b[j - 1]; j++) {
		unsigned int diag = row[0];

		row[0] = j;
		for (unsigned int i = 1; i <= la; i++) {
			unsigned int up = row[i];
			unsigned int best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[i - 1] + 1 < best)
				best = row[i - 1] + 1;
			diag = up;
			row[i] = best;
		}
	}
	return row[la];
}

/* What the user probably meant: prefix stripped, snake, lower case. */
static void normalize(enum bpfd_kind kind, const char *word, char *out,
		      size_t len)
{
	char tmp[2 * BPFD_ENUM_NAME_MAX];
	const char *pfx = kinds[kind].prefix;

	if (is_camel(word))
		camel_to_snake(word, tmp, sizeof(tmp));
	else
		snprintf(tmp, sizeof(tmp), "%s", word);
	for (char *c = tmp; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	word = tmp;
	if (strncasecmp(word, pfx, strlen(pfx)) == 0 && word[strlen(pfx)])
		word += strlen(pfx);
	len = strnlen(word, len - 1);
	memcpy(out, word, len);
	out[len] = '\0';
}

static bool append(char *buf, size_t len, size_t *used, const char *s)
{
	size_t need = strlen(s) + (*used ? 2 : 0);

	if (*used + need >= len)
		return false;
	*used += (size_t)snprintf(buf + *used, len - *used, "%s%s",
				  *used ? ", " : "", s);
	return true;
}

int bpfd_names_suggest(const struct bpfd_names *names, enum bpfd_kind kind,
		       const char *word, unsigned int max, char *buf,
		       size_t len)
{
	unsigned char dist[BPFD_ENUM_MAX_ENTRIES];
	char w[BPFD_ENUM_NAME_MAX];
	unsigned int cutoff, found = 0;
	size_t used = 0;

	if (buf && len)
		buf[0] = '\0';
	if (!names || !valid_kind(kind) || !word || !buf || !len ||
	    strlen(word) >= BPFD_ENUM_NAME_MAX)
		return 0;
	normalize(kind, word, w, sizeof(w));
	/* beyond this a "suggestion" is noise: "hsh" gets "hash", not
	 * "array" */
	cutoff = (unsigned int)strlen(w) / 2 + 1;
	for (unsigned int i = 0; i < names->nent; i++)
		dist[i] = names->ent[i].kind != kind
			      ? UINT8_MAX
			      : (unsigned char)distance(w, names->ent[i].name);
	for (unsigned int d = 0; d <= cutoff && found < max; d++)
		for (unsigned int i = 0; i < names->nent && found < max; i++)
			if (dist[i] == d &&
			    append(buf, len, &used, names->ent[i].name))
				found++;
	return (int)found;
}
