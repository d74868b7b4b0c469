/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The version and the default paths of fabricd, fabricctl, fabstat and the
 * OpenSM plugin, in one place (the man pages in docs/ name them).
 */
#ifndef LIB_PATHS_H
#define LIB_PATHS_H

#define PATHS_VERSION "0.1"

#define PATHS_POLICY "/etc/fabricd/fabric.yaml"
#define PATHS_STATE_DIR "/var/lib/fabricd"
#define PATHS_SM_STATE PATHS_STATE_DIR "/state.json"
#define PATHS_RUN_DIR "/run/fabricd"
#define PATHS_PID_FILE PATHS_RUN_DIR "/fabricd.pid"
#define PATHS_CTL_SOCKET PATHS_RUN_DIR "/fabricd.ctl"

#endif /* LIB_PATHS_H */
