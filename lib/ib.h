/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The InfiniBand vocabulary every layer shares, defined once: PKeys, MTU
 * codes, link rates (IBA 1.4 vol. 1: 10.9.3 PKeys, 14.2.5.6 PortInfo).
 * Values are in host order. OpenSM's iba/ib_types.h defines its own
 * IB_PKEY_BASE_MASK in network order: a file that includes both fails to
 * build (redefinition): sm-plugin files that include the OpenSM headers use
 * cl_ntoh16(IB_PKEY_BASE_MASK) from there instead of this header.
 */
#ifndef LIB_IB_H
#define LIB_IB_H

#include <stdint.h>

/* PKey: bit 15 is full membership, bits 0-14 the partition (base). */
#define IB_PKEY_FULL_BIT 0x8000
#define IB_PKEY_BASE_MASK 0x7fff
/* The default partition's base; base 0 is the invalid PKey. */
#define IB_PKEY_DEFAULT 0x7fff

/* Entries in one PKeyTable block (SMP PKeyTable, SA PKeyTableRecord). */
#define IB_PKEYS_PER_BLOCK 32

/* ib_pkey_base - @pkey without its membership bit. */
static inline uint16_t ib_pkey_base(uint16_t pkey)
{
	return pkey & IB_PKEY_BASE_MASK;
}

/* MTU codes (PortInfo, PathRecord, MCMemberRecord; ibv_mtu). */
enum ib_mtu {
	IB_MTU_256 = 1,
	IB_MTU_512 = 2,
	IB_MTU_1024 = 3,
	IB_MTU_2048 = 4,
	IB_MTU_4096 = 5,
};

/* ib_mtu_bytes - MTU code (1..5) to bytes (256..4096), 0 if invalid. */
static inline unsigned int ib_mtu_bytes(unsigned int code)
{
	return code >= IB_MTU_256 && code <= IB_MTU_4096 ? 128u << code : 0;
}

/* ib_mtu_code - the MTU code (1..5) of a byte count, or 0. */
static inline unsigned int ib_mtu_code(unsigned int bytes)
{
	unsigned int code;

	for (code = IB_MTU_256; code <= IB_MTU_4096; code++)
		if (ib_mtu_bytes(code) == bytes)
			return code;
	return 0;
}

/*
 * ib_rate_mbps - a link rate in Gb/s as libibumad reports it (sysfs
 * "2.5 Gb/sec" reads as 2: 1x SDR) to Mb/s (2 -> 2500).
 */
static inline unsigned int ib_rate_mbps(unsigned int rate_gbps)
{
	return rate_gbps == 2 ? 2500 : rate_gbps * 1000;
}

#endif /* LIB_IB_H */
