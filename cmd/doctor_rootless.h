/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doctor's checks for unprivileged callers (cmd/doctor_rootless.c). */
#ifndef BPFD_DOCTOR_ROOTLESS_H
#define BPFD_DOCTOR_ROOTLESS_H

#include <json-c/json.h>

#include <bpfdelegate/delegation.h>

/* The helper path this build re-executes (cli_helper_path()).  Apart:
 * lib/policy.h's struct bpfd_verdict and bpfdelegate/diag.h's enum
 * bpfd_verdict cannot meet in one file. */
const char *doctor_helper_default(void);

/*
 * The helper at @helper (file capability, nosuid), AppArmor's and the
 * kernel's user namespace limits, the policy for the caller: as text
 * lines on stdout, or (when @a is an array) as objects added to it.
 */
void doctor_rootless(const char *helper, const struct bpfd_names *names,
		     json_object *a);

#endif
