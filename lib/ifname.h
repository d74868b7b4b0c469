/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Linux interface names: which the kernel takes (its dev_valid_name()),
 * for the policy loader and for fabricd before it opens a port.
 */
#ifndef FABRIC_IFNAME_H
#define FABRIC_IFNAME_H

#include <stdbool.h>

/* The rule of ifname_valid(), for messages. */
#define IFNAME_RULES \
	"1 to 15 characters, not '.' or '..', no '/', ':' or blanks"

/* The loopback's name, and why it is never a port, for messages. */
#define IFNAME_LOOPBACK "lo"
#define IFNAME_LOOPBACK_WHY \
	"is the loopback interface: frames sent on it come back"

/*
 * ifname_valid - whether @name is one the kernel accepts for an interface:
 * 1 to IF_NAMESIZE - 1 bytes, not "." or "..", no '/', ':' or white space.
 */
bool ifname_valid(const char *name);

#endif /* FABRIC_IFNAME_H */
