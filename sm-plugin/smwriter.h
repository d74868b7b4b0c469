/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A writer thread for the state snapshot. Serialising and fsync'ing a
 * snapshot of a large fabric takes tens of milliseconds; done in OpenSM's
 * state-manager thread it would delay the next sweep by as much. The SM
 * thread only copies what it needs (struct smsnap, under OpenSM's lock) and
 * hands it over; when snapshots come faster than they are written, the
 * newest wins.
 */
#ifndef FABRIC_SMWRITER_H
#define FABRIC_SMWRITER_H

struct smsnap;
struct smwriter;

/*
 * smwriter_start - start a thread that writes snapshots to @path
 * atomically (creating its directory). Returns the writer, or NULL with
 * errno set.
 */
struct smwriter *smwriter_start(const char *path);

/*
 * smwriter_submit - queue @snap for writing, taking ownership; a snapshot
 * still queued is dropped in its favour.
 */
void smwriter_submit(struct smwriter *w, struct smsnap *snap);

/* smwriter_stop - write what is queued, stop the thread; accepts NULL. */
void smwriter_stop(struct smwriter *w);

#endif /* FABRIC_SMWRITER_H */
