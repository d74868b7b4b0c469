// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for the gateway group state machine (fabricd/ha_fsm.h),
 * stepped through time: two gateways a (priority 200) and b (100) that
 * exchange advertisements as the caller would carry them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fabricd/ha_fsm.h"

#define IV 100 /* ms */
#define HOLD 3000

static const uint8_t id_lo[HA_ID_LEN] = { 0xfe, 0x80, [19] = 1 };
static const uint8_t id_hi[HA_ID_LEN] = { 0xfe, 0x80, [19] = 2 };

static struct ha_advert advert_of(const struct ha_fsm *f, bool resign)
{
	struct ha_advert a = { .type = HA_TYPE_ADVERT,
			       .prio = resign ? 0 : f->prio,
			       .interval_ms = IV };

	memcpy(a.id, f->id, HA_ID_LEN);
	strcpy(a.name, f->prio == 200 ? "gw-a" : "gw-b");
	return a;
}

/* Run @f's timers from @from to @to in 1 ms steps; the first action. */
static unsigned int run(struct ha_fsm *f, uint64_t from, uint64_t to,
			uint64_t *when)
{
	uint64_t t;
	unsigned int act;

	for (t = from; t <= to; t++) {
		act = ha_fsm_tick(f, t);
		if (act & HA_ACT_MASTER) {
			*when = t;
			return act;
		}
	}
	return 0;
}

static void test_master_down_interval(void **state)
{
	/* RFC 5798: 3 * interval + (256 - priority) * interval / 256 */
	assert_int_equal(ha_fsm_master_down_ms(100, 200), 321);
	assert_int_equal(ha_fsm_master_down_ms(100, 100), 360);
	assert_int_equal(ha_fsm_master_down_ms(1000, 254), 3007);
}

static void test_init_backup_master(void **state)
{
	struct ha_fsm f;
	uint64_t when = 0;

	ha_fsm_init(&f, 100, id_lo, IV, HOLD);
	assert_int_equal(f.state, HA_INIT);
	assert_int_equal(ha_fsm_tick(&f, 10000), 0); /* INIT never takes over */
	assert_int_equal(ha_fsm_set_eligible(&f, true, 1000), 0);
	assert_int_equal(f.state, HA_BACKUP);
	assert_int_equal(run(&f, 1000, 2000, &when),
			 HA_ACT_MASTER | HA_ACT_ADVERT);
	assert_int_equal(when, 1360);
	assert_int_equal(f.state, HA_MASTER);
	assert_int_equal(f.reason, HA_R_MASTER_DOWN);
	/* advertises every interval */
	assert_int_equal(ha_fsm_tick(&f, 1459), 0);
	assert_int_equal(ha_fsm_tick(&f, 1460), HA_ACT_ADVERT);
	assert_int_equal(ha_fsm_tick(&f, 1461), 0);
	assert_int_equal(ha_fsm_tick(&f, 1560), HA_ACT_ADVERT);
}

/* b is master alone; a returns: it waits the hold-down, then preempts. */
static void test_preempt_after_hold(void **state)
{
	struct ha_fsm a, b;
	struct ha_advert adv;
	uint64_t t, when = 0;
	unsigned int act = 0;

	ha_fsm_init(&b, 100, id_lo, IV, HOLD);
	ha_fsm_set_eligible(&b, true, 0);
	run(&b, 0, 1000, &when);
	assert_int_equal(b.state, HA_MASTER);
	ha_fsm_init(&a, 200, id_hi, IV, HOLD);
	ha_fsm_set_eligible(&a, true, 2000);
	/* b advertises every 100 ms; a hears it and holds */
	for (t = 2000; t < 2000 + HOLD + 500 && a.state != HA_MASTER; t += IV) {
		adv = advert_of(&b, false);
		act = ha_fsm_rx(&a, &adv, t);
		assert_int_equal(ha_fsm_tick(&a, t + 1) & HA_ACT_MASTER, 0);
		if (t < 2000 + HOLD)
			assert_int_equal(a.state, HA_BACKUP);
	}
	assert_int_equal(act, HA_ACT_MASTER | HA_ACT_ADVERT);
	assert_int_equal(a.reason, HA_R_PREEMPT);
	assert_int_equal(a.since, 2000 + HOLD);
	/* b hears a's first advertisement and steps down at once */
	adv = advert_of(&a, false);
	assert_int_equal(ha_fsm_rx(&b, &adv, a.since + 1), HA_ACT_BACKUP);
	assert_int_equal(b.state, HA_BACKUP);
	assert_int_equal(b.reason, HA_R_BETTER_MASTER);
	assert_string_equal(b.master_name, "gw-a");
}

/* Hold-down 0: preempt on the first advertisement heard. */
/*
 * The backup's thread sleeps 500 ms past its master-down time (a stalled
 * machine): on waking it waits one interval + skew for the live master's
 * advertisement instead of taking over; a master that stays silent is
 * taken over from after that.
 */
static void test_resumed(void **state)
{
	struct ha_fsm a, b;
	struct ha_advert adv;
	uint64_t when = 0;

	ha_fsm_init(&a, 200, id_hi, IV, HOLD);
	ha_fsm_init(&b, 100, id_lo, IV, HOLD);
	ha_fsm_set_eligible(&b, true, 1000);
	adv = advert_of(&a, false);
	assert_int_equal(ha_fsm_rx(&b, &adv, 1000), 0);
	/* asleep from 1010 to 1860 (master-down was 1360) */
	ha_fsm_resumed(&b, 1010, 1860);
	assert_int_equal(ha_fsm_tick(&b, 1860), 0);
	assert_int_equal(ha_fsm_rx(&b, &adv, 1900), 0); /* a is alive */
	assert_int_equal(run(&b, 1900, 2259, &when), 0);
	assert_int_equal(b.state, HA_BACKUP);
	/* asleep again, and a has died meanwhile */
	ha_fsm_resumed(&b, 2000, 3000);
	assert_int_equal(run(&b, 3000, 3500, &when),
			 HA_ACT_MASTER | HA_ACT_ADVERT);
	assert_int_equal(when, 3000 + IV + 156 * IV / 256);
	assert_int_equal(b.reason, HA_R_MASTER_DOWN);
	/* a master that resigned is not waited for */
	ha_fsm_init(&b, 100, id_lo, IV, HOLD);
	ha_fsm_set_eligible(&b, true, 1000);
	adv = advert_of(&a, true);
	assert_int_equal(ha_fsm_rx(&b, &adv, 1000), 0);
	ha_fsm_resumed(&b, 1000, 1500);
	assert_int_equal(ha_fsm_tick(&b, 1500), HA_ACT_MASTER | HA_ACT_ADVERT);
	assert_int_equal(b.reason, HA_R_RESIGNED);
	/* a short wait (under an interval) changes nothing */
	ha_fsm_init(&b, 100, id_lo, IV, HOLD);
	ha_fsm_set_eligible(&b, true, 1000);
	ha_fsm_resumed(&b, 1300, 1360);
	assert_int_equal(ha_fsm_tick(&b, 1360), HA_ACT_MASTER | HA_ACT_ADVERT);
}

static void test_preempt_no_hold(void **state)
{
	struct ha_fsm a, b;
	struct ha_advert adv;

	ha_fsm_init(&b, 100, id_lo, IV, HOLD);
	ha_fsm_init(&a, 200, id_hi, IV, 0);
	ha_fsm_set_eligible(&a, true, 0);
	b.prio = 100;
	adv = advert_of(&b, false);
	assert_int_equal(ha_fsm_rx(&a, &adv, 10),
			 HA_ACT_MASTER | HA_ACT_ADVERT);
}

/* A backup hearing a better master never takes over while it hears it. */
static void test_backup_stays(void **state)
{
	struct ha_fsm a, b;
	struct ha_advert adv;
	uint64_t t;

	ha_fsm_init(&a, 200, id_hi, IV, HOLD);
	ha_fsm_init(&b, 100, id_lo, IV, HOLD);
	ha_fsm_set_eligible(&b, true, 0);
	adv = advert_of(&a, false);
	for (t = 0; t < 10000; t++) {
		if (t % IV == 0)
			ha_fsm_rx(&b, &adv, t);
		assert_int_equal(ha_fsm_tick(&b, t), 0);
	}
	assert_int_equal(b.state, HA_BACKUP);
	assert_true(b.master_known);
	/* the master dies at 9900: b takes over after its master-down time */
	for (t = 10000; b.state != HA_MASTER; t++)
		ha_fsm_tick(&b, t);
	assert_int_equal(t - 1, 9900 + ha_fsm_master_down_ms(IV, 100));
	assert_int_equal(b.reason, HA_R_MASTER_DOWN);
	assert_int_equal(b.failovers, 1);
}

/* Priority 0 from the master: the backup takes over after the skew only. */
static void test_resign(void **state)
{
	struct ha_fsm a, b;
	struct ha_advert adv;
	uint64_t when = 0;

	ha_fsm_init(&a, 200, id_hi, IV, HOLD);
	ha_fsm_set_eligible(&a, true, 0);
	run(&a, 0, 1000, &when);
	ha_fsm_init(&b, 100, id_lo, IV, HOLD);
	ha_fsm_set_eligible(&b, true, 500);
	adv = advert_of(&a, false);
	ha_fsm_rx(&b, &adv, 600);
	/* a stops: it must resign */
	assert_int_equal(ha_fsm_stop(&a, 650), HA_ACT_RESIGN | HA_ACT_BACKUP);
	assert_int_equal(a.state, HA_INIT);
	adv = advert_of(&a, true);
	assert_int_equal(ha_fsm_rx(&b, &adv, 651), 0);
	assert_int_equal(run(&b, 651, 1000, &when) & HA_ACT_MASTER,
			 HA_ACT_MASTER);
	assert_int_equal(when, 651 + (256 - 100) * IV / 256);
	assert_int_equal(b.reason, HA_R_RESIGNED);
	/* a stopped gateway stays quiet */
	assert_int_equal(ha_fsm_tick(&a, 5000), 0);
}

/* Uplink down: the master resigns and is no candidate until it is back. */
static void test_not_eligible(void **state)
{
	struct ha_fsm a;
	uint64_t when = 0;

	ha_fsm_init(&a, 200, id_hi, IV, HOLD);
	ha_fsm_set_eligible(&a, true, 0);
	run(&a, 0, 1000, &when);
	assert_int_equal(ha_fsm_set_eligible(&a, false, 1000),
			 HA_ACT_RESIGN | HA_ACT_BACKUP);
	assert_int_equal(a.state, HA_INIT);
	assert_int_equal(a.reason, HA_R_NOT_ELIGIBLE);
	assert_int_equal(run(&a, 1000, 5000, &when), 0);
	assert_int_equal(ha_fsm_set_eligible(&a, true, 5000), 0);
	assert_int_equal(a.state, HA_BACKUP);
}

/* Equal priorities: the higher identity wins, as VRRP's IP address. */
static void test_tie_break(void **state)
{
	struct ha_fsm lo, hi;
	struct ha_advert adv;

	assert_true(ha_fsm_better(100, id_hi, 100, id_lo));
	assert_false(ha_fsm_better(100, id_lo, 100, id_hi));
	assert_true(ha_fsm_better(101, id_lo, 100, id_hi));
	ha_fsm_init(&lo, 100, id_lo, IV, HOLD);
	ha_fsm_init(&hi, 100, id_hi, IV, HOLD);
	/* both masters (they started apart) */
	ha_fsm_set_eligible(&lo, true, 0);
	ha_fsm_set_eligible(&hi, true, 0);
	ha_fsm_tick(&lo, 1000);
	ha_fsm_tick(&hi, 1000);
	assert_int_equal(lo.state, HA_MASTER);
	assert_int_equal(hi.state, HA_MASTER);
	adv = advert_of(&lo, false);
	/* the winner stays, advertises at once and announces again */
	assert_int_equal(ha_fsm_rx(&hi, &adv, 1001),
			 HA_ACT_ADVERT | HA_ACT_ANNOUNCE);
	assert_int_equal(hi.state, HA_MASTER);
	adv = advert_of(&hi, false);
	assert_int_equal(ha_fsm_rx(&lo, &adv, 1001), HA_ACT_BACKUP);
	assert_int_equal(lo.state, HA_BACKUP);
}

/* Our own advertisement coming back through the group changes nothing. */
static void test_own_advert(void **state)
{
	struct ha_fsm a;
	struct ha_advert adv;

	ha_fsm_init(&a, 100, id_lo, IV, 0);
	ha_fsm_set_eligible(&a, true, 0);
	adv = advert_of(&a, false);
	adv.prio = 50;
	assert_int_equal(ha_fsm_rx(&a, &adv, 1), 0);
	assert_int_equal(a.state, HA_BACKUP);
}

/* A backup's hello (HA_F_BACKUP) is no master: nobody preempts it. */
static void test_backup_hello(void **state)
{
	struct ha_fsm a, b;
	struct ha_advert adv;

	ha_fsm_init(&a, 200, id_hi, IV, 0);
	ha_fsm_init(&b, 100, id_lo, IV, 0);
	ha_fsm_set_eligible(&a, true, 0);
	adv = advert_of(&b, false);
	adv.flags = HA_F_BACKUP;
	assert_int_equal(ha_fsm_rx(&a, &adv, 1), 0);
	assert_int_equal(a.state, HA_BACKUP);
	assert_false(a.master_known);
}

static void test_wire(void **state)
{
	struct ha_advert a = { .type = HA_TYPE_ADVERT,
			       .prio = 200,
			       .interval_ms = 100,
			       .pkey = 0x9001,
			       .flags = HA_F_BACKUP },
			 b;
	uint8_t buf[HA_ADVERT_LEN + 4];

	memcpy(a.id, id_hi, HA_ID_LEN);
	strcpy(a.name, "gw-a");
	assert_int_equal(ha_fsm_advert_encode(&a, buf, 10), -ENOSPC);
	assert_int_equal(ha_fsm_advert_encode(&a, buf, sizeof(buf)),
			 HA_ADVERT_LEN);
	assert_int_equal(buf[0], HA_VERSION);
	assert_int_equal(buf[2], 200);
	assert_int_equal(buf[6], 0x90);
	assert_int_equal(ha_fsm_advert_decode(buf, HA_ADVERT_LEN, &b), 0);
	assert_int_equal(b.prio, 200);
	assert_int_equal(b.pkey, 0x9001);
	assert_int_equal(b.flags, HA_F_BACKUP);
	assert_int_equal(b.interval_ms, 100);
	assert_memory_equal(b.id, id_hi, HA_ID_LEN);
	assert_string_equal(b.name, "gw-a");
	assert_int_equal(ha_fsm_advert_decode(buf, HA_ADVERT_LEN - 1, &b),
			 -EINVAL);
	buf[0] = 2;
	assert_int_equal(ha_fsm_advert_decode(buf, HA_ADVERT_LEN, &b), -EINVAL);
	assert_string_equal(ha_fsm_state_name(HA_MASTER), "master");
	assert_string_equal(ha_fsm_reason_name(HA_R_RESIGNED),
			    "master_resigned");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_master_down_interval),
		cmocka_unit_test(test_init_backup_master),
		cmocka_unit_test(test_preempt_after_hold),
		cmocka_unit_test(test_preempt_no_hold),
		cmocka_unit_test(test_resumed),
		cmocka_unit_test(test_backup_stays),
		cmocka_unit_test(test_resign),
		cmocka_unit_test(test_not_eligible),
		cmocka_unit_test(test_tie_break),
		cmocka_unit_test(test_own_advert),
		cmocka_unit_test(test_backup_hello),
		cmocka_unit_test(test_wire),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
