/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Port mirroring (SPAN) in the engine: sessions that copy the frames of a
 * source - a port's received and/or sent frames, or every frame that enters
 * a partition - to a destination: a dedicated mirror port of the engine or
 * a pcap file (lib/pcapw.h). Each session cuts copies to its snap length
 * and is rate-limited by a token bucket; it counts what it mirrored, what
 * the rate limit dropped and what failed (no buffer, full queue or ring).
 *
 * Tenants stay apart: a destination port must be a dedicated mirror port
 * (ECORE_MIRROR: member of no partition, never a forwarding target, its
 * received frames dropped), never a port of a partition or a trunk, so a
 * mirror cannot carry one tenant's frames to another tenant's port. Only
 * root creates a session (the control command is root-only).
 *
 * Threads: span_rx(), span_tx() and span_send() run in the forwarding
 * thread (from engine_core.c, engine lock held); the configuration calls
 * run in the control thread with the engine lock held; span_flush() runs in
 * the control thread without it (each pcap ring has one producer, the
 * forwarding thread, and one consumer, span_flush()).
 */
#ifndef FABRICD_ENGINE_SPAN_H
#define FABRICD_ENGINE_SPAN_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/pcapw.h"
#include "lib/tbucket.h"

#define SPAN_MAX_SESSIONS 16
#define SPAN_NAME_MAX 32
#define SPAN_PATH_MAX 256
#define SPAN_RATE_DEFAULT 10000u /* frames per second per session */
#define SPAN_RATE_MAX 1000000u
#define SPAN_SNAPLEN_DEFAULT PCAPW_SNAPLEN_MAX
#define SPAN_QUEUE 128 /* copies for destination ports per burst */

struct engine_core;
struct pkt;

enum span_dir {
	SPAN_DIR_RX = 1,
	SPAN_DIR_TX = 2,
	SPAN_DIR_BOTH = 3,
};

/* What a session is asked to do (span_add()). */
struct span_cfg {
	const char *name;
	const char *src_port; /* a port's frames, or NULL */
	const char *src_part; /* a partition's frames, or NULL */
	unsigned int dir; /* SPAN_DIR_*; 0: both (ports), rx (partitions) */
	const char *dst_port; /* a mirror port, or NULL */
	const char *pcap; /* an absolute path, or NULL */
	/* With @pcap: the file, opened by the caller outside the engine lock
	 * with the link type span_check() said (@pcap_linktype); the
	 * session takes it over when span_add() succeeds. */
	struct pcapw *pcap_w;
	uint32_t pcap_linktype;
	uint32_t snaplen; /* 0: SPAN_SNAPLEN_DEFAULT */
	uint32_t rate; /* frames/s; 0: SPAN_RATE_DEFAULT */
};

struct span_session {
	bool used;
	char name[SPAN_NAME_MAX];
	int src_port; /* engine slot, or -1 */
	uint16_t src_part; /* partition index, or ECORE_NO_PART */
	uint8_t dir; /* SPAN_DIR_* */
	bool ipoib; /* records as IPoIB (LINKTYPE_IPOIB), not Ethernet */
	int dst_port; /* engine slot, or -1 */
	struct pcapw *pcap; /* or NULL */
	char path[SPAN_PATH_MAX];
	uint32_t snaplen;
	uint32_t rate;
	struct tbucket tb;
	uint64_t mirrored, mirrored_bytes; /* copies made (bytes: as cut) */
	uint64_t dropped_rate; /* over the rate limit */
	uint64_t dropped_error; /* no buffer, queue or ring full, tx refused */
	uint64_t write_errors; /* failed writes of the pcap file */
};

struct span {
	unsigned int n; /* sessions in use: the datapath tests n first */
	uint64_t rx_ports, tx_ports; /* source ports (bitmaps) by direction */
	bool parts; /* some session mirrors a partition */
	struct span_session s[SPAN_MAX_SESSIONS];
	/* files of stopped sessions, closed by span_flush() (no lock) */
	struct pcapw *closing[SPAN_MAX_SESSIONS];
	unsigned int n_closing;
	struct pkt *q[SPAN_QUEUE]; /* copies for destination ports */
	uint8_t q_port[SPAN_QUEUE]; /* their port slots */
	unsigned int n_q;
};

/*
 * span_check - whether span_add() would take @cfg (without @pcap_w).
 * Returns the link type of the pcap file to open (PCAPW_LINKTYPE_*; 0 for
 * a destination port), or -EEXIST (name taken), -ENOSPC
 * (SPAN_MAX_SESSIONS), -ENOENT (no such port or partition), -EPERM (a
 * destination that is not a dedicated mirror port) or -EINVAL; the reason
 * in *@error (malloc'ed). Control thread, engine lock held.
 */
int span_check(const struct engine_core *c, const struct span_cfg *cfg,
	       char **error);

/*
 * span_add - start session @cfg on @c (its pcap file open in @pcap_w).
 * Returns the session's index, or span_check()'s errors, or -EAGAIN when
 * the source changed since span_check() (another link type). Control
 * thread, engine lock held.
 */
int span_add(struct engine_core *c, const struct span_cfg *cfg, char **error);

/*
 * span_del - stop session @name; its pcap file is written out and closed
 * by the next span_flush(). Returns 0 or -ENOENT. Control thread, engine
 * lock held.
 */
int span_del(struct engine_core *c, const char *name);

/* span_find - index of session @name, or -ENOENT. */
int span_find(const struct engine_core *c, const char *name);

/*
 * span_port_gone / span_part_gone - port slot @slot or partition @idx is
 * being removed: the sessions that use it stop (logged).
 */
void span_port_gone(struct engine_core *c, unsigned int slot);
void span_part_gone(struct engine_core *c, unsigned int idx);

/* span_fini - stop every session. */
void span_fini(struct engine_core *c);

/*
 * span_flush - write what the pcap sessions have buffered, and write out
 * and close the files of stopped sessions. Control thread, without the
 * engine lock (file I/O never holds up the forwarding thread). Returns
 * whether any session writes a file.
 */
bool span_flush(struct engine_core *c);

/* Datapath hooks (engine_core.c), called only when c->span.n. */

/* span_rx - @pkt was received on port @in and classified (untagged). */
void span_rx(struct engine_core *c, unsigned int in, const struct pkt *pkt);

/* span_tx - port @out is about to send @pkts (as they go on the wire). */
void span_tx(struct engine_core *c, unsigned int out, struct pkt *const *pkts,
	     unsigned int n);

/* span_send - send the burst's copies to their destination ports. */
void span_send(struct engine_core *c);

/* span_dir_name - "rx", "tx" or "both". */
const char *span_dir_name(unsigned int dir);

#endif /* FABRICD_ENGINE_SPAN_H */
