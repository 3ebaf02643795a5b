// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The OCI documents' fast paths: lib/jsonscan.c's subset, lib/jsonprune.c
 * (what it keeps, what it leaves to json-c), lib/oci_fast.c (what it reads
 * without json-c, what it declines), and json-c's answer either way.
 */
#include <errno.h>
#include <sys/capability.h>

#include "internal.h"
#include "jsonprune.h"
#include "oci_same.h"
#include "testutil.h"

static const struct bpfd_json_keep keep[] = {
    {"root", NULL},	  {"annotations", NULL}, {"linux", "namespaces"},
    {"linux", "seccomp"}, {"process", "user"},	 {"process", "capabilities"},
};

static ssize_t prune(const char *text, char *out, size_t outlen)
{
	return bpfd_json_prune(text, strlen(text), keep, ARRAY_SIZE(keep), out,
			       outlen);
}

/* @text prunes to exactly @want. */
static void prunes_to(const char *text, const char *want)
{
	char out[1024];
	ssize_t n = prune(text, out, sizeof(out));

	print_message("# pruned: %s\n", n >= 0 ? out : "(whole)");
	assert_true(n >= 0);
	assert_string_equal(out, want);
	assert_int_equal((size_t)n, strlen(want));
}

/* @text is left to json-c whole, and parses the same both ways. */
static void left_whole(const char *text)
{
	char out[1024];

	print_message("# whole: %s\n", text);
	assert_int_equal(prune(text, out, sizeof(out)), -1);
	assert_true(oci_config_same_both_ways(text, strlen(text)));
}

static void test_keeps_what_is_read(void **unused)
{
	(void)unused;
	prunes_to("{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\","
		  " \"readonly\": true},\n \"mounts\": [{\"destination\": "
		  "\"/proc\", \"options\": [\"nosuid\", 1, -2, null]}],\n"
		  " \"process\": {\"args\": [\"sh\"], \"user\": {\"uid\": 0},"
		  " \"capabilities\": {\"bounding\": [\"CAP_BPF\"]}},\n"
		  " \"linux\": {\"maskedPaths\": [\"/proc/kcore\"], "
		  "\"namespaces\": [{\"type\": \"user\"}]}}",
		  "{\"root\":{\"path\": \"rootfs\", \"readonly\": true},"
		  "\"linux\":{\"namespaces\":[{\"type\": \"user\"}]},"
		  "\"process\":{\"user\":{\"uid\": 0},\"capabilities\":"
		  "{\"bounding\": [\"CAP_BPF\"]}}}");
	/* nothing read: an empty object (json-c then says what is missing) */
	prunes_to(" {\"mounts\": [], \"hostname\": \"h\"} \n", "{}");
	/* a "linux" that is not an object is kept whole, for its type error */
	prunes_to("{\"linux\": \"x\", \"process\": null, \"root\": 5}",
		  "{\"root\":5,\"linux\":\"x\",\"process\":null}");
	/* escapes inside values (and in keys nobody compares) stay as they are */
	prunes_to("{\"annotations\": {\"a\\u00e9\\n\": \"\\\"\\/\\t\"}}",
		  "{\"annotations\":{\"a\\u00e9\\n\": \"\\\"\\/\\t\"}}");
}

/* json-c takes the last of duplicate keys: so does the pruning. */
static void test_duplicates_last(void **unused)
{
	(void)unused;
	prunes_to(
	    "{\"root\": {\"path\": \"a\"}, \"linux\": {\"namespaces\": "
	    "[1], \"seccomp\": {}}, \"root\": {\"path\": \"b\"}, "
	    "\"linux\": {\"namespaces\": [2], \"namespaces\": [3]}}",
	    "{\"root\":{\"path\": \"b\"},\"linux\":{\"namespaces\":[3]}}");
}

/* Outside the subset: -1, and the caller parses the whole text. */
static void test_left_whole(void **unused)
{
	char deep[256] = "{\"mounts\":";

	(void)unused;
	left_whole("{\"root\": {\"path\": \"r\"}, \"mounts\": [1.5]}");
	left_whole("{\"root\": {\"path\": \"r\"}, \"mounts\": [1e3]}");
	left_whole("{\"root\": {\"path\": \"r\"}, \"mounts\": [012]}");
	left_whole(
	    "{\"root\": {\"path\": \"r\"}, \"x\": 123456789012345678901}");
	left_whole("{\"root\": {\"path\": \"r\"}, \"x\": \"\\ud800\"}");
	left_whole("{\"root\": {\"path\": \"r\"}, \"x\": \"tab\there\"}");
	left_whole("{\"root\": {\"path\": \"r\"}, \"x\": \"\\q\"}");
	left_whole("{\"root\": {\"path\": \"r\"}, \"x\": \"\\u12\"}");
	/* an escaped key that may spell one read ("\u0072oot" is "root") */
	left_whole("{\"root\": {\"path\": \"a\"}, \"\\u0072oot\": {\"path\": "
		   "\"b\"}}");
	left_whole("{\"linux\": {\"n\\u0061mespaces\": [{\"type\": "
		   "\"user\"}]}, \"root\": {\"path\": \"r\"}}");
	/* what json-c itself refuses, or not an object */
	left_whole("{\"root\": {\"path\": \"r\"}, \"mounts\": [1, 2,]}");
	left_whole("{\"root\": {\"path\": \"r\"}} trailing");
	left_whole("{\"root\": {\"path\": \"r\"}");
	left_whole("[{\"root\": {\"path\": \"r\"}}]");
	left_whole("{'root': {'path': 'r'}}");
	left_whole("");
	/* a NUL, raw or escaped, even in a member nobody reads */
	left_whole("{\"root\": {\"path\": \"r\"}, \"mounts\": \"\\u0000\"}");
	/* deeper than the scan goes (json-c's own limit is 32) */
	for (int i = 0; i < 25; i++)
		strcat(deep, "[");
	for (int i = 0; i < 25; i++)
		strcat(deep, "]");
	strcat(deep, ",\"root\":{\"path\":\"r\"}}");
	left_whole(deep);
	/* too little room for the result */
	{
		char out[8];

		assert_int_equal(prune("{\"root\": {\"path\": \"rootfs\"}}",
				       out, sizeof(out)),
				 -1);
	}
}

/* Valid configs, parsed both ways: the same fields. */
static void test_same_both_ways(void **unused)
{
	static const char *const docs[] = {
	    "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
	    "\"process\":{\"user\":{\"uid\":1000},\"capabilities\":{"
	    "\"effective\":[\"CAP_BPF\",\"CAP_PERFMON\"],\"bounding\":["
	    "\"CAP_BPF\"]}},\"linux\":{\"namespaces\":[{\"type\":\"user\"},"
	    "{\"type\":\"mount\"}],\"seccomp\":{\"defaultAction\":"
	    "\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,\"syscalls\":[{"
	    "\"names\":[\"bpf\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{"
	    "\"index\":0,\"value\":18446744073709551615,\"op\":"
	    "\"SCMP_CMP_EQ\"}]}]}},\"mounts\":[{\"destination\":\"/x\"}],"
	    "\"annotations\":{\"bpfdelegate.io/maps\":\"array\"}}",
	    /* wrong types where they are read: the same refusal */
	    "{\"root\":{\"path\":7}}",
	    "{\"root\":{\"path\":\"r\"},\"annotations\":[]}",
	    "{\"root\":{\"path\":\"r\"},\"annotations\":{"
	    "\"bpfdelegate.io/mpas\":\"x\"}}",
	    "{\"root\":{\"path\":\"\"},\"linux\":{\"namespaces\":\"user\"}}",
	    "{\"mounts\":[]}",
	    "{\"root\":{\"path\":\"r\"},\"process\":{\"user\":{\"uid\":-1}}}",
	};

	(void)unused;
	for (size_t i = 0; i < ARRAY_SIZE(docs); i++) {
		print_message("# %s\n", docs[i]);
		assert_true(
		    oci_config_same_both_ways(docs[i], strlen(docs[i])));
	}
}

static const char runc_like[] =
    "{\n\t\"ociVersion\": \"1.0.2-dev\",\n\t\"process\": {\"terminal\": "
    "false, \"user\": {\"uid\": 1000, \"gid\": 0},\n\t\t\"args\": "
    "[\"sh\"], \"env\": [\"PATH=/bin\", \"TERM=xterm\"],\n\t\t"
    "\"capabilities\": {\"bounding\": [\"CAP_BPF\", \"CAP_KILL\"], "
    "\"effective\": [\"CAP_BPF\", \"CAP_NOSUCH\"], \"permitted\": []},\n\t\t"
    "\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024}]},\n\t"
    "\"root\": {\"path\": \"rootfs\", \"readonly\": true},\n\t"
    "\"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", "
    "\"options\": [\"nosuid\"]}],\n\t\"linux\": {\"namespaces\": "
    "[{\"type\": \"pid\"}, {\"type\": \"user\"}], \"seccomp\": null, "
    "\"maskedPaths\": [\"/proc/kcore\"]},\n\t\"annotations\": "
    "{\"io.k8s/x\": \"\\u00e9\", \"bpfdelegate.io/maps\": \"hash\", "
    "\"bpfdelegate.io/maps\": \"array\", \"bpfdelegate.io/target\": "
    "\"/mnt/bpf\"}\n}\n";

/* A runtime's plain documents are read without json-c, as json-c would. */
static void test_fast_taken(void **unused)
{
	static const char state[] =
	    "{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"creating\","
	    "\"pid\":4242,\"bundle\":\"/run/b\",\"annotations\":{"
	    "\"bpfdelegate.io/cmds\":\"any\"}}";
	struct bpfd_oci_config c;
	struct bpfd_oci_state st;

	(void)unused;
	assert_int_equal(bpfd_oci_fast_config(runc_like, strlen(runc_like), &c),
			 1);
	assert_string_equal(c.root_path, "rootfs");
	assert_true(c.has_userns);
	assert_true(c.caps_known);
	assert_true(c.has_cap_bpf);
	assert_int_equal(c.uid, 1000);
	assert_int_equal(c.caps[BPFD_OCI_EFFECTIVE], 1ULL << CAP_BPF);
	assert_int_equal(c.caps[BPFD_OCI_BOUNDING],
			 1ULL << CAP_BPF | 1ULL << CAP_KILL);
	assert_false(c.seccomp.present);
	assert_true(c.ann.present);
	assert_string_equal(c.ann.value[BPFD_OCI_MAPS], "array"); /* last */
	assert_string_equal(c.ann.value[BPFD_OCI_TARGET], "/mnt/bpf");
	assert_null(c.ann.value[BPFD_OCI_CMDS]);
	bpfd_oci_config_free(&c);
	assert_true(oci_config_same_both_ways(runc_like, strlen(runc_like)));
	assert_int_equal(bpfd_oci_fast_state(state, strlen(state), &st), 1);
	assert_int_equal(st.pid, 4242);
	assert_string_equal(st.bundle, "/run/b");
	assert_string_equal(st.id, "c1");
	assert_string_equal(st.ann.value[BPFD_OCI_CMDS], "any");
	bpfd_oci_state_free(&st);
	assert_true(oci_state_same_both_ways(state, strlen(state)));
}

/* What the fast path declines goes to json-c: the same answer. */
static void test_fast_declines(void **unused)
{
	static const char *const configs[] = {
	    /* a seccomp profile (lib/oci.c prunes it for json-c) */
	    "{\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":{"
	    "\"defaultAction\":\"SCMP_ACT_ALLOW\"}}}",
	    /* an escape in a string read, in a key compared */
	    "{\"root\":{\"path\":\"r\\u0041\"}}",
	    "{\"root\":{\"path\":\"r\"},\"annotations\":{"
	    "\"bpfdelegate.io/target\":\"/a\\nb\"}}",
	    "{\"root\":{\"path\":\"r\"},\"annotations\":{"
	    "\"bpfdelegate.io/m\\u0061ps\":\"array\"}}",
	    /* unusual types, read leniently by json-c */
	    "{\"root\":{\"path\":\"r\"},\"linux\":{\"namespaces\":[\"user\","
	    "{\"type\":\"user\"}]}}",
	    "{\"root\":{\"path\":\"r\"},\"process\":{\"user\":{\"uid\":-1},"
	    "\"capabilities\":{\"effective\":[7,\"CAP_BPF\"]}}}",
	    "{\"root\":{\"path\":\"r\"},\"process\":{\"capabilities\":{"
	    "\"effective\":[\"000000000000000000000000000000000000000000000000"
	    "000000000000000000000039\"]}}}",
	    "{\"root\":{\"path\":\"r\"},\"linux\":null,\"process\":[]}",
	    /* refusals: json-c's messages */
	    "{\"root\":{\"path\":\"\"}}",
	    "{\"root\":{\"path\":\"r\"},\"annotations\":{"
	    "\"bpfdelegate.io/mpas\":\"x\"}}",
	    "{\"root\":{\"path\":\"r\"},\"annotations\":{"
	    "\"bpfdelegate.io/maps\":\"a\",\"bpfdelegate.io/maps\":5}}",
	};
	static const char *const states[] = {
	    "{\"pid\":-1,\"bundle\":\"/b\"}",
	    "{\"pid\":0,\"bundle\":\"/b\"}",
	    "{\"pid\":1073741824,\"bundle\":\"/b\"}",
	    "{\"pid\":\"1\",\"bundle\":\"/b\"}",
	    "{\"pid\":1,\"bundle\":\"b\"}",
	    "{\"pid\":1,\"bundle\":\"/\\u0062\"}",
	    "{\"pid\":1,\"bundle\":\"/b\",\"id\":7}",
	    "{\"pid\":1,\"bundle\":\"/b\",\"annotations\":{"
	    "\"bpfdelegate.io/maps\":5,\"bpfdelegate.io/maps\":\"a\"}}",
	    "{\"pid\":1,\"pid\":2,\"bundle\":\"/b\",\"id\":\"\"}",
	};
	struct bpfd_oci_config c;
	struct bpfd_oci_state st;

	(void)unused;
	for (size_t i = 0; i < ARRAY_SIZE(configs); i++) {
		print_message("# %s\n", configs[i]);
		assert_int_equal(
		    bpfd_oci_fast_config(configs[i], strlen(configs[i]), &c),
		    0);
		assert_null(c.root_path);
		assert_true(
		    oci_config_same_both_ways(configs[i], strlen(configs[i])));
	}
	for (size_t i = 0; i < ARRAY_SIZE(states); i++) {
		const char *t = states[i];
		int taken = bpfd_oci_fast_state(t, strlen(t), &st);

		print_message("# %s: %s\n", t, taken ? "taken" : "declined");
		/* only the duplicate pid (json-c: the last) is taken */
		assert_int_equal(taken, i == ARRAY_SIZE(states) - 1);
		if (taken)
			assert_int_equal(st.pid, 2);
		bpfd_oci_state_free(&st);
		assert_true(oci_state_same_both_ways(t, strlen(t)));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keeps_what_is_read),
	    cmocka_unit_test(test_duplicates_last),
	    cmocka_unit_test(test_left_whole),
	    cmocka_unit_test(test_same_both_ways),
	    cmocka_unit_test(test_fast_taken),
	    cmocka_unit_test(test_fast_declines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
