/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fabstat doctor: why a partition does not work on this host, and what
 * fabricd mirrors for a partition (shared with `fabstat ports`).
 */
#ifndef FABRIC_FABSTAT_DOCTOR_H
#define FABRIC_FABSTAT_DOCTOR_H

struct fabstat_opts;
struct policy_partition;

/*
 * fabstat_doctor - `fabstat doctor [-s SOCKET] [-g GATEWAY] [-v]
 * [PARTITION]`: cross-check each partition (policy, the local port's PKey
 * table, the SA's IPoIB broadcast group, MTUs, the Ethernet links and
 * addresses, fabricd) and print one verdict per partition with a fix for
 * each problem. Returns DIAG_OK, DIAG_PROBLEM or DIAG_UNCHECKED.
 */
int fabstat_doctor(const struct fabstat_opts *o, int argc, char **argv);

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

#endif /* FABRIC_FABSTAT_DOCTOR_H */
