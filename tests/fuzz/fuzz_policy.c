// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: any bytes through the policy loader and the text
 * edits. The loader must never crash, leak or read out of bounds, and must
 * either accept the input or report at least one located error; an edit
 * must either refuse or return text (anchors, aliases, any line ends).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/policy.h"
#include "lib/policy_edit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each edit of partition "a" / member 0x1 on the input as text. */
static void fuzz_edits(const uint8_t *data, size_t size)
{
	struct policy_edit_member m = { POLICY_SEL_GUID, 0x1,
					POLICY_MEMB_FULL };
	struct policy_edit_partition p = { .name = "z",
					   .pkey = 9,
					   .ipoib = -1 };
	char *text = malloc(size + 1), *out, why[256];

	if (!text)
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	out = NULL;
	if (!policy_edit_add_member(text, "a", &m, &out, why, sizeof(why)))
		free(out);
	out = NULL;
	if (!policy_edit_del_member(text, "a", &m, &out, why, sizeof(why)))
		free(out);
	out = NULL;
	if (!policy_edit_del_partition(text, "a", &out, why, sizeof(why)))
		free(out);
	out = NULL;
	if (!policy_edit_add_partition(text, &p, &out, why, sizeof(why)))
		free(out);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int n_errors = 0;
	struct policy *pol;
	FILE *devnull = fopen("/dev/null", "w");

	pol = policy_load_buffer("fuzz.yaml", data, size, devnull, &n_errors);
	if (!pol && n_errors == 0)
		abort(); /* refused without saying why */
	if (pol && n_errors != 0)
		abort();
	policy_free(pol);
	fclose(devnull);
	fuzz_edits(data, size);
	return 0;
}
