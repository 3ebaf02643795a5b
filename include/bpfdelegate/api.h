/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libbpfdelegate's version and the mark of its public functions.
 *
 * The public interface is the headers in include/bpfdelegate/ (installed
 * under INCLUDEDIR/bpfdelegate/): bpfdelegate.h includes them all.  Only
 * the functions declared with BPFD_API are exported by libbpfdelegate.so,
 * each in the version node of lib/libbpfdelegate.map; docs/library.md says
 * what is stable.
 */
#ifndef BPFDELEGATE_API_H
#define BPFDELEGATE_API_H

#ifdef __cplusplus
extern "C" {
#endif

/* The library is built with -fvisibility=hidden: this exports a function. */
#ifndef BPFD_API
#define BPFD_API __attribute__((visibility("default")))
#endif

/* The version of the headers; bpfd_lib_version() gives the library's. */
#define BPFD_LIB_VERSION_MAJOR 0
#define BPFD_LIB_VERSION_MINOR 1
#define BPFD_LIB_VERSION_PATCH 0

/*
 * The version of the library running, "MAJOR.MINOR.PATCH" (e.g. "0.1.0"):
 * it may be newer than the headers a program was built with.
 */
BPFD_API const char *bpfd_lib_version(void);

#ifdef __cplusplus
}
#endif
#endif
