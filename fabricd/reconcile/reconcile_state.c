// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The reconciler's state file (see reconcile_state.h). */
#include "fabricd/reconcile/reconcile_state.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "lib/util.h"

int rc_addr_parse(const char *s, struct rc_addr *a)
{
	char ip[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	uint64_t plen;

	if (!slash || (size_t)(slash - s) >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, s, slash - s);
	ip[slash - s] = '\0';
	memset(a->addr, 0, sizeof(a->addr));
	if (inet_pton(AF_INET, ip, a->addr) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, ip, a->addr) == 1)
		a->family = AF_INET6;
	else
		return -EINVAL;
	if (util_parse_u64(slash + 1, a->family == AF_INET ? 32 : 128, &plen))
		return -EINVAL;
	a->plen = (uint8_t)plen;
	return 0;
}

static int load_links(json_t *arr, struct rc_set *owned)
{
	struct rc_link l;
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v) {
		const char *name =
			json_string_value(json_object_get(v, "name"));
		const char *part =
			json_string_value(json_object_get(v, "partition"));

		if (!name || !part)
			return -EINVAL;
		memset(&l, 0, sizeof(l));
		util_strlcpy(l.name, name, sizeof(l.name));
		util_strlcpy(l.partition, part, sizeof(l.partition));
		if (rc_set_add_link(owned, &l))
			return -ENOMEM;
	}
	return 0;
}

static int load_addrs(json_t *arr, struct rc_set *owned)
{
	struct rc_addr a;
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v) {
		const char *dev = json_string_value(json_object_get(v, "dev"));
		const char *s = json_string_value(json_object_get(v, "addr"));
		const char *part =
			json_string_value(json_object_get(v, "partition"));

		memset(&a, 0, sizeof(a));
		if (!dev || !s || !part || rc_addr_parse(s, &a))
			return -EINVAL;
		util_strlcpy(a.dev, dev, sizeof(a.dev));
		util_strlcpy(a.partition, part, sizeof(a.partition));
		if (rc_set_add_addr(owned, &a))
			return -ENOMEM;
	}
	return 0;
}

/*
 * The schema: RC_STATE_SCHEMA, or none at all with both arrays (files of
 * fabricd 0.1, which wrote no "schema" key). Returns 0 or -EPROTO.
 */
static int check_schema(json_t *root, char *why, size_t len)
{
	json_t *schema = json_object_get(root, "schema");

	if (!json_is_object(root)) {
		snprintf(why, len, "not a JSON object");
		return -EPROTO;
	}
	if (schema && !(json_is_string(schema) &&
			!strcmp(json_string_value(schema), RC_STATE_SCHEMA))) {
		snprintf(why, len, "schema %s, not %s",
			 json_is_string(schema) ? json_string_value(schema) :
						  "(not a string)",
			 RC_STATE_SCHEMA);
		return -EPROTO;
	}
	if (!json_is_array(json_object_get(root, "links")) ||
	    !json_is_array(json_object_get(root, "addrs"))) {
		snprintf(why, len, "no \"links\" and \"addrs\" arrays");
		return -EPROTO;
	}
	return 0;
}

int rc_state_load(const char *path, struct rc_set *owned, char *why, size_t len)
{
	json_error_t jerr;
	json_t *root;
	int ret;

	rc_set_clear(owned);
	why[0] = '\0';
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root && access(path, F_OK) && errno == ENOENT)
		return 0;
	if (!root && access(path, R_OK)) {
		snprintf(why, len, "%s", strerror(errno));
		return -errno;
	}
	if (!root) {
		snprintf(why, len, "line %d: %s", jerr.line, jerr.text);
		return -EBADMSG;
	}
	ret = check_schema(root, why, len);
	if (!ret)
		ret = load_links(json_object_get(root, "links"), owned);
	if (!ret)
		ret = load_addrs(json_object_get(root, "addrs"), owned);
	if (ret == -EINVAL) {
		snprintf(why, len,
			 "an entry lacks a name, device, address or partition");
		ret = -EBADMSG;
	}
	json_decref(root);
	if (ret)
		rc_set_clear(owned);
	return ret;
}

static json_t *dump_state(const struct rc_set *owned)
{
	json_t *links = json_array(), *addrs = json_array();
	char buf[64];
	size_t i;

	for (i = 0; i < owned->n_links; i++)
		json_array_append_new(
			links,
			json_pack("{s:s, s:s}", "name", owned->links[i].name,
				  "partition", owned->links[i].partition));
	for (i = 0; i < owned->n_addrs; i++) {
		const struct rc_addr *a = &owned->addrs[i];

		json_array_append_new(
			addrs,
			json_pack("{s:s, s:s, s:s}", "dev", a->dev, "addr",
				  rc_addr_format(a, buf, sizeof(buf)),
				  "partition", a->partition));
	}
	return json_pack("{s:s, s:o, s:o}", "schema", RC_STATE_SCHEMA, "links",
			 links, "addrs", addrs);
}

int rc_state_save(const char *path, const struct rc_set *owned, char **last)
{
	json_t *root = dump_state(owned);
	char *text;
	int ret;

	text = root ? json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER) :
		      NULL;
	json_decref(root);
	if (!text)
		return -ENOMEM;
	if (*last && !strcmp(*last, text)) {
		free(text);
		return 0;
	}
	ret = util_write_file_atomic(path, text, strlen(text), 0644);
	if (ret) {
		free(text);
		return ret;
	}
	free(*last);
	*last = text;
	return 0;
}
