// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Desired-vs-actual diff of links and addresses (see reconcile_plan.h). */
#include "fabricd/reconcile/reconcile_plan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/util.h"

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*arr, ncap * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int rc_set_add_link(struct rc_set *s, const struct rc_link *l)
{
	if (grow((void **)&s->links, &s->cap_links, s->n_links, sizeof(*l)))
		return -ENOMEM;
	s->links[s->n_links++] = *l;
	return 0;
}

int rc_set_add_addr(struct rc_set *s, const struct rc_addr *a)
{
	if (grow((void **)&s->addrs, &s->cap_addrs, s->n_addrs, sizeof(*a)))
		return -ENOMEM;
	s->addrs[s->n_addrs++] = *a;
	return 0;
}

void rc_set_clear(struct rc_set *s)
{
	free(s->links);
	free(s->addrs);
	memset(s, 0, sizeof(*s));
}

struct rc_link *rc_set_find_link(const struct rc_set *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_links; i++)
		if (!strcmp(s->links[i].name, name))
			return &s->links[i];
	return NULL;
}

static bool addr_equal(const struct rc_addr *a, const struct rc_addr *b)
{
	size_t alen = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && a->plen == b->plen &&
	       !memcmp(a->addr, b->addr, alen) && !strcmp(a->dev, b->dev);
}

struct rc_addr *rc_set_find_addr(const struct rc_set *s,
				 const struct rc_addr *a)
{
	size_t i;

	for (i = 0; i < s->n_addrs; i++)
		if (addr_equal(&s->addrs[i], a))
			return &s->addrs[i];
	return NULL;
}

static uint32_t v4(const struct rc_addr *a)
{
	return (uint32_t)a->addr[0] << 24 | a->addr[1] << 16 | a->addr[2] << 8 |
	       a->addr[3];
}

bool rc_set_subnet_shared(const struct rc_set *s, const struct rc_addr *a)
{
	uint32_t mask = a->plen ? ~0u << (32 - a->plen) : 0;
	size_t i;

	for (i = 0; i < s->n_addrs; i++) {
		const struct rc_addr *b = &s->addrs[i];

		if (b->family == AF_INET && b->plen == a->plen &&
		    !strcmp(b->dev, a->dev) && v4(b) != v4(a) &&
		    (v4(b) & mask) == (v4(a) & mask))
			return true;
	}
	return false;
}

bool rc_alias_owned(const char *alias, char *partition, size_t len)
{
	size_t plen = strlen(RC_ALIAS_PREFIX);

	if (!alias || strncmp(alias, RC_ALIAS_PREFIX, plen) || !alias[plen])
		return false;
	if (partition)
		util_strlcpy(partition, alias + plen, len);
	return true;
}

void rc_plan_clear(struct rc_plan *plan)
{
	free(plan->ops);
	memset(plan, 0, sizeof(*plan));
}

static int plan_add(struct rc_plan *plan, enum rc_op_type type, size_t idx)
{
	if (grow((void **)&plan->ops, &plan->cap_ops, plan->n_ops,
		 sizeof(*plan->ops)))
		return -ENOMEM;
	plan->ops[plan->n_ops].type = type;
	plan->ops[plan->n_ops].idx = idx;
	plan->n_ops++;
	return 0;
}

static bool link_matches(const struct rc_link *d, const struct rc_link *a)
{
	return d->kind == a->kind && d->id == a->id &&
	       !strcmp(d->parent, a->parent);
}

static bool is_made(const struct rc_link *l)
{
	return l->kind == RC_LINK_VLAN || l->kind == RC_LINK_IPOIB;
}

/* Owned kernel links: delete the unwanted and the wrong, adopt the rest. */
static int plan_owned_links(struct rc_set *desired, const struct rc_set *act,
			    struct rc_plan *plan)
{
	struct rc_link *d;
	size_t i;
	int ret = 0;

	for (i = 0; i < act->n_links && !ret; i++) {
		const struct rc_link *a = &act->links[i];

		if (!a->partition[0] || !is_made(a))
			continue;
		d = rc_set_find_link(desired, a->name);
		if (!d || !link_matches(d, a)) {
			ret = plan_add(plan, RC_OP_LINK_DEL, i);
			continue;
		}
		d->status = RC_ST_OK;
		if (!a->up || !a->marked || strcmp(a->partition, d->partition))
			ret = plan_add(plan, RC_OP_LINK_FIX,
				       d - desired->links);
	}
	return ret;
}

/* Desired links missing in the kernel, or held by a stranger. */
static int plan_new_links(struct rc_set *desired, const struct rc_set *act,
			  struct rc_plan *plan)
{
	const struct rc_link *a;
	size_t i;
	int ret = 0;

	for (i = 0; i < desired->n_links && !ret; i++) {
		struct rc_link *d = &desired->links[i];

		if (!is_made(d) || d->status == RC_ST_OK)
			continue;
		a = rc_set_find_link(act, d->name);
		if (a && plan->adopt && is_made(a) && link_matches(d, a)) {
			d->status = RC_ST_OK;
			plan->adopted_links++;
			ret = plan_add(plan, RC_OP_LINK_FIX, i);
		} else if (a && (!a->partition[0] || !is_made(a)))
			d->status = RC_ST_CONFLICT;
		else if (!rc_set_find_link(act, d->parent))
			d->status = RC_ST_NO_PARENT;
		else
			ret = plan_add(plan, RC_OP_LINK_ADD, i);
	}
	return ret;
}

/*
 * Where an address's device stands: 1 when it is (re)created by this plan,
 * 0 when it exists and stays, or the status that blocks the address.
 */
static int dev_state(const struct rc_set *desired, const struct rc_set *act,
		     const char *dev, enum rc_status *block)
{
	const struct rc_link *d = rc_set_find_link(desired, dev);

	if (d && is_made(d)) {
		if (d->status == RC_ST_CONFLICT ||
		    d->status == RC_ST_NO_PARENT) {
			*block = d->status == RC_ST_CONFLICT ? RC_ST_CONFLICT :
							       RC_ST_NO_PARENT;
			return -1;
		}
		return d->status == RC_ST_OK ? 0 : 1;
	}
	if (!rc_set_find_link(act, dev)) {
		*block = RC_ST_NO_PARENT;
		return -1;
	}
	return 0;
}

/* A desired address the kernel has: ours, adopted now, or someone else's. */
static enum rc_status addr_status(const struct rc_addr *d,
				  const struct rc_set *owned,
				  struct rc_plan *plan)
{
	if (rc_set_find_addr(owned, d))
		return RC_ST_OK;
	if (!plan->adopt)
		return RC_ST_FOREIGN;
	plan->adopted_addrs++;
	return RC_ST_OK;
}

static int plan_desired_addrs(struct rc_set *desired, const struct rc_set *act,
			      const struct rc_set *owned, struct rc_plan *plan)
{
	enum rc_status block;
	size_t i;
	int ret = 0, st;

	for (i = 0; i < desired->n_addrs && !ret; i++) {
		struct rc_addr *d = &desired->addrs[i];

		st = dev_state(desired, act, d->dev, &block);
		if (st < 0)
			d->status = block;
		else if (st == 0 && rc_set_find_addr(act, d))
			d->status = addr_status(d, owned, plan);
		else
			ret = plan_add(plan, RC_OP_ADDR_ADD, i);
	}
	return ret;
}

/* Owned addresses no longer wanted, unless their link goes anyway. */
static int plan_stale_addrs(const struct rc_set *desired,
			    const struct rc_set *act,
			    const struct rc_set *owned, struct rc_plan *plan)
{
	const struct rc_link *d;
	size_t i;
	int ret = 0;

	for (i = 0; i < owned->n_addrs && !ret; i++) {
		const struct rc_addr *o = &owned->addrs[i];

		if (!rc_set_find_addr(act, o) || rc_set_find_addr(desired, o))
			continue;
		d = rc_set_find_link(desired, o->dev);
		if (!d && rc_set_find_link(act, o->dev) &&
		    rc_set_find_link(act, o->dev)->partition[0] &&
		    is_made(rc_set_find_link(act, o->dev)))
			continue; /* an owned link being deleted */
		if (d && is_made(d) && d->status != RC_ST_OK)
			continue; /* recreated: its addresses go with it */
		ret = plan_add(plan, RC_OP_ADDR_DEL, i);
	}
	return ret;
}

int rc_plan_build(struct rc_set *desired, const struct rc_set *actual,
		  const struct rc_set *owned, struct rc_plan *plan)
{
	size_t i;
	int ret;

	plan->n_ops = 0;
	plan->adopted_links = plan->adopted_addrs = 0;
	for (i = 0; i < desired->n_links; i++)
		desired->links[i].status = RC_ST_PENDING;
	for (i = 0; i < desired->n_addrs; i++)
		desired->addrs[i].status = RC_ST_PENDING;
	ret = plan_owned_links(desired, actual, plan);
	if (!ret)
		ret = plan_new_links(desired, actual, plan);
	if (!ret)
		ret = plan_stale_addrs(desired, actual, owned, plan);
	if (!ret)
		ret = plan_desired_addrs(desired, actual, owned, plan);
	return ret;
}

char *rc_addr_format(const struct rc_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(a->family, a->addr, ip, sizeof(ip));
	snprintf(buf, len, "%s/%u", ip, a->plen);
	return buf;
}

const char *rc_status_name(enum rc_status st)
{
	static const char *const names[] = {
		[RC_ST_PENDING] = "pending",
		[RC_ST_OK] = "ok",
		[RC_ST_FOREIGN] = "foreign",
		[RC_ST_CONFLICT] = "conflict",
		[RC_ST_FAILED] = "failed",
		[RC_ST_UNSUPPORTED] = "unsupported",
		[RC_ST_NO_PARENT] = "no-parent",
	};

	return st < ARRAY_SIZE(names) ? names[st] : "?";
}
