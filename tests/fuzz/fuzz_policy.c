// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: any bytes through the policy loader. It must never
 * crash, leak or read out of bounds, and must either accept the input or
 * report at least one located error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	return 0;
}
