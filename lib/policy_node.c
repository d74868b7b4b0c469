// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Node-description patterns of the policy ({ node: "cn[001-128]*" }): a
 * glob with numeric ranges, as cluster host lists are written. '*' matches
 * any characters, '?' one, "[LO-HI,N,...]" one number of the list. A bound
 * written with leading zeros ("001") matches numbers of its width only
 * ("cn007", not "cn7"); without them, numbers written without leading zeros.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/policy.h"

/* Longest number a bracket item holds: beyond it a range is refused. */
#define NODE_NUM_DIGITS 9

/* One item of a bracket list: LO[-HI]. */
struct node_item {
	unsigned long lo, hi;
	size_t width; /* digits a zero-padded bound fixes; 0: free */
};

/* Parses one item at *@p (digits, optional "-" digits). */
static int item_parse(const char **p, struct node_item *it)
{
	const char *s = *p, *e;
	size_t n = strspn(s, "0123456789");

	if (!n || n > NODE_NUM_DIGITS)
		return -EINVAL;
	it->lo = strtoul(s, NULL, 10);
	it->width = (n > 1 && s[0] == '0') ? n : 0;
	e = s + n;
	it->hi = it->lo;
	if (*e == '-') {
		s = e + 1;
		n = strspn(s, "0123456789");
		if (!n || n > NODE_NUM_DIGITS)
			return -EINVAL;
		it->hi = strtoul(s, NULL, 10);
		if (it->hi < it->lo)
			return -EINVAL;
		e = s + n;
	}
	*p = e;
	return 0;
}

/* Does the number of @len digits at @d fall in item @it? */
static bool item_has(const struct node_item *it, const char *d, size_t len)
{
	char buf[NODE_NUM_DIGITS + 1];
	unsigned long v;

	if (len > NODE_NUM_DIGITS)
		return false;
	if (it->width ? len != it->width : (len > 1 && d[0] == '0'))
		return false;
	memcpy(buf, d, len);
	buf[len] = '\0';
	v = strtoul(buf, NULL, 10);
	return v >= it->lo && v <= it->hi;
}

/* Longest description matched: a NodeDescription holds 64 bytes. */
#define NODE_DESC_MAX 64

/*
 * Backtracking over '*' and bracket numbers is exponential on patterns like
 * "*a*a*a*a*b" (and OpenSM's thread runs it for every port of every heavy
 * sweep): a (pattern position, description position) pair that failed once
 * fails again, so each is tried once.
 */
struct node_match {
	const char *pat0, *s0;
	uint8_t failed[((POLICY_NODE_PATTERN_MAX + 1) * (NODE_DESC_MAX + 1) + 7) /
		       8];
};

static bool match_at(struct node_match *m, const char *pat, const char *s);

/* "[...]" at @pat (after the '['): some number at @s in the list, then the
 * rest of the pattern. */
static bool match_bracket(struct node_match *m, const char *pat, const char *s)
{
	const char *end = strchr(pat, ']'), *p;
	size_t run = strspn(s, "0123456789"), len;
	struct node_item it;

	if (!end)
		return false;
	for (len = 1; len <= run; len++) {
		for (p = pat; p < end; p += *p == ',') {
			if (item_parse(&p, &it))
				return false;
			if (item_has(&it, s, len) &&
			    match_at(m, end + 1, s + len))
				return true;
		}
	}
	return false;
}

static bool match_step(struct node_match *m, const char *pat, const char *s)
{
	for (; *pat; pat++, s++) {
		if (*pat == '*') {
			do {
				if (match_at(m, pat + 1, s))
					return true;
			} while (*s++);
			return false;
		}
		if (*pat == '[')
			return match_bracket(m, pat + 1, s);
		if (!*s || (*pat != '?' && *pat != *s))
			return false;
	}
	return !*s;
}

static bool match_at(struct node_match *m, const char *pat, const char *s)
{
	size_t bit = (size_t)(pat - m->pat0) * (NODE_DESC_MAX + 1) +
		     (size_t)(s - m->s0);

	if (m->failed[bit / 8] & (1u << (bit % 8)))
		return false;
	if (match_step(m, pat, s))
		return true;
	m->failed[bit / 8] |= (uint8_t)(1u << (bit % 8));
	return false;
}

bool policy_node_match(const char *pattern, const char *desc)
{
	struct node_match m = { pattern, desc, { 0 } };

	if (strlen(pattern) > POLICY_NODE_PATTERN_MAX ||
	    strlen(desc) > NODE_DESC_MAX)
		return false;
	return match_at(&m, pattern, desc);
}

static int bracket_check(const char **p, const char **why)
{
	struct node_item it;

	for (;;) {
		if (item_parse(p, &it)) {
			*why = "a bracket holds numbers or ranges, like "
			       "[001-128,200]";
			return -EINVAL;
		}
		if (**p == ']')
			return 0;
		if (**p != ',') {
			*why = "a bracket holds numbers or ranges separated "
			       "by ',' and ends with ']'";
			return -EINVAL;
		}
		(*p)++;
	}
}

int policy_node_pattern_check(const char *pattern, const char **why)
{
	const char *p;

	if (!*pattern) {
		*why = "an empty pattern selects no node";
		return -EINVAL;
	}
	for (p = pattern; *p; p++) {
		if (*p == ']') {
			*why = "']' without '['";
			return -EINVAL;
		}
		if (*p != '[')
			continue;
		p++;
		if (bracket_check(&p, why))
			return -EINVAL;
	}
	return 0;
}
