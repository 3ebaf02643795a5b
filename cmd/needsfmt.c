// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The output formats of `suggest` (cmd/needsfmt.h).
 *
 * Where each format's syntax comes from:
 * - bpffs mount options: kernel/bpf/inode.c bpf_parse_param(): items
 *   joined by ':', and a number *replaces* what came before, so a kind
 *   with a bit that has no name here is written as one hex mask.
 * - systemd 258, systemd.exec(5): PrivateBPF=yes with BPFDelegateCommands=,
 *   BPFDelegateMaps=, BPFDelegatePrograms=, BPFDelegateAttachments=, each a
 *   comma-separated list of "BPF" + CamelCase enum words (systemd's own
 *   test, test/units/TEST-07-PID1.private-bpf.sh:
 *   "BPFDelegateMaps=BPFMapTypeArray,BPFMapTypeCpumap,BPFMapTypeRingbuf"
 *   mounts "delegate_maps=array:cpumap:ringbuf"); names only.  The token
 *   is only usable in a user namespace: the unit also needs PrivateUsers=.
 * - Incus (https://linuxcontainers.org/incus/docs/main/explanation/
 *   bpf-tokens/): security.bpffs.delegate_cmds, .delegate_maps,
 *   .delegate_progs, .delegate_attachs, "a comma-separated list of values"
 *   named as the kernel's enums without their prefix (and "any"); the
 *   mount point is security.bpffs.path.
 * - LXD (https://documentation.ubuntu.com/lxd/en/latest/explanation/bpf/):
 *   security.delegate_bpf=true with security.delegate_bpf.cmd_types,
 *   .map_types, .prog_types, .attach_types; the value is handed to the
 *   bpffs mount option unchanged (lxd/instance/drivers/driver_lxc.go), so
 *   its syntax is the kernel's: ':'-separated (the docs' example:
 *   security.delegate_bpf.cmd_types=prog_load:map_create).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "needsfmt.h"

static const char *const format_names[] = {
    [NEEDS_FMT_OPTIONS] = "options", [NEEDS_FMT_MOUNT] = "mount",
    [NEEDS_FMT_SYSTEMD] = "systemd", [NEEDS_FMT_INCUS] = "incus",
    [NEEDS_FMT_LXD] = "lxd",	     [NEEDS_FMT_JSON] = "json",
};

static const char *const systemd_keys[BPFD_NKINDS] = {
    "BPFDelegateCommands", "BPFDelegateMaps", "BPFDelegatePrograms",
    "BPFDelegateAttachments"};
static const char *const incus_keys[BPFD_NKINDS] = {
    "security.bpffs.delegate_cmds", "security.bpffs.delegate_maps",
    "security.bpffs.delegate_progs", "security.bpffs.delegate_attachs"};
static const char *const lxd_keys[BPFD_NKINDS] = {
    "security.delegate_bpf.cmd_types", "security.delegate_bpf.map_types",
    "security.delegate_bpf.prog_types", "security.delegate_bpf.attach_types"};

/* A LIST can be long: 64 names of up to 40 bytes. */
#define LIST_MAX 4096

int needsfmt_parse(const char *name, enum needs_format *f)
{
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]);
	     i++)
		if (strcmp(name, format_names[i]) == 0) {
			*f = (enum needs_format)i;
			return 0;
		}
	return -EINVAL;
}

/* True when every bit of @mask has a name in @names. */
static bool all_named(const struct bpfd_names *names, enum bpfd_kind k,
		      uint64_t mask)
{
	for (unsigned int v = 0; v < 64; v++)
		if ((mask >> v & 1) && !bpfd_names_get(names, k, v))
			return false;
	return true;
}

/*
 * @mask as the kernel's mount option value joined by @sep: names, or one
 * hex mask when a bit has no name (a number replaces the names before it).
 */
static void kernel_list(const struct bpfd_names *names, enum bpfd_kind k,
			uint64_t mask, char sep, char *buf, size_t len)
{
	if (!all_named(names, k, mask)) {
		snprintf(buf, len, "0x%llx", (unsigned long long)mask);
		return;
	}
	bpfd_format_list(names, k, mask, buf, len);
	for (char *c = buf; *c; c++)
		if (*c == ':')
			*c = sep;
}

/* systemd's spelling of each named bit, joined by ','. */
static void systemd_list(const struct bpfd_names *names, enum bpfd_kind k,
			 uint64_t mask, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned int v = 0; v < 64 && o < len; v++) {
		const char *nm =
		    (mask >> v & 1) ? bpfd_names_get(names, k, v) : NULL;
		char sd[160];

		if (!nm || bpfd_name_systemd(k, nm, sd, sizeof(sd)) < 0)
			continue;
		o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? "," : "",
				      sd);
	}
}

int needsfmt_options(const struct bpfd_delegation *d,
		     const struct bpfd_names *names, char *buf, size_t len)
{
	size_t o = 0;
	int r;

	if (len)
		buf[0] = '\0';
	for (int k = 0; k < BPFD_NKINDS; k++) {
		char list[LIST_MAX];

		if (!d->mask[k])
			continue;
		bpfd_format_list(names, (enum bpfd_kind)k, d->mask[k], list,
				 sizeof(list));
		r = snprintf(o < len ? buf + o : NULL, o < len ? len - o : 0,
			     "%s--%s %s", o ? " " : "",
			     bpfd_kind_name((enum bpfd_kind)k), list);
		o += (size_t)r;
	}
	return (int)o;
}

static void mount_options(const struct bpfd_delegation *d,
			  const struct bpfd_names *names, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int k = 0; k < BPFD_NKINDS && o < len; k++) {
		char list[LIST_MAX];

		if (!d->mask[k])
			continue;
		kernel_list(names, (enum bpfd_kind)k, d->mask[k], ':', list,
			    sizeof(list));
		o +=
		    (size_t)snprintf(buf + o, len - o, "%s%s=%s", o ? "," : "",
				     bpfd_kind_option((enum bpfd_kind)k), list);
	}
}

/* "# cmds map_create: map 'counts' (array)" for every item. */
static void print_reasons(FILE *out, const struct bpfd_needs *n,
			  const struct bpfd_names *names)
{
	for (size_t i = 0; i < n->n; i++) {
		const struct bpfd_need *it = &n->items[i];
		const char *nm = bpfd_names_get(names, it->kind, it->value);

		if (nm)
			fprintf(out, "# %-7s %s: %s\n",
				bpfd_kind_name(it->kind), nm, it->reason);
		else
			fprintf(out, "# %-7s %u (no name on this kernel): %s\n",
				bpfd_kind_name(it->kind), it->value,
				it->reason);
	}
}

static void print_keys(FILE *out, const struct bpfd_delegation *d,
		       const struct bpfd_names *names,
		       const char *const keys[BPFD_NKINDS], char sep)
{
	for (int k = 0; k < BPFD_NKINDS; k++) {
		char list[LIST_MAX];

		if (!d->mask[k])
			continue;
		kernel_list(names, (enum bpfd_kind)k, d->mask[k], sep, list,
			    sizeof(list));
		fprintf(out, "%s=%s\n", keys[k], list);
	}
}

static void print_systemd(FILE *out, const struct bpfd_delegation *d,
			  const struct bpfd_names *names)
{
	fputs("# in the unit's [Service] section; a token is only usable in "
	      "a user\n# namespace: PrivateUsers= is needed too\n",
	      out);
	for (int k = 0; k < BPFD_NKINDS; k++)
		for (unsigned int v = 0; v < 64; v++)
			if ((d->mask[k] >> v & 1) &&
			    !bpfd_names_get(names, (enum bpfd_kind)k, v))
				fprintf(out,
					"# %s: value %u has no name on this "
					"kernel, and systemd takes names "
					"only\n",
					bpfd_kind_name((enum bpfd_kind)k), v);
	fputs("PrivateBPF=yes\n", out);
	for (int k = 0; k < BPFD_NKINDS; k++) {
		char list[LIST_MAX];

		if (!d->mask[k])
			continue;
		systemd_list(names, (enum bpfd_kind)k, d->mask[k], list,
			     sizeof(list));
		fprintf(out, "%s=%s\n", systemd_keys[k], list);
	}
}

void needsfmt_print(FILE *out, enum needs_format f, const struct bpfd_needs *n,
		    const struct bpfd_names *names)
{
	char buf[4 * LIST_MAX];

	if (f == NEEDS_FMT_JSON) {
		json_object *j = needsfmt_json(n, names);

		fprintf(out, "%s\n",
			j ? json_object_to_json_string_ext(
				j, JSON_C_TO_STRING_PRETTY |
				       JSON_C_TO_STRING_NOSLASHESCAPE)
			  : "null");
		json_object_put(j);
		return;
	}
	print_reasons(out, n, names);
	switch (f) {
	case NEEDS_FMT_OPTIONS:
		needsfmt_options(&n->deleg, names, buf, sizeof(buf));
		fprintf(out, "%s\n", buf);
		break;
	case NEEDS_FMT_MOUNT:
		mount_options(&n->deleg, names, buf, sizeof(buf));
		fprintf(out, "%s\n", buf);
		break;
	case NEEDS_FMT_SYSTEMD:
		print_systemd(out, &n->deleg, names);
		break;
	case NEEDS_FMT_INCUS:
		fputs("# incus config set INSTANCE KEY=VALUE for each line\n",
		      out);
		print_keys(out, &n->deleg, names, incus_keys, ',');
		break;
	case NEEDS_FMT_LXD:
		fputs("# lxc config set INSTANCE KEY=VALUE for each line\n",
		      out);
		fputs("security.delegate_bpf=true\n", out);
		print_keys(out, &n->deleg, names, lxd_keys, ':');
		break;
	default:
		break;
	}
}

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *kind_array(const struct bpfd_names *names, enum bpfd_kind k,
			       uint64_t mask)
{
	json_object *a = json_object_new_array();

	for (unsigned int v = 0; a && v < 64; v++) {
		const char *nm;

		if (!(mask >> v & 1))
			continue;
		nm = bpfd_names_get(names, k, v);
		json_object_array_add(a, nm ? json_object_new_string(nm)
					    : json_object_new_int((int)v));
	}
	return a;
}

static json_object *keys_json(const struct bpfd_delegation *d,
			      const struct bpfd_names *names,
			      const char *const keys[BPFD_NKINDS], char sep,
			      bool systemd)
{
	json_object *o = json_object_new_object();

	for (int k = 0; o && k < BPFD_NKINDS; k++) {
		char list[LIST_MAX];

		if (!d->mask[k])
			continue;
		if (systemd)
			systemd_list(names, (enum bpfd_kind)k, d->mask[k], list,
				     sizeof(list));
		else
			kernel_list(names, (enum bpfd_kind)k, d->mask[k], sep,
				    list, sizeof(list));
		json_object_object_add(o, keys[k],
				       json_object_new_string(list));
	}
	return o;
}

json_object *needsfmt_json(const struct bpfd_needs *n,
			   const struct bpfd_names *names)
{
	json_object *o = json_object_new_object(), *items, *lxd;
	char buf[4 * LIST_MAX];

	if (!o)
		return NULL;
	for (int k = 0; k < BPFD_NKINDS; k++)
		json_object_object_add(
		    o, bpfd_kind_name((enum bpfd_kind)k),
		    kind_array(names, (enum bpfd_kind)k, n->deleg.mask[k]));
	items = json_object_new_array();
	for (size_t i = 0; items && i < n->n; i++) {
		const struct bpfd_need *it = &n->items[i];
		json_object *j = json_object_new_object();

		if (!j)
			break;
		json_object_object_add(
		    j, "kind",
		    json_object_new_string(bpfd_kind_name(it->kind)));
		json_object_object_add(j, "value",
				       json_object_new_int((int)it->value));
		json_object_object_add(
		    j, "name",
		    str_or_null(bpfd_names_get(names, it->kind, it->value)));
		json_object_object_add(j, "reason",
				       json_object_new_string(it->reason));
		json_object_array_add(items, j);
	}
	json_object_object_add(o, "items", items);
	needsfmt_options(&n->deleg, names, buf, sizeof(buf));
	json_object_object_add(o, "options", json_object_new_string(buf));
	mount_options(&n->deleg, names, buf, sizeof(buf));
	json_object_object_add(o, "mount_options", json_object_new_string(buf));
	json_object_object_add(
	    o, "systemd", keys_json(&n->deleg, names, systemd_keys, ',', true));
	json_object_object_add(
	    o, "incus", keys_json(&n->deleg, names, incus_keys, ',', false));
	lxd = keys_json(&n->deleg, names, lxd_keys, ':', false);
	if (lxd)
		json_object_object_add(lxd, "security.delegate_bpf",
				       json_object_new_string("true"));
	json_object_object_add(o, "lxd", lxd);
	return o;
}
