/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The engine's counters in the Prometheus text exposition format (version
 * 0.0.4), built from the reply of the control command "stats" (the JSON
 * `fabricctl -j stats` prints), so the socket, `fabricctl -o prometheus
 * stats` and fabricd's node_exporter textfile never disagree. The metric
 * names are stable and listed in docs/metrics.md.
 */
#ifndef LIB_PROM_H
#define LIB_PROM_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* The file name fabricd writes in a node_exporter textfile directory. */
#define PROM_TEXTFILE "fabricd.prom"

/*
 * prom_write_stats - print @stats (a "stats" reply) on @f as Prometheus
 * text: each family with at least one sample gets its # HELP and # TYPE
 * lines and its samples; a missing or null value gives no sample, so an
 * empty object prints nothing. Returns 0, or -EIO when @f failed.
 */
int prom_write_stats(FILE *f, const json_t *stats);

/*
 * prom_stats_text - prom_write_stats() into a malloc'ed NUL-terminated
 * buffer whose length is stored in *@len. Returns NULL with errno set on
 * failure.
 */
char *prom_stats_text(const json_t *stats, size_t *len);

/*
 * prom_escape_label - write @s on @f as a label value: backslash, double
 * quote and newline become \\, \" and \n.
 */
void prom_escape_label(FILE *f, const char *s);

#endif /* LIB_PROM_H */
