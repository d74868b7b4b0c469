/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fabstat doctor and `fabstat ports`: fabricd as its control socket shows
 * it (status, partitions, datapath ports), and the checks of what it says.
 */
#ifndef FABRIC_DOCTOR_FABRICD_H
#define FABRIC_DOCTOR_FABRICD_H

#include <stdbool.h>

#include <jansson.h>

struct doctor_env;
struct doctor_part;

/* doctor_fabricd_socket - $FABRICD_CTL_SOCKET, else the default socket. */
const char *doctor_fabricd_socket(void);

/*
 * doctor_fabricd_read - ask fabricd at e->socket for its status,
 * partitions and datapath ports into @e. e->fd_err is 0 when it answered,
 * else a negative errno; a failed port/list leaves e->fd_ports NULL with
 * the reason in e->fd_ports_err.
 */
void doctor_fabricd_read(struct doctor_env *e);

/* doctor_fabricd_partition - fabricd's partition @name (borrowed), or NULL. */
json_t *doctor_fabricd_partition(const struct doctor_env *e, const char *name);

/* doctor_fabricd_str - the string member @key of object @o, or NULL. */
const char *doctor_fabricd_str(json_t *o, const char *key);

/*
 * doctor_fabricd_check - fabricd's checks of @p: its datapath has the
 * trunk port (only when @uplink_ok: a port on a dead uplink is down too),
 * it runs, and it agrees with what the other checks saw.
 */
void doctor_fabricd_check(const struct doctor_env *e, struct doctor_part *p,
			  bool uplink_ok);

#endif /* FABRIC_DOCTOR_FABRICD_H */
