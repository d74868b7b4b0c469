// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Typed values, mappings and lists of the policy loader, with located errors. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/policy_loader.h"
#include "lib/util.h"

/* ---- scalars ---------------------------------------------------------- */

const char *pload_scalar(struct loader *ld, yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SCALAR_NODE) {
		pload_error(ld, n, "%s must be a single value, not a %s", what,
			    n->type == YAML_MAPPING_NODE ? "mapping" : "list");
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

int pload_uint(struct loader *ld, yaml_node_t *n, const char *what,
	       uint64_t min, uint64_t max, uint64_t *out)
{
	const char *s = pload_scalar(ld, n, what);
	int ret;

	if (!s)
		return -EINVAL;
	ret = util_parse_u64(s, UINT64_MAX, out);
	if (ret) {
		pload_error(
			ld, n,
			"%s '%s' is not a number; write it in decimal or as 0x-prefixed hex",
			what, s);
		return ret;
	}
	if (*out < min || *out > max) {
		pload_error(ld, n, "%s %s is out of range; use %llu..%llu",
			    what, s, (unsigned long long)min,
			    (unsigned long long)max);
		return -ERANGE;
	}
	return 0;
}

int pload_bool(struct loader *ld, yaml_node_t *n, const char *what, bool *out)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes",
					   "on" };
	static const char *const no[] = { "false", "False", "FALSE", "no",
					  "off" };
	const char *s = pload_scalar(ld, n, what);
	size_t i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcmp(s, yes[i]) || !strcmp(s, no[i])) {
			*out = !strcmp(s, yes[i]);
			return 0;
		}
	}
	pload_error(ld, n, "%s must be true or false, not '%s'", what, s);
	return -EINVAL;
}

int pload_guid(struct loader *ld, yaml_node_t *n, const char *what,
	       uint64_t *out)
{
	const char *s = pload_scalar(ld, n, what);

	if (!s)
		return -EINVAL;
	if (util_parse_guid(s, out) || !*out) {
		pload_error(
			ld, n,
			"malformed %s '%s'; write 0x and up to 16 hex digits (0x0002c90300a1b2c4), as ibstat shows it",
			what, s);
		return -EINVAL;
	}
	return 0;
}

int pload_name(struct loader *ld, yaml_node_t *n, const char *what, size_t max,
	       char **out)
{
	const char *s = pload_scalar(ld, n, what);
	size_t i, len;

	if (!s)
		return -EINVAL;
	len = strlen(s);
	if (!len || len > max) {
		pload_error(ld, n, "%s '%s' must be 1 to %zu characters long",
			    what, s, max);
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '-' && c != '_' &&
		    c != '.') {
			pload_error(
				ld, n,
				"%s '%s' has the character '%c'; use letters, digits, '-', '_' and '.'",
				what, s, c);
			return -EINVAL;
		}
	}
	*out = pload_strdup(ld, s);
	return 0;
}

/*
 * Parse "10.20.0.0/24" or "fd00::/64" (or a bare address when @plen_dflt is
 * not negative). @family: AF_INET, AF_INET6 or 0 for either.
 */
int pload_prefix(struct loader *ld, yaml_node_t *n, const char *what,
		 int family, int plen_dflt, struct policy_prefix *p)
{
	const char *s = pload_scalar(ld, n, what);
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	uint64_t plen;
	int max;

	if (!s)
		return -EINVAL;
	util_strlcpy(buf, s, sizeof(buf));
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, buf, p->addr) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, p->addr) == 1)
		p->family = AF_INET6;
	if (!p->family || (family && p->family != family)) {
		pload_error(
			ld, n,
			"%s '%s' is not an %s address with a prefix length (like %s)",
			what, s,
			family == AF_INET6 ? "IPv6" :
			family == AF_INET  ? "IPv4" :
					     "IP",
			family == AF_INET6 ? "fd00:20::/64" : "10.20.0.0/24");
		p->family = 0;
		return -EINVAL;
	}
	max = p->family == AF_INET ? 32 : 128;
	if (!slash && plen_dflt >= 0) {
		p->plen = (uint8_t)plen_dflt;
		return 0;
	}
	if (!slash || util_parse_u64(slash, (uint64_t)max, &plen)) {
		pload_error(ld, n, "%s '%s' needs a prefix length /0../%d",
			    what, s, max);
		p->family = 0;
		return -EINVAL;
	}
	p->plen = (uint8_t)plen;
	return 0;
}

/* A subnet must have its host bits clear. */
int pload_subnet(struct loader *ld, yaml_node_t *n, const char *what,
		 int family, struct policy_prefix *p)
{
	struct policy_prefix net;
	char buf[64];
	unsigned int i;

	if (pload_prefix(ld, n, what, family, -1, p))
		return -EINVAL;
	net = *p;
	for (i = p->plen; i < 128; i++)
		net.addr[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
	if (memcmp(net.addr, p->addr, sizeof(net.addr))) {
		pload_error(ld, n, "%s %s has host bits set; did you mean %s?",
			    what, (const char *)n->data.scalar.value,
			    policy_prefix_format(&net, buf, sizeof(buf)));
		p->family = 0;
		return -EINVAL;
	}
	return 0;
}

int pload_membership(struct loader *ld, yaml_node_t *n, bool allow_both,
		     enum policy_membership *m)
{
	const char *s = pload_scalar(ld, n, "membership");

	if (!s)
		return -EINVAL;
	if (!strcmp(s, "full"))
		*m = POLICY_MEMB_FULL;
	else if (!strcmp(s, "limited"))
		*m = POLICY_MEMB_LIMITED;
	else if (allow_both && !strcmp(s, "both"))
		*m = POLICY_MEMB_BOTH;
	else {
		pload_error(ld, n,
			    "membership '%s' is unknown; use full, limited%s",
			    s, allow_both ? " or both" : "");
		return -EINVAL;
	}
	return 0;
}

/* ---- mappings and lists ----------------------------------------------- */

static void unknown_key(struct loader *ld, yaml_node_t *k, const char *what,
			const struct key_handler *h, size_t nh)
{
	const char *key = (const char *)k->data.scalar.value;
	const char *best = NULL;
	unsigned int d, best_d = 3;
	size_t i;

	for (i = 0; i < nh; i++) {
		d = util_edit_distance(key, h[i].key);
		if (d < best_d) {
			best_d = d;
			best = h[i].key;
		}
	}
	if (best)
		pload_error(ld, k, "unknown key '%s' in %s; did you mean '%s'?",
			    key, what, best);
	else
		pload_error(
			ld, k,
			"unknown key '%s' in %s; see fabric.yaml(5) for the keys it takes",
			key, what);
}

void pload_mapping(struct loader *ld, yaml_node_t *n, const char *what,
		   const struct key_handler *h, size_t nh, void *ctx)
{
	yaml_node_pair_t *pair;
	uint64_t seen = 0;
	size_t i;

	if (n->type != YAML_MAPPING_NODE) {
		pload_error(ld, n, "%s must be a mapping of 'key: value' lines",
			    what);
		return;
	}
	for (pair = n->data.mapping.pairs.start;
	     pair < n->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(&ld->doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(&ld->doc, pair->value);
		const char *key = pload_scalar(ld, k, "a key");

		if (!key)
			continue;
		for (i = 0; i < nh && strcmp(h[i].key, key); i++)
			;
		if (i == nh) {
			unknown_key(ld, k, what, h, nh);
		} else if (seen & (1ull << i)) {
			pload_error(ld, k, "duplicate key '%s' in %s; keep one",
				    key, what);
		} else {
			seen |= 1ull << i;
			h[i].fn(ld, v, ctx);
		}
	}
	for (i = 0; i < nh; i++)
		if (h[i].required && !(seen & (1ull << i)))
			pload_error(ld, n, "%s lacks the required key '%s'",
				    what, h[i].key);
}

/* Call @fn on each item of list @n; returns the item count (0 on error). */
size_t pload_list(struct loader *ld, yaml_node_t *n, const char *what,
		  void (*fn)(struct loader *ld, yaml_node_t *item, void *ctx,
			     size_t idx),
		  void *ctx)
{
	yaml_node_item_t *it;
	size_t idx = 0;

	if (n->type != YAML_SEQUENCE_NODE) {
		pload_error(ld, n, "%s must be a list ('- ' items)", what);
		return 0;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++)
		fn(ld, yaml_document_get_node(&ld->doc, *it), ctx, idx++);
	return idx;
}

size_t pload_list_len(yaml_node_t *n)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return 0;
	return (size_t)(n->data.sequence.items.top -
			n->data.sequence.items.start);
}
