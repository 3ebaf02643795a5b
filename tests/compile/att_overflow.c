// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Compiled by tests/compile/run.sh with -DATTACHS=a,b,...: a program
 * recipe with that many attach types.  More than BPFD_PROBE_MAX_ATTACH
 * must not compile.
 */
#include "probe_table.h"

const struct bpfd_prog_recipe recipe = {.name = "test", ATT(ATTACHS)};
