/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Output helpers shared by list, names, doctor and explain. */
#ifndef BPFD_DIAGFMT_H
#define BPFD_DIAGFMT_H

#include <json-c/json.h>
#include <stdio.h>

#include <bpfdelegate/delegation.h>
#include <bpfdelegate/mounts.h>

/*
 * Print @text word-wrapped to 79 columns: the first line continues from
 * column @col (what the caller already printed), the next ones start with
 * @indent spaces.  Ends with a newline.
 */
void fmt_wrap(FILE *out, int col, int indent, const char *text);

/* "EINVAL" for 22, "?" when unknown. */
const char *fmt_errname(int err);

/* The errno as a JSON string ("EINVAL"), or NULL (JSON null) for 0/-1. */
json_object *fmt_errno_json(int err);

/* {cmds: {mask: "0x..", list: ".."}, maps: ..., progs: ..., attachs: ...} */
json_object *fmt_masks_json(const struct bpfd_names *names,
			    const struct bpfd_delegation *d);

/* A string, or JSON null for NULL or "". */
json_object *fmt_str_or_null(const char *s);

/* A bpffs's owner as list and doctor report it. */
json_object *fmt_owner_json(const struct bpfd_owner_info *ow);

/* Print @o as the one JSON document on stdout, and release it. */
void fmt_print_json(json_object *o);

#endif
