// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The OCI state / config.json parsers (lib/oci.c) and the quoting of
 * untrusted text (lib/quote.c): what oci-hook takes from a runtime.
 */
#include <errno.h>

#include "oci.h"
#include "quote.h"
#include "testutil.h"

static int state(const char *text, struct bpfd_oci_state *st,
		 struct bpfd_error *e)
{
	memset(e, 0, sizeof(*e));
	return bpfd_oci_parse_state(text, strlen(text), st, e);
}

static int config(const char *text, struct bpfd_oci_config *c,
		  struct bpfd_error *e)
{
	memset(e, 0, sizeof(*e));
	return bpfd_oci_parse_config(text, strlen(text), c, e);
}

/* A refusal: @r is -@err, the detail names @word, one line. */
static void refused(int r, int err, const struct bpfd_error *e,
		    const char *word)
{
	assert_int_equal(r, -err);
	assert_int_equal(e->err, err);
	assert_true(e->refused);
	print_message("# %s\n", e->detail);
	assert_non_null(strstr(e->detail, word));
	assert_null(strchr(e->detail, '\n'));
	assert_null(strstr(e->detail, "uccess"));
}

static void test_state_valid(void **unused)
{
	struct bpfd_oci_state st;
	struct bpfd_error e;

	(void)unused;
	assert_int_equal(
	    state("{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":"
		  "\"creating\",\"pid\":4242,\"bundle\":\"/run/b\","
		  "\"annotations\":{\"bpfdelegate.io/maps\":\"array\","
		  "\"bpfdelegate.io/target\":\"/mnt/bpf\",\"other\":5}}\n",
		  &st, &e),
	    0);
	assert_int_equal(st.pid, 4242);
	assert_string_equal(st.id, "c1");
	assert_string_equal(st.bundle, "/run/b");
	assert_true(st.ann.present);
	assert_string_equal(st.ann.value[BPFD_OCI_MAPS], "array");
	assert_string_equal(st.ann.value[BPFD_OCI_TARGET], "/mnt/bpf");
	assert_null(st.ann.value[BPFD_OCI_CMDS]);
	bpfd_oci_state_free(&st);
	/* no id: "?"; no annotations: not present */
	assert_int_equal(state("{\"pid\":1,\"bundle\":\"/b\"}", &st, &e), 0);
	assert_string_equal(st.id, "?");
	assert_false(st.ann.present);
	bpfd_oci_state_free(&st);
}

/* defect 8: `null` said "not a JSON object: success". */
static void test_not_an_object(void **unused)
{
	static const char *const docs[] = {"null", "[1,2]",	"5",   "\"x\"",
					   "",	   "{\"pid\":", "{} x"};
	struct bpfd_oci_state st;
	struct bpfd_error e;

	(void)unused;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		refused(state(docs[i], &st, &e), EBADMSG, &e,
			"not a JSON object");
		bpfd_oci_state_free(&st);
	}
	refused(state("null", &st, &e), EBADMSG, &e, "null");
}

/* defect 5: wrong-typed and unknown annotations were silently ignored. */
static void test_annotations_checked(void **unused)
{
	struct bpfd_oci_state st;
	struct bpfd_error e;

	(void)unused;
	refused(state("{\"pid\":1,\"bundle\":\"/b\",\"annotations\":"
		      "{\"bpfdelegate.io/maps\":5}}",
		      &st, &e),
		EINVAL, &e, "'bpfdelegate.io/maps' has type int, not string");
	bpfd_oci_state_free(&st);
	refused(state("{\"pid\":1,\"bundle\":\"/b\",\"annotations\":"
		      "{\"bpfdelegate.io/preset\":null}}",
		      &st, &e),
		EINVAL, &e, "preset' has type null");
	bpfd_oci_state_free(&st);
	refused(state("{\"pid\":1,\"bundle\":\"/b\",\"annotations\":"
		      "{\"bpfdelegate.io/map\":\"array\"}}",
		      &st, &e),
		EINVAL, &e, "unknown annotation 'bpfdelegate.io/map'");
	bpfd_oci_state_free(&st);
	refused(
	    state("{\"pid\":1,\"bundle\":\"/b\",\"annotations\":[]}", &st, &e),
	    EINVAL, &e, "\"annotations\" has type array");
	bpfd_oci_state_free(&st);
	/* another prefix is not ours */
	assert_int_equal(state("{\"pid\":1,\"bundle\":\"/b\",\"annotations\":"
			       "{\"bpfdelegate.io.x/maps\":5,\"a\":[]}}",
			       &st, &e),
			 0);
	bpfd_oci_state_free(&st);
}

/* defect 5: a \u0000 cut strings (and object keys) silently. */
static void test_nul_refused(void **unused)
{
	struct bpfd_oci_state st;
	struct bpfd_oci_config c;
	struct bpfd_error e;

	(void)unused;
	refused(config("{\"root\":{\"path\":\"rootfs\\u0000/x\"}}", &c, &e),
		EINVAL, &e, "NUL");
	bpfd_oci_config_free(&c);
	refused(state("{\"pid\":1,\"bundle\":\"/b\",\"annotations\":"
		      "{\"bpfdelegate.io/maps\\u0000x\":\"any\"}}",
		      &st, &e),
		EINVAL, &e, "NUL");
	bpfd_oci_state_free(&st);
	assert_int_equal(bpfd_oci_parse_state("{\"pid\":1,\"bundle\":\"/b\0\"}",
					      25, &st, &e),
			 -EINVAL);
	bpfd_oci_state_free(&st);
	/* an escaped backslash followed by u0000 is text, not a NUL */
	assert_int_equal(config("{\"root\":{\"path\":\"r\\\\u0000\"}}", &c, &e),
			 0);
	assert_string_equal(c.root_path, "r\\u0000");
	bpfd_oci_config_free(&c);
}

static void test_state_fields(void **unused)
{
	struct bpfd_oci_state st;
	struct bpfd_error e;

	(void)unused;
	refused(state("{\"bundle\":\"/b\"}", &st, &e), EINVAL, &e, "pid");
	bpfd_oci_state_free(&st);
	refused(state("{\"pid\":\"1\",\"bundle\":\"/b\"}", &st, &e), EINVAL, &e,
		"\"pid\" has type string");
	bpfd_oci_state_free(&st);
	refused(state("{\"pid\":0,\"bundle\":\"/b\"}", &st, &e), EINVAL, &e,
		"not a valid pid");
	bpfd_oci_state_free(&st);
	refused(
	    state("{\"pid\":99999999999999999999,\"bundle\":\"/b\"}", &st, &e),
	    EINVAL, &e, "not a valid pid");
	bpfd_oci_state_free(&st);
	refused(state("{\"pid\":1}", &st, &e), EINVAL, &e, "bundle");
	bpfd_oci_state_free(&st);
	refused(state("{\"pid\":1,\"bundle\":\"rel\"}", &st, &e), EINVAL, &e,
		"not an absolute path");
	bpfd_oci_state_free(&st);
	refused(state("{\"pid\":1,\"bundle\":\"/b\",\"id\":7}", &st, &e),
		EINVAL, &e, "\"id\" has type int");
	bpfd_oci_state_free(&st);
}

static void test_config(void **unused)
{
	struct bpfd_oci_config c;
	struct bpfd_error e;

	(void)unused;
	assert_int_equal(
	    config("{\"root\":{\"path\":\"rootfs\"},\"process\":{"
		   "\"capabilities\":{\"effective\":[\"CAP_KILL\",\"CAP_BPF\"]"
		   "}},\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":"
		   "\"user\"}]},\"annotations\":{\"bpfdelegate.io/cmds\":"
		   "\"any\"}}",
		   &c, &e),
	    0);
	assert_string_equal(c.root_path, "rootfs");
	assert_true(c.has_userns && c.caps_known && c.has_cap_bpf);
	assert_string_equal(c.ann.value[BPFD_OCI_CMDS], "any");
	bpfd_oci_config_free(&c);
	/* odd shapes read as "no user namespace" / "no CAP_BPF" */
	assert_int_equal(
	    config("{\"root\":{\"path\":\"/r\"},\"process\":{\"capabilities\":"
		   "{\"effective\":\"CAP_BPF\"}},\"linux\":{\"namespaces\":"
		   "[\"user\",{\"type\":[\"user\"]}]}}",
		   &c, &e),
	    0);
	assert_false(c.has_userns);
	assert_true(c.caps_known);
	assert_false(c.has_cap_bpf);
	bpfd_oci_config_free(&c);
	refused(config("{}", &c, &e), EINVAL, &e, "root.path");
	bpfd_oci_config_free(&c);
	refused(config("{\"root\":{\"path\":\"\"}}", &c, &e), EINVAL, &e,
		"empty");
	bpfd_oci_config_free(&c);
	refused(config("{\"root\":{\"path\":5}}", &c, &e), EINVAL, &e,
		"root.path has type int");
	bpfd_oci_config_free(&c);
}

/* defect 5: a root.path over 4095 bytes was cut, then used. */
static void test_long_paths(void **unused)
{
	struct bpfd_oci_config c;
	struct bpfd_error e;
	static char doc[8192 + 64], path[8192];
	char buf[BPFD_OCI_PATH_MAX];

	(void)unused;
	memset(path, 'a', 4095);
	path[0] = '/';
	path[4095] = '\0';
	snprintf(doc, sizeof(doc), "{\"root\":{\"path\":\"%s\"}}", path);
	assert_int_equal(config(doc, &c, &e), 0); /* 4095: fits */
	bpfd_oci_config_free(&c);
	strcat(path, "b");
	snprintf(doc, sizeof(doc), "{\"root\":{\"path\":\"%s\"}}", path);
	refused(config(doc, &c, &e), E2BIG, &e, "longer than 4095 bytes");
	bpfd_oci_config_free(&c);
	/* bundle + relative root.path: refused, never cut */
	path[4090] = '\0'; /* 13 + 4089 bytes */
	memset(buf, 'x', sizeof(buf));
	refused(bpfd_oci_rootfs("/some/bundle", path + 1, buf, sizeof(buf), &e),
		E2BIG, &e, "longer than 4095");
	assert_string_equal(buf, "");
	assert_int_equal(bpfd_oci_rootfs("/b", "rootfs", buf, sizeof(buf), &e),
			 0);
	assert_string_equal(buf, "/b/rootfs");
	assert_int_equal(bpfd_oci_rootfs("/b", "/abs", buf, sizeof(buf), &e),
			 0);
	assert_string_equal(buf, "/abs");
}

/* defect 8: values echoed raw; quoted, one line, every byte visible. */
static void test_quote(void **unused)
{
	char buf[64];

	(void)unused;
	assert_string_equal(bpfd_quote(buf, sizeof(buf), "array"), "'array'");
	assert_string_equal(bpfd_quote(buf, sizeof(buf), "a\n\x1b[31mb"),
			    "'a\\x0a\\x1b[31mb'");
	assert_string_equal(bpfd_quote(buf, sizeof(buf), "it's a\\b"),
			    "'it\\'s a\\\\b'");
	assert_string_equal(bpfd_quote(buf, sizeof(buf), "\xc3\xa9"),
			    "'\\xc3\\xa9'");
	assert_string_equal(bpfd_quote_mem(buf, sizeof(buf), "a\0b", 3),
			    "'a\\x00b'");
	assert_string_equal(bpfd_quote(buf, sizeof(buf), NULL), "''");
	/* cut with ..., always terminated and quoted */
	assert_string_equal(bpfd_quote(buf, 10, "abcdefghijkl"), "'abcd...'");
	assert_string_equal(bpfd_quote(buf, 10, "\n\n\n"), "'\\x0a...'");
	assert_string_equal(bpfd_quote(buf, 10, "abcdefgh"), "'abcd...'");
	assert_string_equal(bpfd_quote(buf, 11, "abcdefgh"), "'abcdefgh'");
	assert_string_equal(bpfd_escape_line(buf, sizeof(buf), "x: 'a\\x0a'\n"),
			    "x: 'a\\x0a'\\x0a");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state_valid),
	    cmocka_unit_test(test_not_an_object),
	    cmocka_unit_test(test_annotations_checked),
	    cmocka_unit_test(test_nul_refused),
	    cmocka_unit_test(test_state_fields),
	    cmocka_unit_test(test_config),
	    cmocka_unit_test(test_long_paths),
	    cmocka_unit_test(test_quote),
	};
	return cmocka_run_group_tests_name("oci", tests, NULL, NULL);
}
