// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Linked into the static bpfdelegate only (Makefile STATIC_EXE), whose
 * link routes these functions here (-Wl,--wrap=NAME makes every call of
 * NAME, in our objects and in the static libraries alike, a call of
 * __wrap_NAME).  A static glibc runs NSS modules (libnss_systemd, sssd,
 * ...) and dlopen()ed libraries with a second, dynamic libc: a static test
 * program here crashed in getpwnam() of a name /etc/passwd lacks.
 * cmd/main.c hands every command that needs names or libmount to the
 * dynamically linked twin; should a call still come here, it fails with
 * ENOSYS ("no such user", "libmount not accessible") instead, and the
 * tests (tests/cli/static.bats) would see that.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <sys/types.h>

struct passwd *__wrap_getpwnam(const char *name);
struct passwd *__wrap_getpwuid(uid_t uid);
struct group *__wrap_getgrnam(const char *name);
int __wrap_getpwnam_r(const char *name, struct passwd *pw, char *buf,
		      size_t len, struct passwd **out);
int __wrap_getgrnam_r(const char *name, struct group *gr, char *buf, size_t len,
		      struct group **out);
int __wrap_getgrouplist(const char *user, gid_t group, gid_t *groups,
			int *ngroups);
void *__wrap_dlopen(const char *file, int flags);

struct passwd *__wrap_getpwnam(const char *name)
{
	(void)name;
	errno = ENOSYS;
	return NULL;
}

struct passwd *__wrap_getpwuid(uid_t uid)
{
	(void)uid;
	errno = ENOSYS;
	return NULL;
}

struct group *__wrap_getgrnam(const char *name)
{
	(void)name;
	errno = ENOSYS;
	return NULL;
}

int __wrap_getpwnam_r(const char *name, struct passwd *pw, char *buf,
		      size_t len, struct passwd **out)
{
	(void)name, (void)pw, (void)buf, (void)len;
	*out = NULL;
	return ENOSYS;
}

int __wrap_getgrnam_r(const char *name, struct group *gr, char *buf, size_t len,
		      struct group **out)
{
	(void)name, (void)gr, (void)buf, (void)len;
	*out = NULL;
	return ENOSYS;
}

/* Only the primary group, as for a user NSS does not know. */
int __wrap_getgrouplist(const char *user, gid_t group, gid_t *groups,
			int *ngroups)
{
	(void)user;
	if (*ngroups < 1) {
		*ngroups = 1;
		return -1;
	}
	groups[0] = group;
	*ngroups = 1;
	return 1;
}

void *__wrap_dlopen(const char *file, int flags)
{
	(void)file, (void)flags;
	errno = ENOSYS;
	return NULL;
}
