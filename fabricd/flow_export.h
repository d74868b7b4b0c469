/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * IPFIX (RFC 7011) encoding and UDP export of ended flow records with
 * libfixbuf: the templates, the enterprise information elements for
 * InfiniBand and the partition options records are in docs/ipfix.md.
 * Used from the daemon's main loop only (never the forwarding thread).
 */
#ifndef FABRICD_FLOW_EXPORT_H
#define FABRICD_FLOW_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "eth/flow.h"

/* The private enterprise number of fabricd's IEs: see docs/ipfix.md. */
#define FLOW_EXPORT_PEN 32473

struct flow_export_cfg {
	const char *host; /* collector address or name */
	unsigned int port; /* UDP */
	uint32_t domain; /* observation domain ID */
	uint32_t sampling; /* 1-in-N, for the options records */
};

/* A partition as the options records name it. */
struct flow_export_part {
	const char *name;
	uint16_t pkey;
};

struct flow_export_stats {
	uint64_t records; /* flow records handed to libfixbuf */
	uint64_t errors; /* records or messages libfixbuf refused */
	uint64_t template_sends; /* templates (and options) sent */
};

struct flow_export;

/*
 * flow_export_create - a UDP exporter to @cfg's collector (the name is
 * resolved here). Returns it, or NULL with errno set; *@error (malloc'ed,
 * may be NULL) says why.
 */
struct flow_export *flow_export_create(const struct flow_export_cfg *cfg,
				       char **error);

/* flow_export_destroy - send what is buffered and close; accepts NULL. */
void flow_export_destroy(struct flow_export *fx);

/*
 * flow_export_templates - (re)send the templates and the options records
 * of @parts (@n), as UDP needs them repeated. Returns 0 or -EIO.
 */
int flow_export_templates(struct flow_export *fx,
			  const struct flow_export_part *parts, size_t n);

/*
 * flow_export_records - encode @n records; times are CLOCK_MONOTONIC ms,
 * converted to wall-clock ms. Returns 0 or -EIO (some were refused,
 * counted).
 */
int flow_export_records(struct flow_export *fx, const struct flow_record *r,
			size_t n);

/* flow_export_flush - send the message being built. 0 or -EIO. */
int flow_export_flush(struct flow_export *fx);

/* flow_export_get_stats - the exporter's counters. */
void flow_export_get_stats(const struct flow_export *fx,
			   struct flow_export_stats *st);

#endif /* FABRICD_FLOW_EXPORT_H */
