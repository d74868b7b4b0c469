/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * OpenSM's partition file (partitions.conf, OpenSM's doc/partition-config.txt)
 * turned into an equivalent policy (fabric.yaml): `fabricctl policy import`.
 *
 * Equivalent means that OpenSM with the original file and OpenSM with
 * libfabricsm.so and the policy give every port the same PKey table and
 * create the same IPoIB groups. The file is read the way OpenSM's parser
 * (osm_prtn_config.c) reads it: abbreviated keywords and flags, partitions
 * split over several definitions, later members overriding earlier ones,
 * generated PKeys. What the policy cannot say is refused with its line and
 * the reason; nothing is dropped silently. Comments go with the partition
 * or member they stand next to.
 */
#ifndef PRTN_IMPORT_H
#define PRTN_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct prtn_import_opts {
	const char *guid2lid; /* OpenSM's guid2lid file: every LID pinned */
	uint64_t sm_guid; /* the SM's port GUID for SELF, 0: refuse SELF */
};

/*
 * prtn_import - read the partition file @path and render the policy.
 * @err: where refusals go, one per line, gcc-style
 *       ("FILE:LINE:COL: error: what; why").
 * @yaml: receives the policy text (malloc'd) on success.
 *
 * Returns 0, -EINVAL when anything was refused (*@yaml untouched), or the
 * negative errno of reading a file.
 */
int prtn_import(const char *path, const struct prtn_import_opts *o, FILE *err,
		char **yaml);

#endif /* PRTN_IMPORT_H */
