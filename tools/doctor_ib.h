/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fabstat doctor, the InfiniBand side: the local port's PKey table and MTU
 * (SMPs to the port), the partition's IPoIB broadcast group (SA), and the
 * checks of both against the policy.
 */
#ifndef FABRIC_DOCTOR_IB_H
#define FABRIC_DOCTOR_IB_H

struct doctor_env;
struct doctor_part;

/*
 * doctor_ib_read - find the local port (--ca/--port, else fabricd's, else
 * the first), read its GUID, PKey table and active MTU, and open the SA
 * into @e. Failures are kept in e->ib_err and e->sa_err (negative errnos).
 * The PKey table is static: one read per run.
 */
void doctor_ib_read(struct doctor_env *e);

/*
 * doctor_ib_check - the InfiniBand checks of @p: policy-member (with a
 * gateway), pkey, broadcast-group, group-mtu and port-mtu. Sets
 * p->group_mtu when the SA shows the group.
 */
void doctor_ib_check(const struct doctor_env *e, struct doctor_part *p);

#endif /* FABRIC_DOCTOR_IB_H */
