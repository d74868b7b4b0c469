/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fabricd's control socket, in the style of OVS unixctl: a UNIX stream
 * socket speaking the protocol of lib/ctl.h (one JSON-RPC object per line,
 * params an array of strings, requests bounded by CTL_MAX_REQUEST). Commands
 * register {name, usage, min_args, max_args, handler}; the built-ins are
 * list-commands, version and log/set.
 *
 * The server does no I/O on its own: the daemon's main loop (the "control
 * thread") asks for its poll descriptors with ctl_server_pollfds() and hands
 * them back with ctl_server_process(); handlers run from there.
 *
 * Peers are checked with SO_PEERCRED: root, the daemon's own user, and
 * members of the socket's group may talk; others get one error reply and are
 * disconnected.
 *
 * The socket stays available to the administrator: a client that sends
 * nothing for CTL_SERVER_IDLE_MS is closed, one that leaves a request
 * unfinished or a reply unread for CTL_SERVER_SLOW_MS is closed (with an
 * error reply); a uid other than root holds at most CTL_SERVER_MAX_PER_UID
 * connections and non-root clients together at most CTL_SERVER_MAX_CLIENTS
 * - CTL_SERVER_ROOT_RESERVED; when the table is full a new client takes the
 * place of the longest-idle one, and when none is idle it gets an error
 * reply ("busy") at once instead of waiting in the backlog.
 */
#ifndef LIB_CTL_SERVER_H
#define LIB_CTL_SERVER_H

#include <poll.h>
#include <sys/types.h>

#include <jansson.h>

struct ctl_server;

/* Clients served at once (see above for who may take the last ones). */
#define CTL_SERVER_MAX_CLIENTS 32
#define CTL_SERVER_MAX_PER_UID 8 /* connections of one non-root uid */
#define CTL_SERVER_ROOT_RESERVED 2 /* slots only root may take */
#define CTL_SERVER_IDLE_MS 10000 /* connected, no request: closed */
#define CTL_SERVER_SLOW_MS 5000 /* a request unfinished, a reply unread */
/* Descriptors ctl_server_pollfds() may fill: the listener and each client. */
#define CTL_SERVER_MAX_POLLFDS (CTL_SERVER_MAX_CLIENTS + 1)

/*
 * A command handler; runs in the control thread. Returns 0 and sets *@result
 * (a new reference; NULL means JSON null), or a negative errno and sets
 * *@error to a malloc'ed message.
 */
typedef int (*ctl_handler_fn)(int argc, const char *const argv[], void *aux,
			      json_t **result, char **error);

/*
 * ctl_server_create - listen on @path (its directory is created 0755 when
 * missing; a stale socket is replaced). The socket gets mode 0660 and, when
 * @gid is not (gid_t)-1, that group. @version is what "version" answers.
 * Returns the server, or NULL with errno set.
 */
struct ctl_server *ctl_server_create(const char *path, gid_t gid,
				     const char *version);

/* ctl_server_destroy - close every connection and unlink the socket; NULL ok */
void ctl_server_destroy(struct ctl_server *srv);

/*
 * ctl_server_register - add command @name taking @min_args..@max_args
 * string arguments; @usage is shown by list-commands. Returns 0, -EEXIST
 * when the name is taken, or -ENOMEM.
 */
int ctl_server_register(struct ctl_server *srv, const char *name,
			const char *usage, int min_args, int max_args,
			ctl_handler_fn fn, void *aux);

/*
 * ctl_server_set_root_only - command @name answers only peers of uid 0 (as
 * SO_PEERCRED says); others, the socket's group included, get an error
 * saying EPERM. For commands that expose tenants' traffic (mirrors).
 * Returns 0 or -ENOENT.
 */
int ctl_server_set_root_only(struct ctl_server *srv, const char *name);

/*
 * ctl_server_pollfds - fill @pfd (room for CTL_SERVER_MAX_POLLFDS) with the
 * descriptors to poll. Returns how many were filled.
 */
int ctl_server_pollfds(struct ctl_server *srv, struct pollfd *pfd);

/*
 * ctl_server_timeout_ms - milliseconds until the next client times out (for
 * poll()), or -1 when none can.
 */
int ctl_server_timeout_ms(const struct ctl_server *srv);

/*
 * ctl_server_process - serve what @pfd (as filled by ctl_server_pollfds(),
 * @n of them, after poll()) reports: accept, read, run handlers, reply;
 * then close the clients that timed out.
 */
void ctl_server_process(struct ctl_server *srv, const struct pollfd *pfd,
			int n);

/*
 * ctl_server_handle_line - run one request line of a root peer and return
 * the reply line (malloc'ed, newline-terminated). Used by the unit tests,
 * which need no socket.
 */
char *ctl_server_handle_line(struct ctl_server *srv, const char *line,
			     size_t len);

/* ctl_server_handle_line_as - the same for a peer of @uid (the line above
 * runs as root). */
char *ctl_server_handle_line_as(struct ctl_server *srv, const char *line,
				size_t len, uid_t uid);

#endif /* LIB_CTL_SERVER_H */
