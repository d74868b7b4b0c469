/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The reconciler's pure half: sets of network objects (links, addresses)
 * and the diff between what is desired and what the kernel has. No netlink
 * here, so the rules below are unit tested on their own:
 *
 *  - a link is fabricd's when its alias is "fabricd:<partition>"; an owned
 *    link that is not desired is deleted, one that differs from the desired
 *    one (kind, parent, VID/PKey) is deleted and created again, one that
 *    matches is adopted as is (no flap on restart);
 *  - a link of the desired name that is not fabricd's is a conflict: it is
 *    never touched, and the partition's addresses are not put on it;
 *  - an address is fabricd's when it is in the owned set (the state file);
 *    desired addresses missing in the kernel are added, owned ones no longer
 *    desired are deleted, and an address someone else made is left alone
 *    even when fabricd would want the same one.
 */
#ifndef FABRICD_RECONCILE_PLAN_H
#define FABRICD_RECONCILE_PLAN_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RC_ALIAS_PREFIX "fabricd:"
#define RC_PART_NAME_MAX 64

enum rc_link_kind {
	RC_LINK_OTHER, /* a link fabricd does not make (the uplink) */
	RC_LINK_VLAN,
	RC_LINK_IPOIB,
};

/* What became of a desired object in the last reconcile. */
enum rc_status {
	RC_ST_PENDING, /* not reconciled yet */
	RC_ST_OK, /* present, fabricd's */
	RC_ST_FOREIGN, /* present, made by someone else: left alone */
	RC_ST_CONFLICT, /* a foreign link has the name fabricd wants */
	RC_ST_FAILED, /* the kernel refused; see the log */
	RC_ST_UNSUPPORTED, /* the kernel lacks the feature */
	RC_ST_NO_PARENT, /* its link does not exist */
};

struct rc_link {
	char name[IFNAMSIZ];
	enum rc_link_kind kind;
	char parent[IFNAMSIZ]; /* VLAN/IPoIB: the lower link */
	uint16_t id; /* VLAN: VID; IPoIB: PKey with the full bit */
	char partition[RC_PART_NAME_MAX]; /* owner, "" when foreign */
	/* Kernel side only: */
	int ifindex;
	int parent_ifindex;
	bool up;
	bool marked; /* carries the alias (else owned through the state file) */
	/* Desired side only: */
	enum rc_status status;
};

struct rc_addr {
	char dev[IFNAMSIZ];
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t plen;
	char label[IFNAMSIZ]; /* IPv4 only; "" for none */
	char partition[RC_PART_NAME_MAX];
	enum rc_status status; /* desired side only */
};

/*
 * A hash index over a set's links (by name) or addresses (by device and
 * address), built on first look-up and rebuilt when the set changed, so
 * that diffs of thousands of objects stay linear.
 */
struct rc_index {
	uint32_t *slots; /* object index + 1; 0 is empty */
	size_t n_slots; /* a power of two */
	uint64_t version; /* the set's version it was built for */
};

/* A set of objects; the same type holds desired, actual and owned sets. */
struct rc_set {
	struct rc_link *links;
	size_t n_links, cap_links;
	struct rc_addr *addrs;
	size_t n_addrs, cap_addrs;
	uint64_t version; /* bumped by every add */
	struct rc_index link_index, addr_index; /* caches, see above */
};

enum rc_op_type {
	RC_OP_LINK_DEL, /* idx into actual links */
	RC_OP_LINK_ADD, /* idx into desired links */
	RC_OP_LINK_FIX, /* idx into desired links: set up, fix the alias */
	RC_OP_ADDR_DEL, /* idx into owned addresses */
	RC_OP_ADDR_ADD, /* idx into desired addresses */
};

struct rc_op {
	enum rc_op_type type;
	size_t idx;
};

/* Ops in the order they must run: link deletes, adds, ups, addresses. */
struct rc_plan {
	struct rc_op *ops;
	size_t n_ops, cap_ops;
	/*
	 * Input: adopt foreign objects that match the desired ones exactly
	 * (a link of the same name, kind, parent and VID/PKey: fixed and
	 * marked; an address equal to a desired one: OK, so owned after).
	 */
	bool adopt;
	size_t adopted_links, adopted_addrs; /* output, with @adopt */
};

/* Set helpers. Adders copy @l/@a; return 0 or -ENOMEM. */
int rc_set_add_link(struct rc_set *s, const struct rc_link *l);
int rc_set_add_addr(struct rc_set *s, const struct rc_addr *a);
void rc_set_clear(struct rc_set *s);
struct rc_link *rc_set_find_link(const struct rc_set *s, const char *name);
/* rc_set_find_addr - same device, family, address and prefix length. */
struct rc_addr *rc_set_find_addr(const struct rc_set *s,
				 const struct rc_addr *a);

/*
 * rc_set_subnet_shared - true when another IPv4 address of @s on @a's
 * device lies in @a's subnet.
 */
bool rc_set_subnet_shared(const struct rc_set *s, const struct rc_addr *a);

/*
 * rc_alias_owned - true when @alias marks a link as fabricd's; copies the
 * partition name into @partition (@len bytes).
 */
bool rc_alias_owned(const char *alias, char *partition, size_t len);

/*
 * rc_plan_build - compute the ops turning @actual into @desired, touching
 * only links marked as fabricd's and addresses in @owned. Sets the status
 * of every desired object it can decide now (OK, FOREIGN, CONFLICT,
 * NO_PARENT); the rest stay PENDING until applied. Returns 0 or -ENOMEM.
 */
int rc_plan_build(struct rc_set *desired, const struct rc_set *actual,
		  const struct rc_set *owned, struct rc_plan *plan);

void rc_plan_clear(struct rc_plan *plan);

/* rc_addr_format - "10.20.0.1/24" into @buf; returns @buf. */
char *rc_addr_format(const struct rc_addr *a, char *buf, size_t len);

const char *rc_status_name(enum rc_status st);

#endif /* FABRICD_RECONCILE_PLAN_H */
