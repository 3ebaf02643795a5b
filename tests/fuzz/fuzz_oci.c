// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: the OCI state and config.json parsers of lib/oci.c
 * (what oci-hook reads from the runtime and the bundle).  The same input
 * goes to both, then the rootfs path is composed from what was taken.
 * Both are parsed both ways, the fast ways (without json-c, or pruned for
 * it) and by json-c whole: the answers must be the same.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "oci.h"
#include "../oci_same.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfd_error e = {0};
	struct bpfd_oci_state st;
	struct bpfd_oci_config cfg;
	char rootfs[BPFD_OCI_PATH_MAX];
	int rs, rc;

	rs = bpfd_oci_parse_state((const char *)data, size, &st, &e);
	/* An error always says what is wrong, in one line. */
	if (rs < 0 && (!e.detail[0] || strchr(e.detail, '\n')))
		__builtin_trap();
	if (rs == 0 &&
	    (st.pid <= 0 || !st.bundle || st.bundle[0] != '/' || !st.id))
		__builtin_trap();
	rc = bpfd_oci_parse_config((const char *)data, size, &cfg, &e);
	if (rc < 0 && (!e.detail[0] || strchr(e.detail, '\n')))
		__builtin_trap();
	if (rc == 0 && (!cfg.root_path || !cfg.root_path[0]))
		__builtin_trap();
	if (rs == 0 && rc == 0 &&
	    bpfd_oci_rootfs(st.bundle, cfg.root_path, rootfs, sizeof(rootfs),
			    &e) == 0 &&
	    strlen(rootfs) >= sizeof(rootfs))
		__builtin_trap();
	if (!oci_config_same_both_ways((const char *)data, size) ||
	    !oci_state_same_both_ways((const char *)data, size))
		__builtin_trap();
	for (int k = 0; rs == 0 && k < BPFD_OCI_NKEYS; k++)
		if (st.ann.value[k])
			(void)strlen(st.ann.value[k]);
	bpfd_oci_state_free(&st);
	bpfd_oci_config_free(&cfg);
	return 0;
}
