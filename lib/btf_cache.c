// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The four kernel enums of the running kernel's BTF, kept for the boot in
 * a root-owned file (issue 11): reading them from /sys/kernel/btf/vmlinux
 * scans ~5 MB, 0.2-0.6 ms here, paid by every delegation by name.  The
 * file is trusted only as root's: the directory and the file owned by uid
 * 0 and writable by nobody else, a regular file, and its key (the BTF
 * file's size, mtime, inode and device, and the kernel release) the
 * running kernel's.  Anything else, and any entry out of bounds, is
 * ignored: the caller reads BTF as before.  /run is emptied at boot.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "btf_cache.h"
#include "internal.h"

#define CACHE_FILE "kernel-names"
#define CACHE_MAGIC "BPFDNAM1"
#define CACHE_MAX (64 * 1024)

struct cache_head {
	char magic[8];
	uint64_t size, mtime_sec, mtime_nsec, ino, dev;
	char release[65];
	char pad[3];
	uint32_t n, poollen;
	uint32_t max[BPFD_NKINDS];
};

struct cache_entry {
	uint32_t name_off;
	uint8_t kind, value;
	uint16_t pad;
};

/* The key of @btf (the BTF file's stat) in @h. */
static void cache_key(struct cache_head *h, const struct stat *btf)
{
	struct utsname u;

	memset(h, 0, sizeof(*h));
	memcpy(h->magic, CACHE_MAGIC, sizeof(h->magic));
	h->size = (uint64_t)btf->st_size;
	h->mtime_sec = (uint64_t)btf->st_mtim.tv_sec;
	h->mtime_nsec = (uint64_t)btf->st_mtim.tv_nsec;
	h->ino = (uint64_t)btf->st_ino;
	h->dev = (uint64_t)btf->st_dev;
	if (uname(&u) == 0)
		snprintf(h->release, sizeof(h->release), "%s", u.release);
}

/* Owned by root and writable by root only. */
static bool root_only(const struct stat *st)
{
	return st->st_uid == 0 && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* @dir, when it is a directory of root's only (no link followed): an fd,
 * else -1. */
static int open_root_dir(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (dfd >= 0 && (fstat(dfd, &st) < 0 || !root_only(&st)))
		bpfd_closep(&dfd);
	return dfd;
}

/* The cache file's whole text, or NULL. */
static char *read_cache(const char *dir, size_t *len)
{
	_cleanup_close_ int dfd = open_root_dir(dir);
	_cleanup_close_ int fd = BPFD_NO_FD;
	struct stat st;
	char *buf;
	ssize_t r;

	if (dfd < 0)
		return NULL;
	fd = openat(dfd, CACHE_FILE,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    !root_only(&st) || st.st_size <= 0 || st.st_size > CACHE_MAX)
		return NULL;
	buf = malloc((size_t)st.st_size);
	if (!buf)
		return NULL;
	r = pread(fd, buf, (size_t)st.st_size, 0);
	if (r != st.st_size) {
		free(buf);
		return NULL;
	}
	*len = (size_t)r;
	return buf;
}

int bpfd_btf_cache_read(const char *dir, const struct stat *btf,
			struct bpfd_btf_enums *out)
{
	_cleanup_free_ char *text = NULL;
	struct cache_head want, h;
	const struct cache_entry *ent;
	size_t len = 0;

	memset(out, 0, sizeof(*out));
	text = read_cache(dir, &len);
	if (!text || len < sizeof(h))
		return -ENOENT;
	memcpy(&h, text, sizeof(h));
	cache_key(&want, btf);
	memcpy(want.max, h.max, sizeof(h.max));
	want.n = h.n;
	want.poollen = h.poollen;
	if (memcmp(&h, &want, sizeof(h)) != 0 || !h.n ||
	    h.n > BPFD_ENUM_MAX_ENTRIES || h.poollen > CACHE_MAX ||
	    len != sizeof(h) + h.n * sizeof(*ent) + h.poollen)
		return -ENOENT;
	ent = (const struct cache_entry *)(text + sizeof(h));
	out->pool = malloc(h.poollen ? h.poollen : 1);
	out->entries = calloc(h.n, sizeof(*out->entries));
	if (!out->pool || !out->entries) {
		bpfd_btf_enums_free(out);
		return -ENOMEM;
	}
	memcpy(out->pool, text + sizeof(h) + h.n * sizeof(*ent), h.poollen);
	for (uint32_t i = 0; i < h.n; i++) {
		/* each name a NUL-terminated string inside the pool */
		if (ent[i].kind >= BPFD_NKINDS || ent[i].value >= 64 ||
		    ent[i].name_off >= h.poollen ||
		    !memchr(out->pool + ent[i].name_off, '\0',
			    h.poollen - ent[i].name_off)) {
			bpfd_btf_enums_free(out);
			return -ENOENT;
		}
		out->entries[i] = (struct bpfd_enum_entry){
		    .name = out->pool + ent[i].name_off,
		    .kind = ent[i].kind,
		    .value = ent[i].value};
	}
	out->n = h.n;
	for (int k = 0; k < BPFD_NKINDS; k++)
		out->max[k] = h.max[k];
	return 0;
}

void bpfd_btf_cache_write(const char *dir, const struct stat *btf,
			  const struct bpfd_btf_enums *e)
{
	struct cache_head h;
	struct cache_entry *ent = NULL;
	char tmp[64];
	size_t poollen = 0;
	int dfd, fd = BPFD_NO_FD;

	if (geteuid() != 0 || !e->n || e->n > BPFD_ENUM_MAX_ENTRIES)
		return;
	for (unsigned int i = 0; i < e->n; i++) {
		size_t end = (size_t)(e->entries[i].name - e->pool) +
			     strlen(e->entries[i].name) + 1;

		if (end > poollen)
			poollen = end;
	}
	cache_key(&h, btf);
	h.n = e->n;
	h.poollen = (uint32_t)poollen;
	for (int k = 0; k < BPFD_NKINDS; k++)
		h.max[k] = e->max[k];
	ent = calloc(e->n, sizeof(*ent));
	if (!ent)
		return;
	for (unsigned int i = 0; i < e->n; i++)
		ent[i] = (struct cache_entry){
		    .name_off = (uint32_t)(e->entries[i].name - e->pool),
		    .kind = e->entries[i].kind,
		    .value = e->entries[i].value};
	/* best effort: into a directory of root's only (made 0755 when
	 * missing), a new file renamed into place */
	(void)mkdir(dir, 0755);
	dfd = open_root_dir(dir);
	snprintf(tmp, sizeof(tmp), "." CACHE_FILE ".%d", (int)getpid());
	if (dfd >= 0)
		fd = openat(
		    dfd, tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd >= 0) {
		bool ok = fchmod(fd, 0644) == 0 &&
			  write(fd, &h, sizeof(h)) == (ssize_t)sizeof(h) &&
			  write(fd, ent, e->n * sizeof(*ent)) ==
			      (ssize_t)(e->n * sizeof(*ent)) &&
			  write(fd, e->pool, poollen) == (ssize_t)poollen;

		close(fd);
		if (!ok || renameat(dfd, tmp, dfd, CACHE_FILE) < 0)
			unlinkat(dfd, tmp, 0);
	}
	if (dfd >= 0)
		close(dfd);
	free(ent);
}
