// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The policy loader: libyaml's document API gives every node its position,
 * so each error can name FILE:LINE:COL. Loading goes in two passes: the
 * syntax pass (parse_*) turns nodes into the model and reports what is wrong
 * with each value on its own; the rules pass (check_*) looks across values
 * (duplicates, overlaps, references, table sizes). Every error is reported,
 * not only the first.
 */
#include "lib/policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <yaml.h>

#include "lib/util.h"

/* Where the values of one partition stand, for messages of the rules pass. */
struct part_locs {
	struct policy_loc name, pkey, vlan, ipv4, ipv6;
	bool vlan_set;
};

struct gw_locs {
	struct policy_loc name;
	struct policy_loc *addr_locs; /* one per address, in order */
};

/* One error, kept until the end so that they print in file order. */
struct perror {
	struct policy_loc loc;
	unsigned int seq;
	char msg[480];
};

struct loader {
	const char *file;
	struct perror *errors;
	FILE *err;
	unsigned int n_errors;
	yaml_document_t doc;
	struct policy *pol;
	struct part_locs *plocs; /* parallel to pol->partitions */
	struct gw_locs *glocs; /* parallel to pol->gateways */
	yaml_node_t *gateways_node, *ports_node; /* resolved after partitions */
};

static struct policy_loc loc_of(const yaml_node_t *n)
{
	struct policy_loc l = { n->start_mark.line + 1,
				n->start_mark.column + 1 };
	return l;
}

static void perr_at(struct loader *ld, struct policy_loc l, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));
static void perr_at(struct loader *ld, struct policy_loc l, const char *fmt,
		    ...)
{
	struct perror *e;
	va_list ap;

	ld->n_errors++;
	e = realloc(ld->errors, ld->n_errors * sizeof(*e));
	if (!e) {
		perror("policy");
		exit(2);
	}
	ld->errors = e;
	e = &ld->errors[ld->n_errors - 1];
	e->loc = l;
	e->seq = ld->n_errors;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

static int perror_cmp(const void *a, const void *b)
{
	const struct perror *x = a, *y = b;

	if (x->loc.line != y->loc.line)
		return x->loc.line < y->loc.line ? -1 : 1;
	if (x->loc.col != y->loc.col)
		return x->loc.col < y->loc.col ? -1 : 1;
	return x->seq < y->seq ? -1 : 1;
}

/* Print the errors in file order, as a compiler would. */
static void flush_errors(struct loader *ld)
{
	unsigned int i;

	if (ld->errors)
		qsort(ld->errors, ld->n_errors, sizeof(*ld->errors),
		      perror_cmp);
	for (i = 0; ld->err && i < ld->n_errors; i++)
		fprintf(ld->err, "%s:%u:%u: error: %s\n", ld->file,
			ld->errors[i].loc.line, ld->errors[i].loc.col,
			ld->errors[i].msg);
	free(ld->errors);
	ld->errors = NULL;
}

#define perr(ld, node, ...) perr_at(ld, loc_of(node), __VA_ARGS__)

static void *xcalloc(struct loader *ld, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		perror("policy");
		exit(2);
	}
	return p;
}

static char *xstrdup(struct loader *ld, const char *s)
{
	char *p = strdup(s);

	if (!p) {
		perror("policy");
		exit(2);
	}
	return p;
}

/* ---- scalars ---------------------------------------------------------- */

static const char *scalar(struct loader *ld, yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SCALAR_NODE) {
		perr(ld, n, "%s must be a single value, not a %s", what,
		     n->type == YAML_MAPPING_NODE ? "mapping" : "list");
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

static int get_uint(struct loader *ld, yaml_node_t *n, const char *what,
		    uint64_t min, uint64_t max, uint64_t *out)
{
	const char *s = scalar(ld, n, what);
	int ret;

	if (!s)
		return -EINVAL;
	ret = util_parse_u64(s, UINT64_MAX, out);
	if (ret) {
		perr(ld, n,
		     "%s '%s' is not a number; write it in decimal "
		     "or as 0x-prefixed hex",
		     what, s);
		return ret;
	}
	if (*out < min || *out > max) {
		perr(ld, n, "%s %s is out of range; use %llu..%llu", what, s,
		     (unsigned long long)min, (unsigned long long)max);
		return -ERANGE;
	}
	return 0;
}

static int get_bool(struct loader *ld, yaml_node_t *n, const char *what,
		    bool *out)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes",
					   "on" };
	static const char *const no[] = { "false", "False", "FALSE", "no",
					  "off" };
	const char *s = scalar(ld, n, what);
	size_t i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcmp(s, yes[i]) || !strcmp(s, no[i])) {
			*out = !strcmp(s, yes[i]);
			return 0;
		}
	}
	perr(ld, n, "%s must be true or false, not '%s'", what, s);
	return -EINVAL;
}

static int get_guid(struct loader *ld, yaml_node_t *n, const char *what,
		    uint64_t *out)
{
	const char *s = scalar(ld, n, what);

	if (!s)
		return -EINVAL;
	if (util_parse_guid(s, out) || !*out) {
		perr(ld, n,
		     "malformed %s '%s'; write 0x and up to 16 hex "
		     "digits (0x0002c90300a1b2c4), as ibstat shows it",
		     what, s);
		return -EINVAL;
	}
	return 0;
}

static int get_name(struct loader *ld, yaml_node_t *n, const char *what,
		    size_t max, char **out)
{
	const char *s = scalar(ld, n, what);
	size_t i, len;

	if (!s)
		return -EINVAL;
	len = strlen(s);
	if (!len || len > max) {
		perr(ld, n, "%s '%s' must be 1 to %zu characters long", what, s,
		     max);
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '-' && c != '_' &&
		    c != '.') {
			perr(ld, n,
			     "%s '%s' has the character '%c'; use "
			     "letters, digits, '-', '_' and '.'",
			     what, s, c);
			return -EINVAL;
		}
	}
	*out = xstrdup(ld, s);
	return 0;
}

/*
 * Parse "10.20.0.0/24" or "fd00::/64" (or a bare address when @plen_dflt is
 * not negative). @family: AF_INET, AF_INET6 or 0 for either.
 */
static int get_prefix(struct loader *ld, yaml_node_t *n, const char *what,
		      int family, int plen_dflt, struct policy_prefix *p)
{
	const char *s = scalar(ld, n, what);
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
		perr(ld, n,
		     "%s '%s' is not an %s address with a prefix "
		     "length (like %s)",
		     what, s,
		     family == AF_INET6 ? "IPv6" :
		     family == AF_INET	? "IPv4" :
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
		perr(ld, n, "%s '%s' needs a prefix length /0../%d", what, s,
		     max);
		p->family = 0;
		return -EINVAL;
	}
	p->plen = (uint8_t)plen;
	return 0;
}

/* A subnet must have its host bits clear. */
static int get_subnet(struct loader *ld, yaml_node_t *n, const char *what,
		      int family, struct policy_prefix *p)
{
	struct policy_prefix net;
	char buf[64];
	unsigned int i;

	if (get_prefix(ld, n, what, family, -1, p))
		return -EINVAL;
	net = *p;
	for (i = p->plen; i < 128; i++)
		net.addr[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
	if (memcmp(net.addr, p->addr, sizeof(net.addr))) {
		perr(ld, n, "%s %s has host bits set; did you mean %s?", what,
		     (const char *)n->data.scalar.value,
		     policy_prefix_format(&net, buf, sizeof(buf)));
		p->family = 0;
		return -EINVAL;
	}
	return 0;
}

static int get_membership(struct loader *ld, yaml_node_t *n, bool allow_both,
			  enum policy_membership *m)
{
	const char *s = scalar(ld, n, "membership");

	if (!s)
		return -EINVAL;
	if (!strcmp(s, "full"))
		*m = POLICY_MEMB_FULL;
	else if (!strcmp(s, "limited"))
		*m = POLICY_MEMB_LIMITED;
	else if (allow_both && !strcmp(s, "both"))
		*m = POLICY_MEMB_BOTH;
	else {
		perr(ld, n, "membership '%s' is unknown; use full, limited%s",
		     s, allow_both ? " or both" : "");
		return -EINVAL;
	}
	return 0;
}

/* ---- mappings and lists ----------------------------------------------- */

/*
 * One key of a mapping: @fn parses its value into @ctx. Keys are checked
 * generically: unknown keys (with a "did you mean"), duplicates, missing
 * required ones.
 */
struct key_handler {
	const char *key;
	bool required;
	void (*fn)(struct loader *ld, yaml_node_t *val, void *ctx);
};

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
		perr(ld, k, "unknown key '%s' in %s; did you mean '%s'?", key,
		     what, best);
	else
		perr(ld, k,
		     "unknown key '%s' in %s; see fabric.yaml(5) for "
		     "the keys it takes",
		     key, what);
}

static void parse_mapping(struct loader *ld, yaml_node_t *n, const char *what,
			  const struct key_handler *h, size_t nh, void *ctx)
{
	yaml_node_pair_t *pair;
	uint64_t seen = 0;
	size_t i;

	if (n->type != YAML_MAPPING_NODE) {
		perr(ld, n, "%s must be a mapping of 'key: value' lines", what);
		return;
	}
	for (pair = n->data.mapping.pairs.start;
	     pair < n->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(&ld->doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(&ld->doc, pair->value);
		const char *key = scalar(ld, k, "a key");

		if (!key)
			continue;
		for (i = 0; i < nh && strcmp(h[i].key, key); i++)
			;
		if (i == nh) {
			unknown_key(ld, k, what, h, nh);
		} else if (seen & (1ull << i)) {
			perr(ld, k, "duplicate key '%s' in %s; keep one", key,
			     what);
		} else {
			seen |= 1ull << i;
			h[i].fn(ld, v, ctx);
		}
	}
	for (i = 0; i < nh; i++)
		if (h[i].required && !(seen & (1ull << i)))
			perr(ld, n, "%s lacks the required key '%s'", what,
			     h[i].key);
}

/* Call @fn on each item of list @n; returns the item count (0 on error). */
static size_t parse_list(struct loader *ld, yaml_node_t *n, const char *what,
			 void (*fn)(struct loader *ld, yaml_node_t *item,
				    void *ctx, size_t idx),
			 void *ctx)
{
	yaml_node_item_t *it;
	size_t idx = 0;

	if (n->type != YAML_SEQUENCE_NODE) {
		perr(ld, n, "%s must be a list ('- ' items)", what);
		return 0;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++)
		fn(ld, yaml_document_get_node(&ld->doc, *it), ctx, idx++);
	return idx;
}

static size_t list_len(yaml_node_t *n)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return 0;
	return (size_t)(n->data.sequence.items.top -
			n->data.sequence.items.start);
}

/* ---- fabric: --------------------------------------------------------- */

static void pin_guid(struct loader *ld, yaml_node_t *v, void *ctx)
{
	get_guid(ld, v, "port GUID", &((struct policy_lid_pin *)ctx)->guid);
}

static void pin_lid(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct policy_lid_pin *pin = ctx;
	uint64_t lid;
	const char *s = scalar(ld, v, "lid");

	if (!s)
		return;
	if (util_parse_u64(s, UINT64_MAX, &lid)) {
		perr(ld, v, "lid '%s' is not a number; write it like 0x0010",
		     s);
		return;
	}
	if (lid < POLICY_LID_MIN || lid > POLICY_LID_MAX) {
		perr(ld, v,
		     "lid %s is not a unicast LID; pin a LID in "
		     "0x0001..0xbfff",
		     s);
		return;
	}
	pin->lid = (uint16_t)lid;
}

static const struct key_handler pin_keys[] = {
	{ "guid", true, pin_guid },
	{ "lid", true, pin_lid },
};

static void parse_pin(struct loader *ld, yaml_node_t *item, void *ctx,
		      size_t idx)
{
	struct policy_lid_pin *pin = &ld->pol->lid_pins[idx];

	pin->loc = loc_of(item);
	parse_mapping(ld, item, "a LID pin", pin_keys, ARRAY_SIZE(pin_keys),
		      pin);
}

static void fabric_name(struct loader *ld, yaml_node_t *v, void *ctx)
{
	get_name(ld, v, "fabric name", 64, &ld->pol->fabric_name);
}

static void fabric_pins(struct loader *ld, yaml_node_t *v, void *ctx)
{
	ld->pol->lid_pins =
		xcalloc(ld, list_len(v), sizeof(struct policy_lid_pin));
	ld->pol->n_lid_pins = parse_list(ld, v, "lid_pins", parse_pin, NULL);
}

static void fabric_pkey_table(struct loader *ld, yaml_node_t *v, void *ctx)
{
	uint64_t n;

	if (!get_uint(ld, v, "pkey_table_size", 2, 32768, &n))
		ld->pol->pkey_table_size = (unsigned int)n;
}

static const struct key_handler fabric_keys[] = {
	{ "name", false, fabric_name },
	{ "lid_pins", false, fabric_pins },
	{ "pkey_table_size", false, fabric_pkey_table },
};

/* ---- partitions: -------------------------------------------------------- */

struct member_ctx {
	struct policy_member *m;
	unsigned int n_sel;
};

static void member_guid(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct member_ctx *c = ctx;

	c->n_sel++;
	c->m->sel = POLICY_SEL_GUID;
	get_guid(ld, v, "port GUID", &c->m->guid);
}

static void member_flag(struct loader *ld, yaml_node_t *v, struct member_ctx *c,
			enum policy_selector sel)
{
	const char *name = policy_selector_name(sel);
	bool on;

	c->n_sel++;
	c->m->sel = sel;
	if (get_bool(ld, v, name, &on))
		return;
	if (!on)
		perr(ld, v,
		     "'%s: false' selects no port; remove the entry or "
		     "write '%s: true'",
		     name, name);
}

static void member_all_cas(struct loader *ld, yaml_node_t *v, void *ctx)
{
	member_flag(ld, v, ctx, POLICY_SEL_ALL_CAS);
}

static void member_all_switches(struct loader *ld, yaml_node_t *v, void *ctx)
{
	member_flag(ld, v, ctx, POLICY_SEL_ALL_SWITCHES);
}

static void member_all(struct loader *ld, yaml_node_t *v, void *ctx)
{
	member_flag(ld, v, ctx, POLICY_SEL_ALL);
}

static void member_membership(struct loader *ld, yaml_node_t *v, void *ctx)
{
	get_membership(ld, v, true, &((struct member_ctx *)ctx)->m->membership);
}

static const struct key_handler member_keys[] = {
	{ "guid", false, member_guid },
	{ "all_cas", false, member_all_cas },
	{ "all_switches", false, member_all_switches },
	{ "all", false, member_all },
	{ "membership", true, member_membership },
};

static void parse_member(struct loader *ld, yaml_node_t *item, void *ctx,
			 size_t idx)
{
	struct policy_partition *p = ctx;
	struct member_ctx c = { .m = &p->members[idx] };

	c.m->loc = loc_of(item);
	parse_mapping(ld, item, "a member", member_keys,
		      ARRAY_SIZE(member_keys), &c);
	if (item->type != YAML_MAPPING_NODE)
		return;
	if (!c.n_sel)
		perr(ld, item,
		     "a member needs one of guid, all_cas, "
		     "all_switches or all");
	else if (c.n_sel > 1)
		perr(ld, item,
		     "a member takes only one of guid, all_cas, "
		     "all_switches and all; write one entry each");
}

struct part_ctx {
	struct policy_partition *p;
	struct part_locs *l;
};

static void part_name(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct part_ctx *c = ctx;

	c->l->name = loc_of(v);
	get_name(ld, v, "partition name", 64, &c->p->name);
}

static void part_pkey(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct part_ctx *c = ctx;
	const char *s = scalar(ld, v, "pkey");
	uint64_t k;

	c->l->pkey = loc_of(v);
	if (!s)
		return;
	if (util_parse_u64(s, UINT64_MAX, &k)) {
		perr(ld, v, "pkey '%s' is not a number; write it like 0x0001",
		     s);
	} else if (k > 0xffff) {
		perr(ld, v,
		     "pkey %s is out of range; a PKey is 0x0001..0x7ffe "
		     "(or 0x8001..0xfffe with the full-member bit)",
		     s);
	} else if ((k & 0x7fff) == 0) {
		perr(ld, v, "pkey %s is the invalid PKey; pick 0x0001..0x7ffe",
		     s);
	} else if ((k & 0x7fff) == 0x7fff) {
		perr(ld, v,
		     "pkey %s is the default partition, which OpenSM "
		     "always keeps; pick 0x0001..0x7ffe",
		     s);
	} else {
		c->p->pkey = (uint16_t)(k & 0x7fff);
	}
}

static void part_vlan(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct part_ctx *c = ctx;
	uint64_t vid;

	c->l->vlan = loc_of(v);
	c->l->vlan_set = true;
	if (!get_uint(ld, v, "vlan", POLICY_VLAN_MIN, POLICY_VLAN_MAX, &vid))
		c->p->vlan = (uint16_t)vid;
}

static void part_ipoib(struct loader *ld, yaml_node_t *v, void *ctx)
{
	get_bool(ld, v, "ipoib", &((struct part_ctx *)ctx)->p->ipoib);
}

static void part_mtu(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct part_ctx *c = ctx;
	uint64_t mtu;

	if (get_uint(ld, v, "mtu", 0, UINT32_MAX, &mtu))
		return;
	if (!policy_mtu_code((unsigned int)mtu)) {
		perr(ld, v,
		     "mtu %llu is not an InfiniBand MTU; write bytes: "
		     "256, 512, 1024, 2048 or 4096",
		     (unsigned long long)mtu);
		return;
	}
	c->p->mtu = (unsigned int)mtu;
}

static void part_sl(struct loader *ld, yaml_node_t *v, void *ctx)
{
	uint64_t sl;

	if (!get_uint(ld, v, "sl", 0, 15, &sl))
		((struct part_ctx *)ctx)->p->sl = (unsigned int)sl;
}

static void part_ipv4(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct part_ctx *c = ctx;

	c->l->ipv4 = loc_of(v);
	get_subnet(ld, v, "ipv4 subnet", AF_INET, &c->p->ipv4);
}

static void part_ipv6(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct part_ctx *c = ctx;

	c->l->ipv6 = loc_of(v);
	get_subnet(ld, v, "ipv6 subnet", AF_INET6, &c->p->ipv6);
}

static void part_members(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct policy_partition *p = ((struct part_ctx *)ctx)->p;

	p->members = xcalloc(ld, list_len(v), sizeof(*p->members));
	p->n_members = parse_list(ld, v, "members", parse_member, p);
}

static const struct key_handler part_keys[] = {
	{ "name", true, part_name },	    { "pkey", true, part_pkey },
	{ "vlan", false, part_vlan },	    { "ipoib", false, part_ipoib },
	{ "mtu", false, part_mtu },	    { "sl", false, part_sl },
	{ "ipv4", false, part_ipv4 },	    { "ipv6", false, part_ipv6 },
	{ "members", false, part_members },
};

static void parse_partition(struct loader *ld, yaml_node_t *item, void *ctx,
			    size_t idx)
{
	struct part_ctx c = { &ld->pol->partitions[idx], &ld->plocs[idx] };

	c.p->loc = loc_of(item);
	c.p->ipoib = true;
	c.p->mtu = POLICY_MTU_DEFAULT;
	parse_mapping(ld, item, "a partition", part_keys, ARRAY_SIZE(part_keys),
		      &c);
}

/* ---- gateways: ---------------------------------------------------------- */

struct gw_ctx {
	struct policy_gateway *gw;
	struct gw_locs *l;
	size_t n_locs;
};

static const struct policy_partition *resolve_partition(struct loader *ld,
							yaml_node_t *v)
{
	const char *s = scalar(ld, v, "partition name");
	const struct policy_partition *p;

	if (!s)
		return NULL;
	p = policy_find_partition(ld->pol, s);
	if (!p)
		perr(ld, v,
		     "no partition is named '%s'; define it under "
		     "'partitions:' or fix the name",
		     s);
	return p;
}

static void gw_name(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct gw_ctx *c = ctx;

	c->l->name = loc_of(v);
	get_name(ld, v, "gateway name", 64, &c->gw->name);
}

static void gw_port_guid(struct loader *ld, yaml_node_t *v, void *ctx)
{
	get_guid(ld, v, "port GUID", &((struct gw_ctx *)ctx)->gw->port_guid);
}

/* Linux interface names: at most 15 bytes, no '/', ':' or blanks. */
static void get_ifname(struct loader *ld, yaml_node_t *v, const char *what,
		       char **out)
{
	const char *s = scalar(ld, v, what);

	if (!s)
		return;
	if (!*s || strlen(s) > 15 || strpbrk(s, "/: \t")) {
		perr(ld, v,
		     "%s '%s' is not a Linux interface name (1 to 15 "
		     "characters, no '/', ':' or spaces)",
		     what, s);
		return;
	}
	*out = xstrdup(ld, s);
}

static void gw_uplink(struct loader *ld, yaml_node_t *v, void *ctx)
{
	get_ifname(ld, v, "uplink", &((struct gw_ctx *)ctx)->gw->uplink);
}

static void gw_ib_device(struct loader *ld, yaml_node_t *v, void *ctx)
{
	get_name(ld, v, "ib_device", 63,
		 &((struct gw_ctx *)ctx)->gw->ib_device);
}

static void gw_ib_port(struct loader *ld, yaml_node_t *v, void *ctx)
{
	uint64_t port;

	if (!get_uint(ld, v, "ib_port", 1, 254, &port))
		((struct gw_ctx *)ctx)->gw->ib_port = (unsigned int)port;
}

static void gw_one_addr(struct loader *ld, yaml_node_t *item, void *ctx,
			size_t idx)
{
	struct gw_ctx *c = ctx;
	struct policy_gw_addrs *ga = &c->gw->addrs[c->gw->n_addrs];

	if (!get_prefix(ld, item, "gateway address", 0, -1,
			&ga->addrs[ga->n_addrs])) {
		c->l->addr_locs[c->n_locs] = loc_of(item);
		ga->n_addrs++;
		c->n_locs++;
	}
}

static void gw_addresses(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct gw_ctx *c = ctx;
	yaml_node_pair_t *pair;
	size_t n = 0, total = 0;

	if (v->type != YAML_MAPPING_NODE) {
		perr(ld, v,
		     "addresses must map partition names to address "
		     "lists, like '{ tenant-a: [10.20.0.1/24] }'");
		return;
	}
	for (pair = v->data.mapping.pairs.start;
	     pair < v->data.mapping.pairs.top; pair++, n++)
		total +=
			list_len(yaml_document_get_node(&ld->doc, pair->value));
	c->gw->addrs = xcalloc(ld, n, sizeof(*c->gw->addrs));
	c->l->addr_locs = xcalloc(ld, total, sizeof(struct policy_loc));
	for (pair = v->data.mapping.pairs.start;
	     pair < v->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(&ld->doc, pair->key);
		yaml_node_t *l = yaml_document_get_node(&ld->doc, pair->value);
		struct policy_gw_addrs *ga = &c->gw->addrs[c->gw->n_addrs];

		ga->partition = resolve_partition(ld, k);
		if (!ga->partition)
			continue;
		if (policy_gateway_addrs(c->gw, ga->partition)) {
			perr(ld, k,
			     "partition '%s' appears twice in this "
			     "gateway's addresses; merge the lists",
			     ga->partition->name);
			continue;
		}
		ga->addrs = xcalloc(ld, list_len(l), sizeof(*ga->addrs));
		parse_list(ld, l, "a partition's gateway addresses",
			   gw_one_addr, c);
		c->gw->n_addrs++;
	}
}

static const struct key_handler gw_keys[] = {
	{ "name", true, gw_name },	  { "port_guid", false, gw_port_guid },
	{ "uplink", true, gw_uplink },	  { "ib_device", false, gw_ib_device },
	{ "ib_port", false, gw_ib_port }, { "addresses", false, gw_addresses },
};

static void parse_gateway(struct loader *ld, yaml_node_t *item, void *ctx,
			  size_t idx)
{
	struct gw_ctx c = { &ld->pol->gateways[idx], &ld->glocs[idx], 0 };

	c.gw->loc = loc_of(item);
	parse_mapping(ld, item, "a gateway", gw_keys, ARRAY_SIZE(gw_keys), &c);
}

/* ---- ports: ------------------------------------------------------------- */

static void port_name(struct loader *ld, yaml_node_t *v, void *ctx)
{
	get_ifname(ld, v, "port name", &((struct policy_port *)ctx)->name);
}

static void port_partition(struct loader *ld, yaml_node_t *v, void *ctx)
{
	((struct policy_port *)ctx)->partition = resolve_partition(ld, v);
}

static void port_membership(struct loader *ld, yaml_node_t *v, void *ctx)
{
	get_membership(ld, v, false, &((struct policy_port *)ctx)->membership);
}

static const struct key_handler port_keys[] = {
	{ "name", true, port_name },
	{ "partition", true, port_partition },
	{ "membership", false, port_membership },
};

static void parse_port(struct loader *ld, yaml_node_t *item, void *ctx,
		       size_t idx)
{
	struct policy_port *port = &ld->pol->ports[idx];

	port->loc = loc_of(item);
	port->membership = POLICY_MEMB_FULL;
	parse_mapping(ld, item, "an access port", port_keys,
		      ARRAY_SIZE(port_keys), port);
}

/* ---- the document ------------------------------------------------------- */

static void root_fabric(struct loader *ld, yaml_node_t *v, void *ctx)
{
	parse_mapping(ld, v, "fabric", fabric_keys, ARRAY_SIZE(fabric_keys),
		      NULL);
}

static void root_partitions(struct loader *ld, yaml_node_t *v, void *ctx)
{
	size_t n = list_len(v);

	ld->pol->partitions = xcalloc(ld, n, sizeof(*ld->pol->partitions));
	ld->plocs = xcalloc(ld, n, sizeof(*ld->plocs));
	ld->pol->n_partitions =
		parse_list(ld, v, "partitions", parse_partition, NULL);
}

/* Gateways and ports refer to partitions: parse them once those exist. */
static void root_gateways(struct loader *ld, yaml_node_t *v, void *ctx)
{
	ld->gateways_node = v;
}

static void root_ports(struct loader *ld, yaml_node_t *v, void *ctx)
{
	ld->ports_node = v;
}

static const struct key_handler root_keys[] = {
	{ "fabric", false, root_fabric },
	{ "partitions", true, root_partitions },
	{ "gateways", false, root_gateways },
	{ "ports", false, root_ports },
};

static void parse_root(struct loader *ld, yaml_node_t *root)
{
	yaml_node_t *v;
	size_t n;

	parse_mapping(ld, root, "the policy", root_keys, ARRAY_SIZE(root_keys),
		      NULL);
	v = ld->gateways_node;
	if (v) {
		n = list_len(v);
		ld->pol->gateways = xcalloc(ld, n, sizeof(*ld->pol->gateways));
		ld->glocs = xcalloc(ld, n, sizeof(*ld->glocs));
		ld->pol->n_gateways =
			parse_list(ld, v, "gateways", parse_gateway, NULL);
	}
	v = ld->ports_node;
	if (v) {
		ld->pol->ports =
			xcalloc(ld, list_len(v), sizeof(*ld->pol->ports));
		ld->pol->n_ports = parse_list(ld, v, "ports", parse_port, NULL);
	}
	if (!ld->pol->fabric_name)
		ld->pol->fabric_name = xstrdup(ld, "fabric");
}

static void free_locs(struct loader *ld)
{
	size_t i;

	for (i = 0; ld->glocs && i < ld->pol->n_gateways; i++)
		free(ld->glocs[i].addr_locs);
	free(ld->glocs);
	free(ld->plocs);
}

/* ---- the rules pass: across values ------------------------------------ */

static void check_partition_pair(struct loader *ld, size_t i, size_t j)
{
	const struct policy_partition *a = &ld->pol->partitions[i];
	const struct policy_partition *b = &ld->pol->partitions[j];
	const struct part_locs *la = &ld->plocs[i], *lb = &ld->plocs[j];
	char buf[64];

	if (a->name && b->name && !strcmp(a->name, b->name))
		perr_at(ld, lb->name,
			"duplicate partition name '%s' (first "
			"at line %u); rename one",
			b->name, la->name.line);
	if (a->pkey && a->pkey == b->pkey)
		perr_at(ld, lb->pkey,
			"pkey 0x%04x is already used by "
			"partition '%s' (line %u); pick another",
			b->pkey, a->name ? a->name : "?", la->pkey.line);
	if (a->vlan && a->vlan == b->vlan && a->pkey != b->pkey)
		perr_at(ld, lb->vlan_set ? lb->vlan : lb->pkey,
			"vlan %u is already used by partition '%s' (line %u)"
			"; give this partition its own 'vlan:'",
			b->vlan, a->name ? a->name : "?",
			(la->vlan_set ? la->vlan : la->pkey).line);
	if (policy_prefix_overlap(&a->ipv4, &b->ipv4))
		perr_at(ld, lb->ipv4,
			"ipv4 subnet %s overlaps partition "
			"'%s' (line %u); tenants need disjoint "
			"subnets",
			policy_prefix_format(&b->ipv4, buf, sizeof(buf)),
			a->name ? a->name : "?", la->ipv4.line);
	if (policy_prefix_overlap(&a->ipv6, &b->ipv6))
		perr_at(ld, lb->ipv6,
			"ipv6 subnet %s overlaps partition "
			"'%s' (line %u); tenants need disjoint "
			"subnets",
			policy_prefix_format(&b->ipv6, buf, sizeof(buf)),
			a->name ? a->name : "?", la->ipv6.line);
}

static void check_members(struct loader *ld, const struct policy_partition *p)
{
	size_t i, j;

	for (i = 0; i < p->n_members; i++) {
		const struct policy_member *a = &p->members[i];

		for (j = 0; j < i; j++) {
			const struct policy_member *b = &p->members[j];

			if (a->sel != b->sel ||
			    (a->sel == POLICY_SEL_GUID && a->guid != b->guid))
				continue;
			perr_at(ld, a->loc,
				"this member repeats the one at "
				"line %u; keep one and choose its "
				"membership there",
				b->loc.line);
			break;
		}
	}
}

static void check_partitions(struct loader *ld)
{
	struct policy *pol = ld->pol;
	size_t i, j;

	/* The VLAN defaults to the PKey when that is a valid VID. */
	for (i = 0; i < pol->n_partitions; i++) {
		struct policy_partition *p = &pol->partitions[i];

		if (!ld->plocs[i].vlan_set && p->pkey <= POLICY_VLAN_MAX)
			p->vlan = p->pkey;
	}
	for (i = 0; i < pol->n_partitions; i++) {
		for (j = 0; j < i; j++)
			check_partition_pair(ld, j, i);
		check_members(ld, &pol->partitions[i]);
	}
}

static void check_lid_pins(struct loader *ld)
{
	const struct policy *pol = ld->pol;
	char g[24];
	size_t i, j;

	for (i = 0; i < pol->n_lid_pins; i++) {
		const struct policy_lid_pin *a = &pol->lid_pins[i];

		for (j = 0; j < i; j++) {
			const struct policy_lid_pin *b = &pol->lid_pins[j];

			if (a->lid && a->lid == b->lid)
				perr_at(ld, a->loc,
					"lid 0x%04x is pinned twice "
					"(also at line %u); a LID "
					"belongs to one port",
					a->lid, b->loc.line);
			else if (a->guid && a->guid == b->guid)
				perr_at(ld, a->loc,
					"port %s is pinned twice "
					"(also at line %u); keep one "
					"pin",
					util_format_guid(a->guid, g, sizeof(g)),
					b->loc.line);
		}
	}
}

static bool member_selects(const struct policy_member *m, uint64_t guid)
{
	return m->sel == POLICY_SEL_ALL || m->sel == POLICY_SEL_ALL_CAS ||
	       (m->sel == POLICY_SEL_GUID && m->guid == guid);
}

/*
 * Index of the first member of @p that puts port @guid (0: "every CA port")
 * into it, or -1.
 */
static ssize_t first_selecting(const struct policy_partition *p, uint64_t guid)
{
	size_t j;

	for (j = 0; j < p->n_members; j++)
		if (member_selects(&p->members[j], guid))
			return (ssize_t)j;
	return -1;
}

/*
 * A port listed in more partitions than its PKey table holds: report the
 * member entry that first overflows it. "all"/"all_cas" count for every CA
 * port, and on their own as "every CA port".
 */
static void check_pkey_tables(struct loader *ld)
{
	const struct policy *pol = ld->pol;
	unsigned int cap = pol->pkey_table_size, n;
	char g[24];
	size_t i, j, k;

	for (i = 0; i < pol->n_partitions; i++) {
		const struct policy_partition *p = &pol->partitions[i];

		for (j = 0; j < p->n_members; j++) {
			const struct policy_member *m = &p->members[j];
			uint64_t guid = m->sel == POLICY_SEL_GUID ? m->guid : 0;

			if (m->sel == POLICY_SEL_ALL_SWITCHES ||
			    first_selecting(p, guid) != (ssize_t)j)
				continue;
			for (n = 1, k = 0; k <= i; k++) /* 1: the default */
				n += first_selecting(&pol->partitions[k],
						     guid) >= 0;
			if (n != cap + 1)
				continue;
			perr_at(ld, m->loc,
				"%s%s is now in more partitions "
				"than a PKey table of %u entries "
				"holds (the default partition "
				"takes one); drop it from a "
				"partition or raise "
				"fabric.pkey_table_size",
				guid ? "port " : "every CA port",
				guid ? util_format_guid(guid, g, sizeof(g)) :
				       "",
				cap);
		}
	}
}

static void check_gateway_addrs(struct loader *ld, size_t gi)
{
	const struct policy_gateway *gw = &ld->pol->gateways[gi];
	const struct policy_loc *locs = ld->glocs[gi].addr_locs;
	char a[64], n[64];
	size_t i, j, k = 0;

	for (i = 0; i < gw->n_addrs; i++) {
		const struct policy_gw_addrs *ga = &gw->addrs[i];

		for (j = 0; j < ga->n_addrs; j++, k++) {
			const struct policy_prefix *addr = &ga->addrs[j];
			const struct policy_prefix *net =
				addr->family == AF_INET ? &ga->partition->ipv4 :
							  &ga->partition->ipv6;

			policy_prefix_format(addr, a, sizeof(a));
			if (!net->family)
				perr_at(ld, locs[k],
					"gateway address %s: "
					"partition '%s' has no "
					"%s subnet; add '%s:' to "
					"the partition",
					a, ga->partition->name,
					addr->family == AF_INET ? "ipv4" :
								  "ipv6",
					addr->family == AF_INET ? "ipv4" :
								  "ipv6");
			else if (!policy_prefix_contains(net, addr) ||
				 addr->plen < net->plen)
				perr_at(ld, locs[k],
					"gateway address %s is "
					"outside partition '%s' "
					"subnet %s; use an "
					"address inside it",
					a, ga->partition->name,
					policy_prefix_format(net, n,
							     sizeof(n)));
		}
	}
}

static void check_gateways(struct loader *ld)
{
	const struct policy *pol = ld->pol;
	char g[24];
	size_t i, j;

	for (i = 0; i < pol->n_gateways; i++) {
		const struct policy_gateway *a = &pol->gateways[i];

		for (j = 0; j < i; j++) {
			const struct policy_gateway *b = &pol->gateways[j];

			if (a->name && b->name && !strcmp(a->name, b->name))
				perr_at(ld, ld->glocs[i].name,
					"duplicate gateway name '%s' (first at "
					"line %u); rename one",
					a->name, ld->glocs[j].name.line);
			else if (a->port_guid && a->port_guid == b->port_guid)
				perr_at(ld, a->loc,
					"port %s is already gateway "
					"'%s' (line %u); one port, "
					"one gateway",
					util_format_guid(a->port_guid, g,
							 sizeof(g)),
					b->name ? b->name : "?", b->loc.line);
		}
		check_gateway_addrs(ld, i);
	}
}

static void check_ports(struct loader *ld)
{
	const struct policy *pol = ld->pol;
	size_t i, j;

	for (i = 0; i < pol->n_ports; i++) {
		const struct policy_port *a = &pol->ports[i];

		for (j = 0; j < i && a->name; j++) {
			const struct policy_port *b = &pol->ports[j];

			if (b->name && !strcmp(a->name, b->name)) {
				perr_at(ld, a->loc,
					"port '%s' is already "
					"attached at line %u; an "
					"interface belongs to one "
					"partition",
					a->name, b->loc.line);
				break;
			}
		}
	}
}

static void check_rules(struct loader *ld)
{
	check_partitions(ld);
	check_lid_pins(ld);
	check_pkey_tables(ld);
	check_gateways(ld);
	check_ports(ld);
}

/* ---- entry points ----------------------------------------------------- */

static void report_yaml_error(struct loader *ld, yaml_parser_t *p)
{
	struct policy_loc l = { p->problem_mark.line + 1,
				p->problem_mark.column + 1 };

	perr_at(ld, l, "YAML syntax: %s%s%s; check the indentation and quoting",
		p->problem ? p->problem : "malformed document",
		p->context ? " " : "", p->context ? p->context : "");
}

static bool load_document(struct loader *ld, const void *buf, size_t len)
{
	yaml_parser_t parser;
	bool ok = true;

	if (!yaml_parser_initialize(&parser)) {
		perr_at(ld, (struct policy_loc){ 1, 1 }, "out of memory");
		return false;
	}
	yaml_parser_set_input_string(&parser, buf, len);
	if (!yaml_parser_load(&parser, &ld->doc)) {
		report_yaml_error(ld, &parser);
		ok = false;
	}
	yaml_parser_delete(&parser);
	return ok;
}

struct policy *policy_load_buffer(const char *name, const void *buf, size_t len,
				  FILE *err, unsigned int *n_errors)
{
	struct loader ld = { .file = name, .err = err };
	yaml_node_t *root;
	struct policy *pol = NULL;

	if (!load_document(&ld, buf, len))
		goto out;
	ld.pol = xcalloc(&ld, 1, sizeof(*ld.pol));
	ld.pol->file = xstrdup(&ld, name);
	ld.pol->pkey_table_size = POLICY_PKEY_TABLE_DEFAULT;
	root = yaml_document_get_root_node(&ld.doc);
	if (!root)
		perr_at(&ld, (struct policy_loc){ 1, 1 },
			"the policy is empty; it needs at least 'partitions:'");
	else
		parse_root(&ld, root);
	if (root)
		check_rules(&ld);
	yaml_document_delete(&ld.doc);
	free_locs(&ld);
	pol = ld.pol;
	if (ld.n_errors) {
		policy_free(pol);
		pol = NULL;
	}
out:
	flush_errors(&ld);
	if (n_errors)
		*n_errors = ld.n_errors;
	if (!pol)
		errno = EINVAL;
	return pol;
}

struct policy *policy_load(const char *path, FILE *err, unsigned int *n_errors)
{
	struct policy *pol;
	char *buf;
	size_t len;
	int ret;

	if (n_errors)
		*n_errors = 0;
	ret = util_read_file(path, &buf, &len);
	if (ret) {
		if (err)
			fprintf(err, "%s: error: cannot read the policy: %s\n",
				path, strerror(-ret));
		if (n_errors)
			*n_errors = 1;
		errno = -ret;
		return NULL;
	}
	pol = policy_load_buffer(path, buf, len, err, n_errors);
	ret = errno;
	free(buf);
	errno = ret;
	return pol;
}
