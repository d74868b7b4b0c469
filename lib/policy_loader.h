/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Inside the policy loader (not for other modules): the loader state and
 * the helpers its parts share. policy_load.c holds the entry points and the
 * error list, policy_yaml.c typed values and mappings, policy_parse.c the
 * keys of each section, policy_rules.c the rules across values,
 * policy_limits.c the limits of what applies the policy.
 */
#ifndef FABRIC_POLICY_LOADER_H
#define FABRIC_POLICY_LOADER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <yaml.h>

#include "lib/policy.h"

/* Where the values of one partition stand, for messages of the rules pass. */
struct part_locs {
	struct policy_loc name, pkey, vlan, ipv4, ipv6, fdb_limit, peer;
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

static inline struct policy_loc pload_loc(const yaml_node_t *n)
{
	struct policy_loc l = { n->start_mark.line + 1,
				n->start_mark.column + 1 };
	return l;
}

/* Record an error at @l (printed, sorted, when loading ends). */
void pload_error_at(struct loader *ld, struct policy_loc l, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));
#define pload_error(ld, node, ...) \
	pload_error_at(ld, pload_loc(node), __VA_ARGS__)

/* Allocation that cannot fail: out of memory ends the program. */
void *pload_calloc(struct loader *ld, size_t n, size_t size);
char *pload_strdup(struct loader *ld, const char *s);

/*
 * Typed values (policy_yaml.c). Each reports its own located error and
 * returns 0 or a negative errno.
 */
const char *pload_scalar(struct loader *ld, yaml_node_t *n, const char *what);
int pload_uint(struct loader *ld, yaml_node_t *n, const char *what,
	       uint64_t min, uint64_t max, uint64_t *out);
int pload_bool(struct loader *ld, yaml_node_t *n, const char *what, bool *out);
int pload_guid(struct loader *ld, yaml_node_t *n, const char *what,
	       uint64_t *out);
int pload_name(struct loader *ld, yaml_node_t *n, const char *what, size_t max,
	       char **out);
int pload_prefix(struct loader *ld, yaml_node_t *n, const char *what,
		 int family, int plen_dflt, struct policy_prefix *p);
int pload_subnet(struct loader *ld, yaml_node_t *n, const char *what,
		 int family, struct policy_prefix *p);
int pload_membership(struct loader *ld, yaml_node_t *n, bool allow_both,
		     enum policy_membership *m);

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

void pload_mapping(struct loader *ld, yaml_node_t *n, const char *what,
		   const struct key_handler *h, size_t nh, void *ctx);
size_t pload_list(struct loader *ld, yaml_node_t *n, const char *what,
		  void (*fn)(struct loader *ld, yaml_node_t *item, void *ctx,
			     size_t idx),
		  void *ctx);
size_t pload_list_len(yaml_node_t *n);

/* The sections (policy_parse.c) and the rules pass (policy_rules.c). */
void pload_parse_root(struct loader *ld, yaml_node_t *root);
void pload_free_locs(struct loader *ld);
void pload_check_rules(struct loader *ld);

/*
 * pload_check_ifname - whether @s, the value of @n, can name an interface
 * fabricd opens (uplink, access port): one the kernel takes, not the
 * loopback. Reports a located error and returns -EINVAL if not, else 0.
 */
int pload_check_ifname(struct loader *ld, yaml_node_t *n, const char *what,
		       const char *s);

/* The limits pass (policy_limits.c): what fabricd and the SM can hold. */
void pload_check_limits(struct loader *ld);

#endif /* FABRIC_POLICY_LOADER_H */
