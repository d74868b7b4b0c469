// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabricctl partition add|del, member add|del: edit the policy file so that
 * it cannot break the fabric. The text is changed in place (comments kept),
 * the result is validated by the same loader the SM plugin and fabricd use,
 * and only a valid result replaces the file (atomically, previous version
 * kept as FILE.bak). A refused edit leaves the file byte-identical.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/policy.h"
#include "lib/policy_edit.h"
#include "lib/util.h"
#include "tools/fabricctl.h"

typedef int (*edit_fn)(const char *in, const void *arg, char **out, char *why,
		       size_t why_len);

/* Validate @text as the new @path; print located errors when it fails. */
static bool validate(const char *path, const char *text)
{
	char label[512];
	unsigned int n = 0;
	struct policy *pol;

	snprintf(label, sizeof(label), "%s (after the edit)", path);
	pol = policy_load_buffer(label, text, strlen(text), stderr, &n);
	policy_free(pol);
	if (!pol)
		fprintf(stderr,
			"fabricctl: refused: the edit would leave %u error%s in %s; the file is unchanged\n",
			n, n == 1 ? "" : "s", path);
	return pol != NULL;
}

static int save(const char *path, const char *old, size_t old_len,
		const char *text)
{
	char bak[4096];
	struct stat st;
	unsigned int mode = 0644;
	int ret;

	if (!stat(path, &st))
		mode = st.st_mode & 07777;
	snprintf(bak, sizeof(bak), "%s.bak", path);
	ret = util_write_file_atomic(bak, old, old_len, mode);
	if (!ret)
		ret = util_write_file_atomic(path, text, strlen(text), mode);
	if (ret) {
		fprintf(stderr, "fabricctl: cannot write %s: %s\n", path,
			strerror(-ret));
		return FCTL_UNREACHABLE;
	}
	return FCTL_OK;
}

/*
 * Editors of one file take turns on FILE.lock: the file itself gets a new
 * inode at every atomic rename, so a lock on it would not exclude anyone.
 * Returns the descriptor that holds the lock or an FCTL_* code (negated).
 */
static int lock_policy(const struct fctl_opts *o)
{
	char lock[4096];
	int fd;

	snprintf(lock, sizeof(lock), "%s.lock", o->policy);
	fd = util_lock_file(lock, o->timeout_ms);
	if (fd == -ETIMEDOUT)
		fprintf(stderr,
			"fabricctl: %s: another edit of %s held the lock for %d ms; try again, or raise -t (fuser %s shows who holds it)\n",
			lock, o->policy, o->timeout_ms, lock);
	else if (fd < 0)
		fprintf(stderr, "fabricctl: cannot lock %s: %s\n", lock,
			strerror(-fd));
	return fd < 0 ? -FCTL_UNREACHABLE : fd;
}

/* Edit, validate, write the text @old read under the lock. */
static int edit_text(const struct fctl_opts *o, edit_fn fn, const void *arg,
		     const char *old, size_t len, const char *done)
{
	char *text = NULL, why[512] = "";
	int ret = fn(old, arg, &text, why, sizeof(why));

	if (ret) {
		/* a located reason reads FILE:LINE:COL: ... */
		fprintf(stderr, "fabricctl: %s:%s%s\n", o->policy,
			why[0] >= '0' && why[0] <= '9' ? "" : " ",
			why[0] ? why : strerror(-ret));
		ret = ret == -ENOMEM ? FCTL_UNREACHABLE : FCTL_REFUSED;
	} else if (!validate(o->policy, text)) {
		ret = FCTL_REFUSED;
	} else {
		ret = save(o->policy, old, len, text);
		if (ret == FCTL_OK && !o->json)
			printf("%s in %s (previous version in %s.bak); the SM applies it on its next sweep\n",
			       done, o->policy, o->policy);
	}
	free(text);
	return ret;
}

/*
 * Lock, read, edit, validate, write, unlock: the common path of every edit
 * command. The file is read under the lock, so that no edit is lost.
 */
static int edit_policy(const struct fctl_opts *o, edit_fn fn, const void *arg,
		       const char *done)
{
	int lock = lock_policy(o), ret;
	char *old;
	size_t len;

	if (lock < 0)
		return -lock;
	ret = policy_read_file(o->policy, &old, &len);
	if (ret) {
		fprintf(stderr, "fabricctl: cannot read %s: %s\n", o->policy,
			policy_read_error(ret));
		close(lock);
		return FCTL_UNREACHABLE;
	}
	ret = edit_text(o, fn, arg, old, len, done);
	free(old);
	close(lock);
	return ret;
}

/* Values go into YAML text: allow only what they can hold. */
static bool plain_word(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && !strchr(extra, *s))
			return false;
	return true;
}

static int bad_value(const char *what, const char *v)
{
	fprintf(stderr, "fabricctl: invalid %s '%s'\n", what, v);
	return FCTL_REFUSED;
}

static int parse_uint(const char *what, const char *v, uint64_t max,
		      unsigned int *out)
{
	uint64_t n;

	if (util_parse_u64(v, max, &n))
		return bad_value(what, v);
	*out = (unsigned int)n;
	return 0;
}

/* Parse "KEY VALUE" pairs after the partition name. */
static int parse_partition_args(int argc, char **argv,
				struct policy_edit_partition *p)
{
	int i, ret = 0;

	for (i = 0; i + 1 < argc && !ret; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];

		if (!strcmp(k, "pkey"))
			ret = parse_uint("pkey", v, 0xffff, &p->pkey);
		else if (!strcmp(k, "vlan"))
			ret = parse_uint("vlan", v, 0xffff, &p->vlan);
		else if (!strcmp(k, "mtu"))
			ret = parse_uint("mtu", v, 65536, &p->mtu);
		else if (!strcmp(k, "ipoib") &&
			 (!strcmp(v, "yes") || !strcmp(v, "no")))
			p->ipoib = !strcmp(v, "yes");
		else if (!strcmp(k, "ipv4") && plain_word(v, "./"))
			p->ipv4 = v;
		else if (!strcmp(k, "ipv6") && plain_word(v, ":/"))
			p->ipv6 = v;
		else
			ret = bad_value(k, v);
	}
	if (!ret && i != argc)
		ret = bad_value("argument", argv[argc - 1]);
	if (!ret && !p->pkey) {
		fprintf(stderr, "fabricctl: partition add needs 'pkey PKEY'\n");
		ret = FCTL_REFUSED;
	}
	return ret;
}

static int do_add_partition(const char *in, const void *arg, char **out,
			    char *why, size_t why_len)
{
	return policy_edit_add_partition(in, arg, out, why, why_len);
}

int fctl_partition_add(const void *ctx, int argc, char **argv)
{
	const struct fctl_opts *o = ctx;
	struct policy_edit_partition p = { .name = argv[0], .ipoib = -1 };
	char done[128];
	int ret;

	if (!plain_word(p.name, "-_."))
		return bad_value("partition name", p.name);
	ret = parse_partition_args(argc - 1, argv + 1, &p);
	if (ret)
		return ret;
	snprintf(done, sizeof(done), "partition %s added", p.name);
	return edit_policy(o, do_add_partition, &p, done);
}

static int do_del_partition(const char *in, const void *arg, char **out,
			    char *why, size_t why_len)
{
	return policy_edit_del_partition(in, arg, out, why, why_len);
}

int fctl_partition_del(const void *ctx, int argc, char **argv)
{
	const struct fctl_opts *o = ctx;
	char done[128];

	snprintf(done, sizeof(done), "partition %s deleted", argv[0]);
	return edit_policy(o, do_del_partition, argv[0], done);
}

struct member_arg {
	const char *partition;
	struct policy_edit_member m;
};

static int parse_member(int argc, char **argv, struct member_arg *a)
{
	static const char *const sels[] = { "all_cas", "all_switches", "all" };
	static const enum policy_selector selv[] = { POLICY_SEL_ALL_CAS,
						     POLICY_SEL_ALL_SWITCHES,
						     POLICY_SEL_ALL };
	size_t i;

	a->partition = argv[0];
	a->m.sel = POLICY_SEL_GUID;
	for (i = 0; i < ARRAY_SIZE(sels); i++)
		if (!strcmp(argv[1], sels[i]))
			a->m.sel = selv[i];
	if (a->m.sel == POLICY_SEL_GUID) {
		uint64_t g;

		if (util_parse_guid(argv[1], &g) || !g)
			return bad_value("port GUID", argv[1]);
		a->m.guid = g;
	}
	a->m.membership = POLICY_MEMB_FULL;
	if (argc > 2) {
		if (!strcmp(argv[2], "limited"))
			a->m.membership = POLICY_MEMB_LIMITED;
		else if (!strcmp(argv[2], "both"))
			a->m.membership = POLICY_MEMB_BOTH;
		else if (strcmp(argv[2], "full"))
			return bad_value("membership", argv[2]);
	}
	return 0;
}

static int do_add_member(const char *in, const void *arg, char **out, char *why,
			 size_t why_len)
{
	const struct member_arg *a = arg;

	return policy_edit_add_member(in, a->partition, &a->m, out, why,
				      why_len);
}

static int do_del_member(const char *in, const void *arg, char **out, char *why,
			 size_t why_len)
{
	const struct member_arg *a = arg;

	return policy_edit_del_member(in, a->partition, &a->m, out, why,
				      why_len);
}

static int cmd_member(const struct fctl_opts *o, int argc, char **argv,
		      edit_fn fn, const char *verb)
{
	struct member_arg a;
	char done[256];
	int ret = parse_member(argc, argv, &a);

	if (ret)
		return ret;
	snprintf(done, sizeof(done), "member %s %s partition %s", argv[1], verb,
		 a.partition);
	return edit_policy(o, fn, &a, done);
}

static int cmd_member_add(const void *ctx, int argc, char **argv)
{
	return cmd_member(ctx, argc, argv, do_add_member, "added to");
}

static int cmd_member_del(const void *ctx, int argc, char **argv)
{
	if (argc > 2)
		return bad_value("argument", argv[2]);
	return cmd_member(ctx, argc, argv, do_del_member, "deleted from");
}

static const struct cli_cmd member_cmds[] = {
	{ "add", "PARTITION GUID|all_cas|all_switches|all [full|limited|both]",
	  "add a member to a partition in the policy file", 2, 3,
	  cmd_member_add },
	{ "del", "PARTITION GUID|all_cas|all_switches|all",
	  "delete a member from a partition in the policy file", 2, 3,
	  cmd_member_del },
};

const struct cli_object fctl_member_object =
	CLI_OBJECT("member", "partition members in the policy file (add, del)",
		   member_cmds);
