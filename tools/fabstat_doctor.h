/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* fabstat doctor: why a partition does not work on this host. */
#ifndef FABRIC_FABSTAT_DOCTOR_H
#define FABRIC_FABSTAT_DOCTOR_H

struct fabstat_opts;

/*
 * fabstat_doctor - `fabstat doctor [-s SOCKET] [-g GATEWAY] [-v]
 * [PARTITION]`: cross-check each partition (policy, the local port's PKey
 * table, the SA's IPoIB broadcast group, MTUs, the Ethernet links and
 * addresses, fabricd) and print one verdict per partition with a fix for
 * each problem. Returns DIAG_OK, DIAG_PROBLEM or DIAG_UNCHECKED.
 */
int fabstat_doctor(const void *ctx, int argc, char **argv);

#endif /* FABRIC_FABSTAT_DOCTOR_H */
