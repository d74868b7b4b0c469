# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# lib/: the bottom layer (policy, control protocol client and server, the
# buffer pool and the port contract, logging, SA MADs, local SMPs). Includes
# only lib/.

LIB_SRCS := lib/cli.c lib/ctl.c lib/ctl_server.c lib/ib_smp.c lib/ifname.c \
	lib/log.c lib/output.c lib/policy.c lib/policy_diff.c lib/policy_edit.c \
	lib/policy_limits.c lib/policy_load.c lib/policy_node.c \
	lib/policy_parse.c lib/policy_rules.c lib/policy_yaml.c lib/pool.c \
	lib/pcapw.c lib/port.c lib/prom.c \
	lib/sa_mad.c lib/tbucket.c lib/util.c
$(eval $(call fab_layer,lib,$(LIB_SRCS)))
