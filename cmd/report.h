/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BPFD_REPORT_H
#define BPFD_REPORT_H

#include <json-c/json.h>

#include <bpfdelegate/engine.h>

#include "cli.h"

/*
 * Human report on stdout: @what names the command ("check"), @where the
 * mount namespace ("in a private mount namespace").  @e is the failure, or
 * NULL/err 0 on success.
 */
void report_print_text(const char *what, const char *where,
		       const struct bpfd_report *rep,
		       const struct bpfd_names *names,
		       const struct bpfd_error *e);

/* Exactly one JSON document on stdout; @skipped (may be NULL): the names
 * presets left out, as "left_out". */
void report_print_json(const struct bpfd_report *rep,
		       const struct bpfd_names *names,
		       const struct bpfd_error *e,
		       const struct bpfd_preset_skipped *skipped,
		       int exit_code);

/* The document report_print_json() prints, for the caller to add to. */
json_object *report_json(const struct bpfd_report *rep,
			 const struct bpfd_names *names,
			 const struct bpfd_error *e,
			 const struct bpfd_preset_skipped *skipped,
			 int exit_code);

#endif
