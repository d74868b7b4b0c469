# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The fabricd daemon (see issue 4/5); fabricd/fabricd_main.c is its main.
