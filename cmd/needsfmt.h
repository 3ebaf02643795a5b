/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Print a struct bpfd_needs (lib/needs.h) in every output format of
 * `suggest` and `suggest --learn`: bpfdelegate options, bpffs mount
 * options, systemd unit lines, Incus and LXD instance keys, JSON.
 */
#ifndef BPFD_NEEDSFMT_H
#define BPFD_NEEDSFMT_H

#include <stdio.h>

#include <json-c/json.h>

#include <bpfdelegate/delegation.h>

#include "needs.h"

enum needs_format {
	NEEDS_FMT_OPTIONS, /* --cmds ... --maps ... (default) */
	NEEDS_FMT_MOUNT,   /* delegate_cmds=...,delegate_maps=... */
	NEEDS_FMT_SYSTEMD, /* PrivateBPF=yes, BPFDelegateCommands=... */
	NEEDS_FMT_INCUS,   /* security.bpffs.delegate_cmds=... */
	NEEDS_FMT_LXD,	   /* security.delegate_bpf.cmd_types=... */
	NEEDS_FMT_JSON,	   /* one JSON document */
};

/* "options", "mount", "systemd", "incus", "lxd", "json": 0 or -EINVAL. */
int needsfmt_parse(const char *name, enum needs_format *f);

/* "options|mount|systemd|incus|lxd|json", for usage and errors. */
#define NEEDSFMT_NAMES "options, mount, systemd, incus, lxd, json"

/*
 * Print @n in format @f to @out.  The human formats put each item's
 * reason first, as '#' comments, then the lines to use (the last lines,
 * so `grep -v '^#'` leaves only them).  A kind with no item is left out
 * (every format's default for it is "nothing delegated").  NEEDS_FMT_JSON
 * prints needsfmt_json() (pretty).
 */
void needsfmt_print(FILE *out, enum needs_format f, const struct bpfd_needs *n,
		    const struct bpfd_names *names);

/*
 * The JSON form: {"cmds": [names], "maps": [...], "progs": [...],
 * "attachs": [...], "items": [{"kind", "value", "name", "reason"}],
 * "options": "--cmds ...", "mount_options": "delegate_cmds=...",
 * "systemd": {"BPFDelegateCommands": "...", ...}, "incus": {key: value},
 * "lxd": {key: value}}.  A value without a name is null in "items" and a
 * number in the lists.  Caller owns it (json_object_put); NULL on ENOMEM.
 */
json_object *needsfmt_json(const struct bpfd_needs *n,
			   const struct bpfd_names *names);

/*
 * The bpfdelegate options for @d ("--cmds a:b --maps c ..."), kinds with
 * no bit left out, into @buf.  Returns the length needed (snprintf).
 */
int needsfmt_options(const struct bpfd_delegation *d,
		     const struct bpfd_names *names, char *buf, size_t len);

#endif
