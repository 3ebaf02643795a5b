// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The administrator's policy (lib/policy.c): file safety, the grammar and
 * its errors (FILE:LINE), and the decisions.  Policies are written under
 * a fresh directory in /tmp, owned and moded by the test: root is needed
 * to make files root-owned (and others' files), so without root these
 * tests skip.  Names: the built-in table, the same on every kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <bpfdelegate/delegation.h>

#include "policy.h"
#include "testutil.h"

#define OTHER_UID 4242

static struct bpfd_names *names;
static char dir[64];

static int setup(void **unused)
{
	(void)unused;
	if (geteuid() != 0)
		return 0; /* each test skips */
	snprintf(dir, sizeof(dir), "/tmp/bpfd-policy.XXXXXX");
	if (!mkdtemp(dir) || chmod(dir, 0755) < 0)
		return -1;
	return bpfd_names_load(&names, NULL, BPFD_NAMES_NO_BTF, NULL);
}

static int teardown(void **unused)
{
	char cmd[128];

	(void)unused;
	bpfd_names_free(names);
	names = NULL;
	if (dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return -1;
	}
	dir[0] = '\0';
	return 0;
}

#define NEED_ROOT()                                                            \
	do {                                                                   \
		if (geteuid() != 0)                                            \
			bpfd_skip("needs root to make root-owned files");      \
	} while (0)

/* Write @rel under the test directory: @mode, owner @uid. */
static void put(const char *rel, const char *text, mode_t mode, uid_t uid)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchown(fd, uid, 0), 0);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void subdir(const char *rel, mode_t mode, uid_t uid)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (mkdir(path, mode) < 0)
		assert_int_equal(errno, EEXIST);
	assert_int_equal(chown(path, uid, 0), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static struct bpfd_policy *load_ok(void)
{
	struct bpfd_policy *p = NULL;
	struct bpfd_error e = {0};
	int r = bpfd_policy_load(dir, names, &p, &e);

	if (r < 0)
		print_message("# unexpected: %s\n", e.detail);
	assert_int_equal(r, 0);
	assert_non_null(p);
	return p;
}

/* The load fails with -@err; the detail holds @word.  Returns it. */
static const char *load_fails(int err, const char *word)
{
	static struct bpfd_error e;
	struct bpfd_policy *p = NULL;
	int r;

	memset(&e, 0, sizeof(e));
	r = bpfd_policy_load(dir, names, &p, &e);
	print_message("# %s\n", e.detail);
	assert_int_equal(r, -err);
	assert_null(p);
	assert_int_equal(e.step, BPFD_STEP_POLICY);
	assert_true(e.refused);
	assert_non_null(strstr(e.detail, word));
	assert_null(strchr(e.detail, '\n'));
	return e.detail;
}

static struct bpfd_subject user(uid_t uid, gid_t gid)
{
	struct bpfd_subject s = {
	    .kind = BPFD_SUBJECT_USER, .uid = uid, .gid = gid};
	return s;
}

static struct bpfd_request ask(unsigned int cmd, const char *maps)
{
	struct bpfd_request q = {.cmd = cmd};

	if (maps)
		assert_int_equal(bpfd_parse_list(names, BPFD_MAPS, maps,
						 &q.deleg.mask[BPFD_MAPS],
						 NULL),
				 0);
	return q;
}

/* "<dir>/<rel>:<line>" */
static const char *where(const char *rel, int line)
{
	static char buf[300];

	snprintf(buf, sizeof(buf), "%s/%s:%d", dir, rel, line);
	return buf;
}

static void decide(const struct bpfd_policy *p, const struct bpfd_subject *s,
		   const struct bpfd_request *q, int expect, const char *rule,
		   const char *reason)
{
	struct bpfd_verdict v;
	int r = bpfd_policy_decide(p, s, q, &v);

	print_message("# %s: %s\n", v.rule, v.reason);
	assert_int_equal(r, expect);
	assert_int_equal(v.allowed, expect == 0);
	assert_string_equal(v.rule, rule);
	if (reason)
		assert_non_null(strstr(v.reason, reason));
	else
		assert_string_equal(v.reason, "");
}

static void test_missing_is_deny_all(void **unused)
{
	struct bpfd_subject s = user(1234, 1234);
	struct bpfd_request q = ask(BPFD_POLICY_CHECK, "array");
	struct bpfd_policy *p;
	char saved[64];

	(void)unused;
	NEED_ROOT();
	/* an empty directory, then no directory at all */
	p = load_ok();
	assert_int_equal(bpfd_policy_nfiles(p), 0);
	decide(p, &s, &q, -EACCES, "", "no rule for uid 1234");
	bpfd_policy_free(p);
	snprintf(saved, sizeof(saved), "%s", dir);
	strcat(dir, "/nonexistent");
	p = load_ok();
	snprintf(dir, sizeof(dir), "%s", saved);
	assert_int_equal(bpfd_policy_nfiles(p), 0);
	decide(p, &s, &q, -EACCES, "", "no rule for uid 1234");
	bpfd_policy_free(p);
}

static void test_subset_and_excess(void **unused)
{
	struct bpfd_subject s = user(1234, 1234);
	struct bpfd_request q = ask(BPFD_POLICY_CHECK, "hash,array");
	struct bpfd_policy *p;

	(void)unused;
	NEED_ROOT();
	put("policy",
	    "# a comment\n\n  user 1234 maps=hash,array cmds=map_create # "
	    "trailing\n",
	    0644, 0);
	p = load_ok();
	assert_int_equal(bpfd_policy_nfiles(p), 1);
	decide(p, &s, &q, 0, where("policy", 3), NULL);
	q = ask(BPFD_POLICY_CHECK, "hash,lru_hash,ringbuf");
	q.deleg.mask[BPFD_CMDS] = 1ull << 0 | 1ull << 5; /* + prog_load */
	decide(p, &s, &q, -EACCES, where("policy", 3),
	       "cmds: prog_load not granted; maps: lru_hash, ringbuf not "
	       "granted");
	/* "any" is named as such; a long excess ends "and N more" */
	q = ask(BPFD_POLICY_CHECK, NULL);
	q.deleg.mask[BPFD_PROGS] = BPFD_MASK_ANY;
	q.deleg.mask[BPFD_ATTACHS] = (1ull << 40) - 1;
	decide(p, &s, &q, -EACCES, where("policy", 3),
	       "progs: any not granted; attachs: cgroup_inet_ingress, "
	       "cgroup_inet_egress, ");
	decide(p, &s, &q, -EACCES, where("policy", 3), " more not granted");
	bpfd_policy_free(p);
}

static void test_user_before_group(void **unused)
{
	struct bpfd_subject member = user(1234, 1234), other = user(1235, 1235);
	struct bpfd_subject none = user(1236, 1236);
	struct bpfd_request q = ask(BPFD_POLICY_RUN, "hash");
	struct bpfd_policy *p;

	(void)unused;
	NEED_ROOT();
	put("policy",
	    "group 500 preset=all\n"
	    "user 1234 maps=array\n"
	    "user 1234 maps=hash\n"
	    "user 1236\n"
	    "group 501 maps=lru_hash\n",
	    0644, 0);
	member.groups[0] = 500;
	member.ngroups = 1;
	other.groups[0] = 501;
	other.groups[1] = 500;
	other.ngroups = 2;
	none.groups[0] = 500;
	none.ngroups = 1;
	p = load_ok();
	/* a user rule wins over a group rule written before it; the first
	 * user rule wins over a later one */
	decide(p, &member, &q, -EACCES, where("policy", 2),
	       "maps: hash not granted");
	/* no user rule: the first group rule in file order (500 before 501),
	 * not the order of the caller's groups */
	decide(p, &other, &q, 0, where("policy", 1), NULL);
	/* a user rule without a grant takes a member out of a group's */
	decide(p, &none, &q, -EACCES, where("policy", 4),
	       "maps: hash not granted");
	/* the primary gid counts as a group too */
	other = user(1237, 501);
	q = ask(BPFD_POLICY_RUN, "lru_hash");
	decide(p, &other, &q, 0, where("policy", 5), NULL);
	bpfd_policy_free(p);
}

static void test_names_resolve(void **unused)
{
	struct bpfd_subject root = user(0, 0), grp = user(4321, 4321);
	struct bpfd_request q = ask(BPFD_POLICY_CHECK, "array");
	struct bpfd_policy *p;

	(void)unused;
	NEED_ROOT();
	put("policy", "user root maps=array\ngroup root maps=array\n", 0644, 0);
	grp.groups[0] = 0;
	grp.ngroups = 1;
	p = load_ok();
	decide(p, &root, &q, 0, where("policy", 1), NULL);
	decide(p, &grp, &q, 0, where("policy", 2), NULL);
	bpfd_policy_free(p);
}

static void test_file_order(void **unused)
{
	struct bpfd_subject one = user(1, 1), three = user(3, 3);
	struct bpfd_request q = ask(BPFD_POLICY_CHECK, "hash");
	struct bpfd_policy *p;

	(void)unused;
	NEED_ROOT();
	subdir("policy.d", 0755, 0);
	put("policy", "user 1 maps=hash\n", 0644, 0);
	put("policy.d/20-b", "user 1 maps=array\nuser 3 maps=array\n", 0644, 0);
	put("policy.d/10-a", "\nuser 3 maps=hash\n", 0644, 0);
	/* dot files are not read (this one would not parse) */
	put("policy.d/.hidden", "garbage\n", 0644, 0);
	p = load_ok();
	assert_int_equal(bpfd_policy_nfiles(p), 3);
	decide(p, &one, &q, 0, where("policy", 1), NULL);
	decide(p, &three, &q, 0, where("policy.d/10-a", 2), NULL);
	bpfd_policy_free(p);
}

static const struct {
	const char *text;
	int line;
	const char *word;
} bad_lines[] = {
    {"user 1 bogus=1\n", 1, "unknown key 'bogus'"},
    {"user 1 maps=hsh\n", 1, "maps=: unknown map type 'hsh' (closest: hash)"},
    {"user 1 progs=\n", 1, "expected KEY=VALUE, not 'progs='"},
    {"user 1 maps\n", 1, "expected KEY=VALUE, not 'maps'"},
    {"user\n", 1, "user needs a name or an id first"},
    {"user maps=hash\n", 1, "user needs a name or an id first"},
    {"user no-such-user-bpfd maps=hash\n", 1, "unknown user"},
    {"group no-such-group-bpfd maps=hash\n", 1, "unknown group"},
    {"user 4294967295\n", 1, "invalid user id"},
    {"frobnicate 1\n", 1, "expected a rule (user, group or container)"},
    {"# c\n\nuser 1 commands=fly\n", 3, "unknown command 'fly'"},
    {"user 1 netns=maybe\n", 1, "netns=: host or new"},
    {"user 1 netns=new netns=host\n", 1, "netns= given twice"},
    {"container commands=run\n", 1, "commands= does not apply to container"},
    {"container netns=host\n", 1, "netns= does not apply to container"},
    {"user 1 id=x\n", 1, "id= does not apply to user and group"},
    {"user 1 paths=sys/fs/bpf\n", 1, "paths=: each path must be absolute"},
    {"container bundle=/srv/*,srv\n", 1, "bundle=: each path must be"},
    {"user 1 preset=nope\n", 1, "unknown preset 'nope'"},
    {"preset mine maps=hash\n", 1, "presets are defined in presets.d"},
    {"user 1 maps=hash\x01\n", 1, "control character 0x01"},
};

static void test_grammar_errors(void **unused)
{
	(void)unused;
	NEED_ROOT();
	for (size_t i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
		char head[320];
		const char *d;

		put("policy", bad_lines[i].text, 0644, 0);
		d = load_fails(EINVAL, bad_lines[i].word);
		/* FILE:LINE: first */
		snprintf(head, sizeof(head),
			 "%s: ", where("policy", bad_lines[i].line));
		assert_int_equal(strncmp(d, head, strlen(head)), 0);
	}
	/* the same in policy.d names that file */
	put("policy", "user 1 maps=hash\n", 0644, 0);
	subdir("policy.d", 0755, 0);
	put("policy.d/x", "user 2 maps=hash\nuser 2 nope=1\n", 0644, 0);
	load_fails(EINVAL, where("policy.d/x", 2));
}

static void test_presets_d(void **unused)
{
	struct bpfd_subject s = user(7, 7);
	struct bpfd_request q = ask(BPFD_POLICY_CHECK, "hash,array");
	struct bpfd_verdict v;
	struct bpfd_policy *p;
	int xdp = bpfd_names_lookup(names, BPFD_PROGS, "xdp");

	(void)unused;
	NEED_ROOT();
	subdir("presets.d", 0755, 0);
	put("presets.d/10-site",
	    "# site presets\npreset ci maps=hash,array cmds=map_create\n", 0644,
	    0);
	put("presets.d/20-more", "preset ci-xdp preset=ci progs=xdp\n", 0644,
	    0);
	put("policy", "user 7 preset=ci-xdp\nuser 8 preset=ci,tracing\n", 0644,
	    0);
	p = load_ok();
	/* presets.d is not a policy file */
	assert_int_equal(bpfd_policy_nfiles(p), 1);
	decide(p, &s, &q, 0, where("policy", 1), NULL);
	assert_int_equal(bpfd_policy_decide(p, &s, &q, &v), 0);
	assert_true(xdp >= 0);
	assert_true(v.grant.mask[BPFD_PROGS] & (1ull << xdp));
	assert_int_equal(v.grant.mask[BPFD_CMDS], 1ull); /* map_create */
	/* a built-in preset and an admin one add up */
	s.uid = 8;
	q = ask(BPFD_POLICY_CHECK, "hash,stack_trace");
	decide(p, &s, &q, 0, where("policy", 2), NULL);
	bpfd_policy_free(p);

	/* a preset may not redefine a built-in one, nor itself */
	put("presets.d/30-bad", "preset tracing maps=hash\n", 0644, 0);
	load_fails(EINVAL, "preset 'tracing' is already defined (built in)");
	put("presets.d/30-bad", "preset ci maps=hash\n", 0644, 0);
	load_fails(EINVAL, where("presets.d/30-bad", 1));
	/* presets.d holds presets only, and only delegation keys */
	put("presets.d/30-bad", "user 1 maps=hash\n", 0644, 0);
	load_fails(EINVAL, "expected 'preset NAME KEY=VALUE...'");
	put("presets.d/30-bad", "preset x netns=host\n", 0644, 0);
	load_fails(EINVAL, "unknown key 'netns' in a preset");
	/* a preset names only those defined before it */
	put("presets.d/30-bad", "", 0644, 0);
	put("presets.d/05-early", "preset early preset=ci\n", 0644, 0);
	load_fails(EINVAL, "unknown preset 'ci'");
}

static void test_commands_netns_paths(void **unused)
{
	struct bpfd_subject s = user(9, 9), d = user(10, 10);
	struct bpfd_request q = ask(BPFD_POLICY_CHECK, "hash");
	struct bpfd_policy *p;

	(void)unused;
	NEED_ROOT();
	put("policy",
	    "user 9 maps=hash commands=run,attach netns=host "
	    "paths=/run/bpf/*,/mnt/bpf\n"
	    "user 10 maps=hash\n",
	    0644, 0);
	p = load_ok();
	decide(p, &s, &q, -EACCES, where("policy", 1),
	       "command check not granted");
	q = ask(BPFD_POLICY_RUN, "hash");
	q.netns_host = true;
	decide(p, &s, &q, 0, where("policy", 1), NULL);
	q = ask(BPFD_POLICY_ATTACH, "hash");
	q.target = "/run/bpf/a/b";
	decide(p, &s, &q, 0, where("policy", 1), NULL);
	q.target = "/mnt/bpf";
	decide(p, &s, &q, 0, where("policy", 1), NULL);
	q.target = NULL; /* the default, /sys/fs/bpf */
	decide(p, &s, &q, -EACCES, where("policy", 1),
	       "target '/sys/fs/bpf' not granted (paths=/run/bpf/*,/mnt/bpf)");
	q.target = "/run/bpf/../../etc";
	decide(p, &s, &q, -EACCES, where("policy", 1), "without '.', '..'");
	q.target = "/mnt/bpf/";
	decide(p, &s, &q, -EACCES, where("policy", 1), "trailing '/'");
	q.target = "/run/bpf//x";
	decide(p, &s, &q, -EACCES, where("policy", 1), "'//'");
	/* defaults: check and run, --netns new only, /sys/fs/bpf */
	q = ask(BPFD_POLICY_RUN, "hash");
	decide(p, &d, &q, 0, where("policy", 2), NULL);
	q.netns_host = true;
	decide(p, &d, &q, -EACCES, where("policy", 2),
	       "netns host not granted (only --netns new)");
	q = ask(BPFD_POLICY_ATTACH, "hash");
	decide(p, &d, &q, -EACCES, where("policy", 2),
	       "command attach not granted");
	/* every excess is named, in one line */
	q = ask(BPFD_POLICY_CHECK, "array");
	q.netns_host = true;
	decide(p, &s, &q, -EACCES, where("policy", 1),
	       "command check not granted; maps: array not granted");
	bpfd_policy_free(p);
}

static void test_containers(void **unused)
{
	struct bpfd_subject c = {.kind = BPFD_SUBJECT_CONTAINER,
				 .oci_id = "ci-42",
				 .bundle = "/srv/ci/42"};
	struct bpfd_subject root = user(0, 0);
	struct bpfd_request q = ask(BPFD_POLICY_ATTACH, "devmap");
	struct bpfd_policy *p;

	(void)unused;
	NEED_ROOT();
	put("policy",
	    "user 0 preset=all\n"
	    "container id=ci-* bundle=/srv/* preset=xdp paths=/sys/fs/bpf\n"
	    "container maps=array\n",
	    0644, 0);
	p = load_ok();
	decide(p, &c, &q, 0, where("policy", 2), NULL);
	/* the id or the bundle not matching: the catch-all rule */
	c.oci_id = "web";
	decide(p, &c, &q, -EACCES, where("policy", 3),
	       "maps: devmap not granted");
	c.oci_id = "ci-42";
	c.bundle = "/home/ci/42";
	decide(p, &c, &q, -EACCES, where("policy", 3), "devmap");
	/* a bundle with ".." matches no bundle= glob */
	c.bundle = "/srv/../home/x";
	decide(p, &c, &q, -EACCES, where("policy", 3), "devmap");
	c.oci_id = NULL;
	c.bundle = "/srv/x";
	decide(p, &c, &q, -EACCES, where("policy", 3), "devmap");
	/* user rules are not container rules, and the other way round */
	decide(p, &root, &q, -EACCES, where("policy", 1),
	       "command attach not granted");
	bpfd_policy_free(p);
	put("policy", "user 0 preset=all commands=attach\n", 0644, 0);
	p = load_ok();
	c.oci_id = "ci-42";
	decide(p, &c, &q, -EACCES, "", "no rule for container 'ci-42'");
	bpfd_policy_free(p);
}

/* Each unsafe object refuses the whole policy, naming it and why. */
static void test_unsafe(void **unused)
{
	(void)unused;
	NEED_ROOT();
	subdir("policy.d", 0755, 0);
	subdir("presets.d", 0755, 0);
	put("policy", "user 1 maps=hash\n", 0644, 0);
	put("policy.d/a", "user 2 maps=hash\n", 0644, 0);
	put("presets.d/a", "preset p maps=hash\n", 0644, 0);
	bpfd_policy_free(load_ok());

	/* the policy file: owner, group write, other write */
	put("policy", "user 1 maps=hash\n", 0644, OTHER_UID);
	load_fails(EPERM, "/policy: owned by uid 4242, not root");
	put("policy", "user 1 maps=hash\n", 0664, 0);
	load_fails(EPERM, "/policy: writable by group or others (mode 0664)");
	put("policy", "user 1 maps=hash\n", 0646, 0);
	load_fails(EPERM, "(mode 0646)");
	put("policy", "user 1 maps=hash\n", 0644, 0);
	/* a file in policy.d, presets.d */
	put("policy.d/a", "user 2 maps=hash\n", 0644, OTHER_UID);
	load_fails(EPERM, "/policy.d/a: owned by uid 4242");
	put("policy.d/a", "user 2 maps=hash\n", 0666, 0);
	load_fails(EPERM, "/policy.d/a: writable by group or others");
	put("policy.d/a", "user 2 maps=hash\n", 0644, 0);
	put("presets.d/a", "preset p maps=hash\n", 0644, OTHER_UID);
	load_fails(EPERM, "/presets.d/a: owned by uid 4242");
	put("presets.d/a", "preset p maps=hash\n", 0620, 0);
	load_fails(EPERM, "/presets.d/a: writable by group or others");
	put("presets.d/a", "preset p maps=hash\n", 0644, 0);
	/* the directories */
	subdir("policy.d", 0775, 0);
	load_fails(EPERM, "/policy.d: writable by group or others (mode 0775)");
	subdir("policy.d", 0755, OTHER_UID);
	load_fails(EPERM, "/policy.d: owned by uid 4242");
	subdir("policy.d", 0755, 0);
	subdir("presets.d", 0757, 0);
	load_fails(EPERM, "/presets.d: writable by group or others");
	subdir("presets.d", 0755, OTHER_UID);
	load_fails(EPERM, "/presets.d: owned by uid 4242");
	subdir("presets.d", 0755, 0);
	assert_int_equal(chmod(dir, 0775), 0);
	load_fails(EPERM, "writable by group or others (mode 0775)");
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(chown(dir, OTHER_UID, 0), 0);
	load_fails(EPERM, "owned by uid 4242");
	assert_int_equal(chown(dir, 0, 0), 0);
	bpfd_policy_free(load_ok());
}

/* Symlinks (to safe, root-owned targets), and what is not a file. */
static void test_not_files(void **unused)
{
	char path[256], target[256];

	(void)unused;
	NEED_ROOT();
	/* opening a FIFO without O_NONBLOCK would wait for a writer: a hang
	 * ends the test binary (SIGALRM), a failure */
	alarm(30);
	subdir("policy.d", 0755, 0);
	subdir("real", 0755, 0);
	put("real/p", "user 1 maps=hash\n", 0644, 0);
	snprintf(target, sizeof(target), "%s/real/p", dir);

	snprintf(path, sizeof(path), "%s/policy", dir);
	assert_int_equal(symlink(target, path), 0);
	load_fails(EPERM, "/policy: a symbolic link is not accepted");
	unlink(path);
	snprintf(path, sizeof(path), "%s/policy.d/l", dir);
	assert_int_equal(symlink(target, path), 0);
	load_fails(EPERM, "/policy.d/l: a symbolic link is not accepted");
	unlink(path);
	/* presets.d as a symlink to a safe directory */
	snprintf(path, sizeof(path), "%s/presets.d", dir);
	snprintf(target, sizeof(target), "%s/real", dir);
	assert_int_equal(symlink(target, path), 0);
	load_fails(EPERM, "/presets.d: a symbolic link is not accepted");
	unlink(path);
	/* a directory or a FIFO where a file belongs */
	subdir("policy.d/sub", 0755, 0);
	load_fails(EPERM, "/policy.d/sub: not a regular file");
	snprintf(path, sizeof(path), "%s/policy.d/sub", dir);
	assert_int_equal(rmdir(path), 0);
	snprintf(path, sizeof(path), "%s/policy", dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	load_fails(EPERM, "/policy: not a regular file");
	unlink(path);
	/* policy.d a FIFO: not a directory */
	snprintf(path, sizeof(path), "%s/policy.d", dir);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(mkfifo(path, 0644), 0);
	load_fails(EPERM, "/policy.d: not a directory");
	unlink(path);
	bpfd_policy_free(load_ok());
	/* the policy directory itself as a symlink */
	{
		struct bpfd_policy *p = NULL;
		struct bpfd_error e = {0};

		snprintf(path, sizeof(path), "%s/link", dir);
		snprintf(target, sizeof(target), "%s/real", dir);
		assert_int_equal(symlink(target, path), 0);
		assert_int_equal(bpfd_policy_load(path, names, &p, &e), -EPERM);
		print_message("# %s\n", e.detail);
		assert_non_null(strstr(e.detail, "/link: a symbolic link"));
		assert_null(p);
	}
	alarm(0);
}

static void test_bounds(void **unused)
{
	char *big = malloc(64 * 1024 + 2), name[32];

	(void)unused;
	NEED_ROOT();
	assert_non_null(big);
	memset(big, '#', 64 * 1024);
	big[64 * 1024] = '\0';
	put("policy", big, 0644, 0); /* 64 KiB: the limit, accepted */
	bpfd_policy_free(load_ok());
	strcat(big, "\n");
	put("policy", big, 0644, 0);
	load_fails(EPERM, "/policy: larger than 65536 bytes");
	free(big);
	put("policy", "", 0644, 0);
	subdir("policy.d", 0755, 0);
	for (int i = 0; i < 128; i++) {
		snprintf(name, sizeof(name), "policy.d/%03d", i);
		put(name, "", 0644, 0);
	}
	bpfd_policy_free(load_ok());
	put("policy.d/128", "", 0644, 0);
	load_fails(EPERM, "/policy.d: more than 128 entries");
}

/* A refusal's line: the rule (the line to edit) always whole, the reason
 * cut with "..." when both do not fit an error's 256-byte detail (a test
 * build's policy under a long checkout path was cut to "rule /tmp/...
 * /bpfdeleg" by the service client's fixed 80 bytes). */
static void test_refusal_line(void **unused)
{
	char buf[sizeof(((struct bpfd_error *)0)->detail)], reason[400];
	char rule[200];
	size_t n;

	(void)unused;
	bpfd_policy_refusal(buf, sizeof(buf), "maps: hash not granted",
			    "/etc/bpfdelegate/policy:2");
	assert_string_equal(buf, "maps: hash not granted "
				 "(rule /etc/bpfdelegate/policy:2)");
	bpfd_policy_refusal(buf, sizeof(buf), "no rule for user alice", "");
	assert_string_equal(buf, "no rule for user alice "
				 "(no rule applies: default deny)");
	memset(reason, 'r', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	memset(rule, 'p', sizeof(rule) - 4);
	strcpy(rule + sizeof(rule) - 4, ":17");
	bpfd_policy_refusal(buf, sizeof(buf), reason, rule);
	n = strlen(buf);
	assert_int_equal(n, sizeof(buf) - 1);
	assert_non_null(strstr(buf, "r... (rule "));
	assert_memory_equal(buf + n - strlen(rule) - 1, rule, strlen(rule));
	assert_int_equal(buf[n - 1], ')');
	/* a rule longer than the whole line: its start, never an overflow */
	char huge[300];
	memset(huge, 'q', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	bpfd_policy_refusal(buf, sizeof(buf), "x", huge);
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_memory_equal(buf, "(rule qqq", 9);
}

static void test_nul_byte(void **unused)
{
	char path[256];
	int fd;

	(void)unused;
	NEED_ROOT();
	snprintf(path, sizeof(path), "%s/policy", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	/* "user 1 maps=hash" would end at the NUL: the rest must not hide */
	assert_int_equal(write(fd, "user 1\0 maps=any\n", 17), 17);
	close(fd);
	load_fails(EINVAL, "/policy: contains a NUL byte");
}

/* The directory is the build's: no environment variable moves it. */
static void test_dir_fixed(void **unused)
{
	(void)unused;
	setenv("BPFDELEGATE_POLICY_DIR", "/tmp", 1);
	setenv("BPFDELEGATE_POLICY", "/tmp/x", 1);
	assert_string_equal(bpfd_policy_dir(), BPFD_POLICY_DIR);
	unsetenv("BPFDELEGATE_POLICY_DIR");
	unsetenv("BPFDELEGATE_POLICY");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_missing_is_deny_all, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_subset_and_excess, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_user_before_group, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_names_resolve, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_file_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_grammar_errors, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_presets_d, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_commands_netns_paths, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_containers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unsafe, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bounds, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nul_byte, setup, teardown),
	    cmocka_unit_test(test_dir_fixed),
	    cmocka_unit_test(test_refusal_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
