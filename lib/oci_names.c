// SPDX-License-Identifier: LGPL-2.1-or-later
/* The names lib/oci.c and lib/oci_fast.c look for: the bpfdelegate.io/
 * annotation keys and process.capabilities' sets. */
#include <errno.h>
#include <string.h>

#include "oci.h"

static const char *const key_names[BPFD_OCI_NKEYS] = {
    [BPFD_OCI_CMDS] = "cmds",	      [BPFD_OCI_MAPS] = "maps",
    [BPFD_OCI_PROGS] = "progs",	      [BPFD_OCI_ATTACHS] = "attachs",
    [BPFD_OCI_PRESET] = "preset",     [BPFD_OCI_TARGET] = "target",
    [BPFD_OCI_UNUSABLE] = "unusable",
};

const char *bpfd_oci_key_name(enum bpfd_oci_key k)
{
	return (unsigned)k < BPFD_OCI_NKEYS ? key_names[k] : NULL;
}

int bpfd_oci_key_of(const char *key, size_t n)
{
	const size_t plen = strlen(BPFD_OCI_ANNOTATION_PREFIX);

	if (n < plen || memcmp(key, BPFD_OCI_ANNOTATION_PREFIX, plen) != 0)
		return -ENOENT;
	for (int k = 0; k < BPFD_OCI_NKEYS; k++)
		if (n - plen == strlen(key_names[k]) &&
		    memcmp(key + plen, key_names[k], n - plen) == 0)
			return k;
	return -EINVAL;
}

static const char *const cap_set_names[BPFD_OCI_NCAPSETS] = {
    [BPFD_OCI_BOUNDING] = "bounding",	[BPFD_OCI_EFFECTIVE] = "effective",
    [BPFD_OCI_PERMITTED] = "permitted", [BPFD_OCI_INHERITABLE] = "inheritable",
    [BPFD_OCI_AMBIENT] = "ambient",
};

const char *bpfd_oci_cap_set_name(enum bpfd_oci_cap_set s)
{
	return (unsigned)s < BPFD_OCI_NCAPSETS ? cap_set_names[s] : NULL;
}
