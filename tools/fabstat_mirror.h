/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* fabstat ports: what fabricd mirrors on Ethernet for a partition. */
#ifndef FABRIC_FABSTAT_MIRROR_H
#define FABRIC_FABSTAT_MIRROR_H

struct fabstat_opts;
struct policy_partition;

/*
 * fabstat_mirror_print - print, inside the current output object, what
 * fabricd mirrors for @part on this host (key "mirror": its state, VLAN or
 * IPoIB links and addresses with their operational state). Asks fabricd's
 * control socket (the default one) once per run; when fabricd does not
 * answer, reads the kernel (sysfs, getifaddrs) for what fabricd would
 * have made. Prints nothing when this host is no gateway of @part.
 */
void fabstat_mirror_print(const struct fabstat_opts *o,
			  const struct policy_partition *part);

#endif /* FABRIC_FABSTAT_MIRROR_H */
