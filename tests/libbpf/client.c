// SPDX-License-Identifier: GPL-2.0
/* A plain libbpf application, the "real client" of tests/cli/libbpf.bats:
 * it opens and loads a BPF object with bpf_object__open_file() and
 * bpf_object__load() and nothing else, so whether a BPF token is used is
 * entirely libbpf's doing (LIBBPF_BPF_TOKEN_PATH, set by `bpfdelegate run`).
 * Linked statically with Debian trixie's libbpf 1.5 (tests/libbpf/fetch.sh).
 *
 *   client [--only PROG,...] [--pin DIR] [--attach] OBJECT
 *
 * --only     load only these programs (autoload off for the others)
 * --pin DIR  pin the maps under DIR/maps and the programs under DIR/progs,
 *            then check that every pin is on a bpffs and is the same object
 * --attach   attach and run what can be run: the raw tracepoint (getppid),
 *            the socket filter (a UDP datagram over lo), XDP (on lo; use
 *            `run --netns new`); the tracepoint is only loaded
 *
 * How the token is seen to be used: the program is linked with
 * -Wl,--wrap=syscall, so libbpf's bpf() calls go through __wrap_syscall(),
 * which passes them on unchanged and records, for each object created, its
 * kernel id, whether BPF_F_TOKEN_FD was set and whether the fd given as the
 * token was a BPF token (/proc/self/fd link "anon_inode:bpf-token").  After
 * the load, every map, program and the BTF of the object are looked up by
 * id: each must have been created with the token.
 *
 * Exit status: 0 ok; 1 usage or setup error; 2 bpf_object__open/load
 * failed (the errno is printed); 3 an object was created without the
 * token; 4 a program did not run as expected; 5 pinning failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/bpf.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#define BPF_FS_MAGIC_ 0xcafe4a11
#define BPF_F_TOKEN_FD_ (1U << 16)

/* Token fields (6.9+) at their UAPI offsets: Debian 12's linux/bpf.h (6.1)
 * lacks them; the asserts tie them to the fields it has.
 * BPF_MAP_CREATE: map_token_fd after map_extra (64) and
 * value_type_btf_obj_fd (72); BPF_PROG_LOAD: prog_token_fd after
 * core_relo_rec_size (136) and log_true_size (140); BPF_BTF_LOAD: btf_flags
 * and btf_token_fd after btf_log_level (24) and btf_log_true_size (28). */
#define MAP_TOKEN_FD_OFF 76
#define PROG_TOKEN_FD_OFF 144
#define BTF_FLAGS_OFF 32
#define BTF_TOKEN_FD_OFF 36
_Static_assert(offsetof(union bpf_attr, map_extra) == 64, "map_extra");
_Static_assert(offsetof(union bpf_attr, core_relo_rec_size) == 136,
	       "core_relo_rec_size");
_Static_assert(offsetof(union bpf_attr, btf_log_level) == 24, "btf_log_level");

enum { EXIT_LOAD = 2, EXIT_NOTOKEN = 3, EXIT_RUN = 4, EXIT_PIN = 5 };

struct created {
	int cmd; /* BPF_MAP_CREATE, BPF_PROG_LOAD, BPF_BTF_LOAD */
	__u32 id;
	int flag;  /* BPF_F_TOKEN_FD was set */
	int token; /* and the token fd was a BPF token */
};

static struct created created[256];
static unsigned int ncreated;
static unsigned int tried[3], tried_token[3]; /* every call, by kind */

long __real_syscall(long nr, ...);
long __wrap_syscall(long nr, ...);

static const char *const kind_name[] = {"map_create", "prog_load", "btf_load"};

static int kind(long cmd)
{
	switch (cmd) {
	case BPF_MAP_CREATE:
		return 0;
	case BPF_PROG_LOAD:
		return 1;
	case BPF_BTF_LOAD:
		return 2;
	default:
		return -1;
	}
}

/* A BPF token's fdinfo lists what it allows ("allowed_cmds:" ...); no
 * other fd has that line.  (Its /proc/self/fd link is "/bpf-token
 * (deleted)": a pseudo file on the bpffs mount, seen on 6.18.) */
static int is_token_fd(int fd)
{
	char path[64], buf[512];
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return 0;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	if (getenv("CLIENT_DEBUG"))
		fprintf(stderr, "client: fdinfo of token fd %d:\n%s", fd, buf);
	return strstr(buf, "\nallowed_cmds:") != NULL;
}

static __u32 field32(const void *attr, unsigned long size, unsigned long off)
{
	__u32 v = 0;

	if (off + sizeof(v) <= size)
		memcpy(&v, (const char *)attr + off, sizeof(v));
	return v;
}

/* The kernel id of a new map, program or BTF object (0 if unknown), and
 * the name the kernel has for it when name is not NULL. */
static __u32 object_info(int k, int fd, char name[BPF_OBJ_NAME_LEN])
{
	union bpf_attr attr;
	union {
		struct bpf_map_info map;
		struct bpf_prog_info prog;
		struct bpf_btf_info btf;
	} info;

	memset(&attr, 0, sizeof(attr));
	memset(&info, 0, sizeof(info));
	attr.info.bpf_fd = fd;
	attr.info.info_len = k == 0   ? sizeof(info.map)
			     : k == 1 ? sizeof(info.prog)
				      : sizeof(info.btf);
	attr.info.info = (__u64)(unsigned long)&info;
	if (__real_syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr,
			   sizeof(attr.info)) < 0)
		return 0;
	if (name && k < 2)
		memcpy(name, k == 0 ? info.map.name : info.prog.name,
		       BPF_OBJ_NAME_LEN);
	return k == 0 ? info.map.id : k == 1 ? info.prog.id : info.btf.id;
}

static __u32 object_id(int k, int fd)
{
	return object_info(k, fd, NULL);
}

static void record(long cmd, const void *attr, unsigned long size, long fd)
{
	static const unsigned long flags_off[] = {
	    offsetof(union bpf_attr, map_flags),
	    offsetof(union bpf_attr, prog_flags), BTF_FLAGS_OFF};
	static const unsigned long token_off[] = {
	    MAP_TOKEN_FD_OFF, PROG_TOKEN_FD_OFF, BTF_TOKEN_FD_OFF};
	int k = kind(cmd), flag, token;

	if (k < 0 || !attr)
		return;
	flag = !!(field32(attr, size, flags_off[k]) & BPF_F_TOKEN_FD_);
	token = flag && is_token_fd((int)field32(attr, size, token_off[k]));
	tried[k]++;
	tried_token[k] += token;
	/* the map or program type is the first field (BTF: a pointer) */
	if (getenv("CLIENT_DEBUG"))
		fprintf(stderr, "client: bpf(%s) type %d, token %s: %ld\n",
			kind_name[k], k < 2 ? (int)field32(attr, size, 0) : -1,
			token  ? "yes"
			: flag ? "flag, not a token"
			       : "no",
			fd);
	if (fd < 0 || ncreated == sizeof(created) / sizeof(created[0]))
		return;
	created[ncreated++] =
	    (struct created){cmd, object_id(k, (int)fd), flag, token};
}

/* libbpf's sys_bpf() is syscall(__NR_bpf, cmd, attr, size): pass every
 * syscall on unchanged and look at the bpf() ones. */
long __wrap_syscall(long nr, ...)
{
	long a[6], ret;
	va_list ap;
	int i, saved;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	ret = __real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (nr == __NR_bpf) {
		saved = errno;
		record(a[0], (const void *)a[1], (unsigned long)a[2], ret);
		errno = saved;
	}
	return ret;
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG && !getenv("CLIENT_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static const struct created *find_created(int cmd, __u32 id)
{
	unsigned int i;

	for (i = 0; id && i < ncreated; i++)
		if (created[i].cmd == cmd && created[i].id == id)
			return &created[i];
	return NULL;
}

/* One line per object: how it was created. Returns 1 if without a token. */
static int report(const char *what, const char *name, int cmd, int fd)
{
	char kname[BPF_OBJ_NAME_LEN] = "";
	__u32 id = object_info(kind(cmd), fd, kname);
	const struct created *c = find_created(cmd, id);

	kname[BPF_OBJ_NAME_LEN - 1] = 0;
	if (c && c->token) {
		printf("%s %s: id %u, kernel name '%s', created with a BPF "
		       "token\n",
		       what, name, id, kname);
		return 0;
	}
	printf("%s %s: id %u, kernel name '%s', created WITHOUT a token%s\n",
	       what, name, id, kname,
	       !c	 ? " (no bpf() call seen)"
	       : c->flag ? " (BPF_F_TOKEN_FD with a non-token fd)"
			 : "");
	return 1;
}

static int check_tokens(struct bpf_object *obj)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	int bad = 0, k;

	bpf_object__for_each_map(map, obj)
	{
		bad |= report("map", bpf_map__name(map), BPF_MAP_CREATE,
			      bpf_map__fd(map));
	}
	bpf_object__for_each_program(prog, obj)
	{
		if (bpf_program__autoload(prog))
			bad |= report("prog", bpf_program__name(prog),
				      BPF_PROG_LOAD, bpf_program__fd(prog));
	}
	/* an object without BTF (built without -g) has none to load */
	if (bpf_object__btf(obj))
		bad |= report("btf", bpf_object__name(obj), BPF_BTF_LOAD,
			      bpf_object__btf_fd(obj));
	for (k = 0; k < 3; k++)
		printf("bpf(%s): %u calls, %u with a token\n", kind_name[k],
		       tried[k], tried_token[k]);
	return bad;
}

static int pin_check(const char *path, int cmd, int fd)
{
	struct statfs sfs;
	int pfd, ok;

	if (statfs(path, &sfs) < 0 ||
	    (unsigned long)sfs.f_type != BPF_FS_MAGIC_) {
		fprintf(stderr, "client: %s: not on a bpffs\n", path);
		return 1;
	}
	pfd = bpf_obj_get(path);
	if (pfd < 0) {
		fprintf(stderr, "client: bpf_obj_get %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	ok = object_id(kind(cmd), pfd) == object_id(kind(cmd), fd);
	close(pfd);
	if (!ok)
		fprintf(stderr,
			"client: %s: another object than the one loaded\n",
			path);
	return !ok;
}

static int pin(struct bpf_object *obj, const char *dir)
{
	char maps[512], progs[512], path[1024];
	struct bpf_program *prog;
	struct bpf_map *map;
	int err, bad = 0, n = 0;

	/* libbpf creates one directory level (maps/, progs/), not DIR */
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "client: mkdir %s: %s\n", dir, strerror(errno));
		return 1;
	}
	snprintf(maps, sizeof(maps), "%s/maps", dir);
	snprintf(progs, sizeof(progs), "%s/progs", dir);
	err = bpf_object__pin_maps(obj, maps);
	if (!err && mkdir(progs, 0700) < 0)
		err = -errno;
	if (err) {
		fprintf(stderr, "client: pin under %s: %s\n", dir,
			strerror(-err));
		return 1;
	}
	bpf_object__for_each_map(map, obj)
	{
		/* libbpf's pin name: '.' becomes '_' (client_rodata) */
		if (!bpf_map__pin_path(map)) {
			fprintf(stderr, "client: map %s not pinned\n",
				bpf_map__name(map));
			bad = 1;
			continue;
		}
		bad |= pin_check(bpf_map__pin_path(map), BPF_MAP_CREATE,
				 bpf_map__fd(map));
		n++;
	}
	bpf_object__for_each_program(prog, obj)
	{
		if (!bpf_program__autoload(prog))
			continue;
		/* one by one: bpf_object__pin_programs() refuses a program
		 * that was not loaded (--only) */
		snprintf(path, sizeof(path), "%s/%s", progs,
			 bpf_program__name(prog));
		err = bpf_program__pin(prog, path);
		if (err) {
			fprintf(stderr, "client: pin %s: %s\n", path,
				strerror(-err));
			return 1;
		}
		bad |= pin_check(path, BPF_PROG_LOAD, bpf_program__fd(prog));
		n++;
	}
	if (!bad)
		printf("pinned %d objects under %s (bpffs)\n", n, dir);
	return bad;
}

static struct bpf_map *internal_map(struct bpf_object *obj, const char *suffix)
{
	struct bpf_map *map;
	size_t n = strlen(suffix), len;

	bpf_object__for_each_map(map, obj)
	{
		len = strlen(bpf_map__name(map));
		if (bpf_map__is_internal(map) && len >= n &&
		    !strcmp(bpf_map__name(map) + len - n, suffix))
			return map;
	}
	return NULL;
}

/* Where the global VAR lives in SECTION (".bss"), from the object's BTF;
 * -1 if not found. */
static long var_offset(struct bpf_object *obj, const char *section,
		       const char *var)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *t;
	__s32 id;
	int i;

	id = btf ? btf__find_by_name_kind(btf, section, BTF_KIND_DATASEC) : -1;
	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(t);
	for (i = 0; i < btf_vlen(t); i++, vs++)
		if (!strcmp(btf__name_by_offset(
				btf, btf__type_by_id(btf, vs->type)->name_off),
			    var))
			return vs->offset;
	return -1;
}

static __u64 count(struct bpf_object *obj, __u32 slot)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, "counts");
	__u64 v = 0;

	if (!map ||
	    bpf_map__lookup_elem(map, &slot, sizeof(slot), &v, sizeof(v), 0))
		return 0;
	return v;
}

/* Send one UDP datagram to ourselves over lo, through a socket with the
 * socket filter attached (when loaded); XDP on lo sees it too. */
static int udp_self(int filter_fd)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct timeval tv = {.tv_sec = 2};
	socklen_t alen = sizeof(a);
	char buf[8];
	int s, ok = 0;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(s, (struct sockaddr *)&a, &alen) == 0 &&
	    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0 &&
	    (filter_fd < 0 || setsockopt(s, SOL_SOCKET, SO_ATTACH_BPF,
					 &filter_fd, sizeof(filter_fd)) == 0) &&
	    sendto(s, "ping", 4, 0, (struct sockaddr *)&a, sizeof(a)) == 4 &&
	    recv(s, buf, sizeof(buf), 0) == 4)
		ok = 1;
	if (!ok)
		ok = -errno;
	close(s);
	return ok > 0 ? 0 : ok;
}

static int attach_and_run(struct bpf_object *obj, __u64 magic)
{
	struct bpf_program *raw =
	    bpf_object__find_program_by_name(obj, "raw_sys_enter");
	struct bpf_program *sock =
	    bpf_object__find_program_by_name(obj, "sock_filter");
	struct bpf_program *xdp =
	    bpf_object__find_program_by_name(obj, "xdp_pass");
	struct bpf_link *raw_link = NULL, *xdp_link = NULL;
	struct bpf_map *bss = internal_map(obj, ".bss");
	const __u64 *hits;
	size_t size;
	long off;
	int bad = 0, err, i;

	if (raw && bpf_program__autoload(raw)) {
		raw_link = bpf_program__attach(raw);
		if (!raw_link) {
			fprintf(stderr, "client: attach raw_sys_enter: %s\n",
				strerror(errno));
			return 1;
		}
		for (i = 0; i < 3; i++)
			syscall(__NR_getppid);
		/* .bss is mmap()ed: libbpf's pointer shows the kernel's map */
		off = var_offset(obj, ".bss", "raw_tp_hits");
		hits =
		    bss && off >= 0 ? bpf_map__initial_value(bss, &size) : NULL;
		if (hits && (size_t)off + sizeof(*hits) <= size)
			hits = (const __u64 *)((const char *)hits + off);
		else
			hits = NULL;
		printf("raw_tp: .bss raw_tp_hits %llu, counts[0] %#llx\n",
		       hits ? (unsigned long long)hits[0] : 0ULL,
		       (unsigned long long)count(obj, 0));
		if (!hits || hits[0] < 3 || count(obj, 0) != magic) {
			fprintf(stderr, "client: the raw tracepoint did not "
					"run as expected\n");
			bad = 1;
		}
		bpf_link__destroy(raw_link);
	}
	if (xdp && bpf_program__autoload(xdp)) {
		xdp_link =
		    bpf_program__attach_xdp(xdp, (int)if_nametoindex("lo"));
		if (!xdp_link) {
			fprintf(stderr, "client: attach xdp_pass to lo: %s\n",
				strerror(errno));
			return 1;
		}
	}
	if ((sock && bpf_program__autoload(sock)) || xdp_link) {
		err = udp_self(sock && bpf_program__autoload(sock)
				   ? bpf_program__fd(sock)
				   : -1);
		if (err) {
			fprintf(stderr, "client: UDP over lo: %s\n",
				strerror(-err));
			bad = 1;
		}
		if (sock && bpf_program__autoload(sock)) {
			printf("socket filter: counts[1] %llu\n",
			       (unsigned long long)count(obj, 1));
			bad |= count(obj, 1) < 1;
		}
		if (xdp_link) {
			printf("xdp: counts[2] %llu\n",
			       (unsigned long long)count(obj, 2));
			bad |= count(obj, 2) < 1;
		}
	}
	bpf_link__destroy(xdp_link);
	return bad;
}

static int only_has(const char *only, const char *name)
{
	size_t n = strlen(name);
	const char *p = only;

	while ((p = strstr(p, name))) {
		if ((p == only || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"only", required_argument, NULL, 'o'},
	    {"pin", required_argument, NULL, 'P'},
	    {"attach", no_argument, NULL, 'A'},
	    {NULL, 0, NULL, 0}};
	const char *only = NULL, *pindir = NULL,
		   *tp = getenv("LIBBPF_BPF_TOKEN_PATH");
	const __u64 magic = 0x7e57c0de0b1ec7ULL;
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_map *rodata;
	__u64 *ro;
	size_t size;
	int c, attach = 0, err, rc = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			only = optarg;
			break;
		case 'P':
			pindir = optarg;
			break;
		case 'A':
			attach = 1;
			break;
		default:
			return 1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "Usage: client [--only PROG,...] [--pin DIR] "
				"[--attach] OBJECT\n");
		return 1;
	}
	libbpf_set_print(print_libbpf);
	printf("libbpf %s, LIBBPF_BPF_TOKEN_PATH=%s%s%s\n",
	       libbpf_version_string(), tp ? "'" : "(unset)", tp ? tp : "",
	       tp ? "'" : "");

	obj = bpf_object__open_file(argv[optind], NULL);
	if (!obj) {
		err = -errno;
		fprintf(stderr, "client: bpf_object__open_file %s: %s\n",
			argv[optind], strerror(-err));
		return EXIT_LOAD;
	}
	bpf_object__for_each_program(prog, obj)
	{
		if (only && !only_has(only, bpf_program__name(prog)))
			bpf_program__set_autoload(prog, false);
	}
	/* .rodata is writable until the load (what a skeleton's rodata does);
	 * only --attach (client.bpf.o) checks it: other objects
	 * (tests/bpf/, suggest.bats) may have none */
	rodata = internal_map(obj, ".rodata");
	ro = rodata ? bpf_map__initial_value(rodata, &size) : NULL;
	if (ro && size >= sizeof(*ro)) {
		*ro = magic;
	} else if (attach) {
		fprintf(stderr, "client: no .rodata in %s\n", argv[optind]);
		bpf_object__close(obj);
		return 1;
	}

	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "client: bpf_object__load: %s (%d)\n",
			strerror(-err), err);
		bpf_object__close(obj);
		return EXIT_LOAD;
	}
	printf("loaded %s\n", argv[optind]);
	if (check_tokens(obj))
		rc = EXIT_NOTOKEN;
	if (!rc && attach && attach_and_run(obj, magic))
		rc = EXIT_RUN;
	if (!rc && pindir && pin(obj, pindir))
		rc = EXIT_PIN;
	bpf_object__close(obj);
	return rc;
}
