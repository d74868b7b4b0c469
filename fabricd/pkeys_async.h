/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The IB port's PKey table, read off the main thread. libibumad/libibmad
 * calls can block without bound when the umad device never answers (seen
 * under umad2sim with no ibsim, or a stopped one), so opening the port and
 * each table read run in a worker thread of their own: the daemon's main
 * loop keeps serving signals and the control socket, and reports an
 * operation that takes too long (pkeys_async_busy_ms()).
 *
 * One operation at a time: the open (started by pkeys_async_open()), then
 * reads on request. Results are fetched with pkeys_async_result() when
 * pkeys_async_fd() polls readable.
 */
#ifndef FABRICD_PKEYS_ASYNC_H
#define FABRICD_PKEYS_ASYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "fabricd/pkeys.h"

struct pkeys_async;

enum pkeys_async_op {
	PKEYS_ASYNC_OPEN, /* the port was opened, or not (err) */
	PKEYS_ASYNC_READ, /* the table was read, or not (err) */
};

struct pkeys_async_result {
	enum pkeys_async_op op;
	int err; /* 0 or a negative errno (-ENODEV: no IB device) */
	bool roce; /* OPEN: the port is RoCE (no SM, no PKey table): not opened */
	size_t n_pkeys; /* READ: entries in @pkeys */
	uint16_t pkeys[PKEYS_MAX];
};

/*
 * pkeys_async_open - start opening port @port of device @dev (NULL: the
 * first one) in a worker thread; see pkeys_open(). A named device whose
 * port is RoCE is not opened: the result says so (roce). Even that probe
 * runs in the worker: under umad2sim, the first open() of a path under
 * /sys/class/infiniband waits for ibsim without end. Returns the handle, or
 * NULL with errno set. Call it with the signals the main thread handles
 * blocked, so that they never land in the worker.
 */
struct pkeys_async *pkeys_async_open(const char *dev, int port);

/*
 * pkeys_async_close - stop the worker and release the port; NULL ok. An
 * operation under way gets half a second to end; a worker still stuck in
 * the IB stack then is left behind (detached, never freed): it cannot be
 * interrupted, and the process is about to exit.
 */
void pkeys_async_close(struct pkeys_async *pa);

/* pkeys_async_fd - readable when a result is waiting. */
int pkeys_async_fd(const struct pkeys_async *pa);

/*
 * pkeys_async_result - take the finished operation's result into @r.
 * Returns true when there was one.
 */
bool pkeys_async_result(struct pkeys_async *pa, struct pkeys_async_result *r);

/*
 * pkeys_async_read - ask for a table read. Returns 0, -EBUSY while an
 * operation runs or its result is not taken yet, -ENOTCONN when the port
 * is not open.
 */
int pkeys_async_read(struct pkeys_async *pa);

/*
 * pkeys_async_busy_ms - how long the running operation has been running
 * (0: none); @op says which.
 */
uint64_t pkeys_async_busy_ms(struct pkeys_async *pa, enum pkeys_async_op *op);

/*
 * pkeys_async_port - the open port (for pkeys_dev_name() and friends, which
 * only read what the open set), or NULL before a successful open.
 */
const struct pkeys_port *pkeys_async_port(const struct pkeys_async *pa);

#endif /* FABRICD_PKEYS_ASYNC_H */
