/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What `fabricctl policy import` read from a partition file, shared by the
 * parser (prtn_import.c) and the policy writer (prtn_import_render.c).
 */
#ifndef PRTN_IMPORT_PRIV_H
#define PRTN_IMPORT_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/policy.h"
#include "tools/prtn_import.h"

/* OpenSM's defaults for a partition's IPoIB broadcast group. */
#define PI_MTU_DEFAULT 4 /* 2048 bytes */
#define PI_RATE_DEFAULT 3 /* 10 Gb/s */
#define PI_SCOPE_DEFAULT 2 /* link local */
#define PI_QKEY_DEFAULT 0x0b1b
#define PI_DEFAULT_PKEY 0x7fff
/* OpenSM keeps a partition's name in 32 bytes (osm_prtn_t.name). */
#define PI_NAME_MAX 31

/* A comment block: lines joined with '\n', NULL when empty. */
struct pi_member {
	enum policy_selector sel;
	uint64_t guid; /* POLICY_SEL_GUID only */
	enum policy_membership memb;
	char *before; /* comment lines in front of it */
	char *after; /* the comment at the end of its line */
};

struct pi_part {
	char *name; /* as OpenSM keeps it (at most PI_NAME_MAX) */
	uint16_t pkey; /* 15-bit base */
	unsigned int line; /* of its first definition */
	bool ipoib;
	unsigned int mtu; /* IBA code 1..5 */
	unsigned int sl;
	bool sl_set; /* some definition gave sl */
	char *before, *after;
	struct pi_member *m;
	size_t n;
	/* The default partition (0x7fff): membership of CA ports, switch
	 * ports and the SM's port, as OpenSM's parse leaves them. */
	enum policy_membership dflt_ca, dflt_sw, dflt_sm;
};

struct pi_pin {
	uint64_t guid;
	unsigned int lid;
};

struct pi_file {
	const char *path;
	FILE *err;
	unsigned int n_err;
	const struct prtn_import_opts *o;
	struct pi_part *parts; /* parts[0] is the default partition */
	size_t n_parts;
	bool have_default_line;
	char *head; /* comments before the first definition */
	char *tail; /* comments after the last one */
	struct pi_pin *pins;
	size_t n_pins;
};

/* pi_error - a located refusal, counted; @col 0 leaves the column out. */
void pi_error(struct pi_file *pf, unsigned int line, unsigned int col,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * pi_check_default - whether the default partition as read is one the
 * policy gives (a refusal when not); pi_render - the policy text, or NULL
 * on allocation failure.
 */
void pi_check_default(struct pi_file *pf);
char *pi_render(const struct pi_file *pf);

#endif /* PRTN_IMPORT_PRIV_H */
