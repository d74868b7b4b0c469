#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# How the expected values in test_vnet.c were made: scapy builds the frames
# (and the segments the kernel's GSO would make of them) and computes their
# checksums, independently of eth/vnet.c. Run it to print them again.
from scapy.all import Ether, IP, IPv6, TCP, UDP, IPv6ExtHdrFragment, raw

SRC, DST = "02:00:00:00:00:01", "02:00:00:00:00:02"
A4, B4 = "10.1.0.1", "10.1.0.2"
A6, B6 = "fd00::1", "fd00::2"


def pay(n):
    return bytes((i * 7 + 3) & 0xff for i in range(n))


def hexa(b):
    return ", ".join("0x%02x" % x for x in b)


def small():
    for name, l3 in (("tcp4", IP(src=A4, dst=B4, id=0x1234)),
                     ("tcp6", IPv6(src=A6, dst=B6))):
        f = Ether(src=SRC, dst=DST) / l3 / TCP(sport=1000, dport=2000,
                                                 seq=1, ack=2, flags="PA",
                                                 window=512) / pay(80)
        f = Ether(raw(f))
        print("%s csum 0x%04x" % (name, f[TCP].chksum))
    for name, l3 in (("udp4", IP(src=A4, dst=B4, id=0x1234)),
                     ("udp6", IPv6(src=A6, dst=B6))):
        f = Ether(src=SRC, dst=DST) / l3 / UDP(sport=1000, dport=2000) / pay(80)
        f = Ether(raw(f))
        print("%s csum 0x%04x" % (name, f[UDP].chksum))


def tso(v6, n, mss):
    p = pay(n)
    out = []
    for i in range(0, n, mss):
        fl = "A" + ("FP" if i + mss >= n else "") + ("C" if i == 0 else "")
        l3 = IPv6(src=A6, dst=B6) if v6 else IP(src=A4, dst=B4,
                                                 id=0x1234 + i // mss)
        f = Ether(raw(Ether(src=SRC, dst=DST) / l3 /
                      TCP(sport=1000, dport=2000, seq=1 + i, ack=2,
                          flags=fl, window=512) / p[i:i + mss]))
        out.append((0 if v6 else f[IP].chksum, f[TCP].chksum))
    return out


def uso(v6, n, mss):
    p = pay(n)
    out = []
    for i in range(0, n, mss):
        l3 = IPv6(src=A6, dst=B6) if v6 else IP(src=A4, dst=B4,
                                                 id=0x1234 + i // mss)
        f = Ether(raw(Ether(src=SRC, dst=DST) / l3 /
                      UDP(sport=1000, dport=2000) / p[i:i + mss]))
        out.append((0 if v6 else f[IP].chksum, f[UDP].chksum))
    return out


def ufo(v6, n, frag):
    dg = raw(UDP(sport=1000, dport=2000) / pay(n))
    whole = Ether(raw(Ether(src=SRC, dst=DST) /
                      (IPv6(src=A6, dst=B6) if v6 else
                       IP(src=A4, dst=B4, id=0x1234)) /
                      UDP(sport=1000, dport=2000) / pay(n)))
    print("  udp csum of the datagram 0x%04x" % whole[UDP].chksum)
    out = []
    if v6:
        return out
    for i in range(0, len(dg), frag):
        mf = 1 if i + frag < len(dg) else 0
        f = Ether(raw(Ether(src=SRC, dst=DST) /
                      IP(src=A4, dst=B4, id=0x1234, flags=mf,
                         frag=i // 8, proto=17) / dg[i:i + frag]))
        out.append((f[IP].chksum, 0))
    return out


small()
print("tso4", tso(False, 3000, 1000))
print("tso4 mss 600 (mtu 640)", tso(False, 3000, 600))
print("tso6", tso(True, 3000, 1000))
print("uso4", uso(False, 2500, 1000))
print("uso6", uso(True, 2500, 1000))
print("ufo4", ufo(False, 2500, 1000))
print("ufo6", ufo(True, 2500, 1000))
