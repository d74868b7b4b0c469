// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "lib/ifname.h"

#include <ctype.h>
#include <net/if.h>
#include <string.h>

_Static_assert(IF_NAMESIZE == 16, "IFNAME_RULES says 15 characters");

bool ifname_valid(const char *name)
{
	size_t len = strlen(name), i;

	if (!len || len >= IF_NAMESIZE || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return false;
	for (i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == ':' ||
		    isspace((unsigned char)name[i]))
			return false;
	return true;
}
