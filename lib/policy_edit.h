/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Editing a policy file's text in place, so that everything the edit does
 * not touch stays byte for byte, comments included. libyaml tells where each
 * node stands; an edit inserts or removes whole lines there. The caller
 * validates the result with policy_load_buffer() before writing it.
 *
 * New lines take the file's line ends (CR LF files stay CR LF). A deleted
 * entry takes its own comments: the comment lines just above it at its
 * indentation and those just below it indented deeper. YAML anchors and
 * aliases are edited as written: deleting an alias entry ("- *gw") removes
 * that entry only; an edit inside an anchored node that an alias also uses
 * (a shared "members:" list), or a deletion that would take away an anchor
 * still in use, is refused with -ENOTSUP.
 */
#ifndef FABRIC_POLICY_EDIT_H
#define FABRIC_POLICY_EDIT_H

#include <stddef.h>

#include "lib/policy.h"

/* A partition to add; zero/NULL fields are left out of the text. */
struct policy_edit_partition {
	const char *name;
	unsigned int pkey;
	unsigned int vlan;
	int ipoib; /* -1: unset, 0/1 */
	unsigned int mtu;
	const char *ipv4, *ipv6;
};

/* A member entry, as written after "- { " (e.g. "guid: 0x1"). */
struct policy_edit_member {
	enum policy_selector sel;
	unsigned long long guid;
	enum policy_membership membership;
};

/*
 * Each edit takes the policy text @in (NUL-terminated) and returns 0 with a
 * new malloc'ed text in *@out, or a negative errno with a message (for the
 * operator, no trailing newline) in @why:
 *   -ENOENT  no such partition/member;   -EEXIST  it is there already;
 *   -ENOTSUP the place is in YAML flow style or otherwise not editable;
 *   -EINVAL  the text is not a policy document.
 * When the problem has a place in the text, @why starts with "LINE:COL: "
 * so that the caller can prefix the file name (FILE:LINE:COL).
 */
int policy_edit_add_partition(const char *in,
			      const struct policy_edit_partition *p, char **out,
			      char *why, size_t why_len);
int policy_edit_del_partition(const char *in, const char *name, char **out,
			      char *why, size_t why_len);
int policy_edit_add_member(const char *in, const char *partition,
			   const struct policy_edit_member *m, char **out,
			   char *why, size_t why_len);
int policy_edit_del_member(const char *in, const char *partition,
			   const struct policy_edit_member *m, char **out,
			   char *why, size_t why_len);

#endif /* FABRIC_POLICY_EDIT_H */
