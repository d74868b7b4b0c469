/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The control protocol between fabricd and its clients (fabricctl, fabstat),
 * in the style of OVS unixctl: JSON-RPC over a UNIX stream socket, one JSON
 * object per line, each request bounded by CTL_MAX_REQUEST bytes.
 *
 *   request: {"id": 7, "method": "port/add", "params": ["vnet0", "tenant-a"]}
 *   reply:   {"id": 7, "result": <any JSON>, "error": null}
 *        or  {"id": 7, "result": null, "error": "what went wrong"}
 *
 * Params are always an array of strings (like a command line), so every
 * command can be typed by hand: `fabricctl call port/add vnet0 tenant-a`.
 * This header is the client side; the server lives in lib/ctl_server.h.
 */
#ifndef FABRIC_CTL_H
#define FABRIC_CTL_H

#include <jansson.h>

#include "lib/paths.h"

#define CTL_DEFAULT_SOCKET PATHS_CTL_SOCKET
#define CTL_MAX_REQUEST (64 * 1024)

struct ctl_client;

/*
 * ctl_client_open - connect to the daemon's socket at @path, waiting at most
 * @timeout_ms while its backlog is full. Returns the client, or NULL with
 * errno set (ETIMEDOUT when it accepted nothing in time).
 */
struct ctl_client *ctl_client_open(const char *path, int timeout_ms);

/* ctl_client_close - disconnect; accepts NULL. */
void ctl_client_close(struct ctl_client *c);

/*
 * ctl_client_call - send @method with @argc string @argv and wait for the
 * reply (at most @timeout_ms for the whole, -ETIMEDOUT past it). On success returns 0 and sets *@result (a new
 * reference, JSON null when the method returns nothing). When the daemon
 * answers with an error, returns -EREMOTEIO and sets *@error to a malloc'ed
 * message. Other failures: a negative errno.
 */
int ctl_client_call(struct ctl_client *c, const char *method, int argc,
		    const char *const argv[], int timeout_ms, json_t **result,
		    char **error);

#endif /* FABRIC_CTL_H */
