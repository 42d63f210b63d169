#!/usr/bin/env python3
# push-tools.py - helpers of tests/rig/push.sh (tests/push.test,
# bench/push-bench.sh).  No RADIUS or PANA is built here.
#
#   push-tools.py watch OUT APP NAME=FILE...
#	Polls every FILE every 5 ms for key lines "app=APP ... epoch=N ..."
#	(gkey-noded's key file, pana-pac's output) and appends
#	"MS NAME EPOCH" to OUT whenever NAME's highest epoch of APP grows
#	(MS: the wall clock in ms, as date +%s%3N).  OUT.ready appears once
#	the first poll is done.
#   push-tools.py cap OUT HEXPORTS IFACE...
#	A capture socket (AF_PACKET, root) on each IFACE: one line per UDP
#	datagram or ICMPv6 message, "MS IFACE udp SRC SPORT DST DPORT LEN
#	HEAD8 NASID [HEX]" or "MS IFACE icmp6 SRC DST TYPE LEN"; LEN is the
#	UDP payload (the RADIUS or PANA message) or the ICMPv6 message in
#	octets, HEAD8 its first 8 octets in hex, NASID the NAS-Identifier of
#	a RADIUS message that has one ("-" otherwise), HEX the whole payload
#	when the destination port is one of HEXPORTS (comma separated; a
#	CoA-Request carries no secret: doc/push.md section 1).  On lo every
#	packet is seen twice; only the received copy is taken.
import os
import re
import select
import signal
import socket
import struct
import sys
import time


def ms():
    return int(time.time() * 1000)


def watch(out, app, pairs):
    files = [p.split('=', 1) for p in pairs]
    pat = re.compile(r'^app=' + re.escape(app) + r' .*\bepoch=(\d+)\b', re.M)
    best = {name: -1 for name, _ in files}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    first = True
    with open(out, 'a') as f:
        while True:
            for name, path in files:
                try:
                    with open(path) as k:
                        text = k.read()
                except OSError:
                    continue
                e = max((int(m) for m in pat.findall(text)), default=-1)
                if e > best[name]:
                    best[name] = e
                    f.write('%d %s %d\n' % (ms(), name, e))
                    f.flush()
            if first:
                open(out + '.ready', 'w').close()
                first = False
            time.sleep(0.005)


def nasid(p):
    # A RADIUS message: code, id, length = len(p), authenticator, TLVs.
    if len(p) < 20 or struct.unpack('!H', p[2:4])[0] != len(p):
        return '-'
    i = 20
    while i + 2 <= len(p):
        t, l = p[i], p[i + 1]
        if l < 2:
            return '-'
        if t == 32:
            return p[i + 2:i + l].decode('ascii', 'replace').replace(' ', '_') or '-'
        i += l
    return '-'


def cap(out, hexports, ifaces):
    hexports = {int(x) for x in hexports.split(',') if x}
    socks = {}
    for ifc in ifaces:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        s.bind((ifc, 0))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        socks[s.fileno()] = (s, ifc)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    f = open(out, 'a')
    open(out + '.ready', 'w').close()
    while True:
        r, _, _ = select.select(list(socks), [], [])
        for fd in r:
            s, ifc = socks[fd]
            frame, addr = s.recvfrom(65535)
            if ifc == 'lo' and addr[2] == socket.PACKET_OUTGOING:
                continue
            et = struct.unpack('!H', frame[12:14])[0]
            ip = frame[14:]
            if et == 0x0800 and len(ip) >= 20:
                hl = (ip[0] & 15) * 4
                proto, src, dst = ip[9], socket.inet_ntop(socket.AF_INET, ip[12:16]), \
                    socket.inet_ntop(socket.AF_INET, ip[16:20])
                l4 = ip[hl:struct.unpack('!H', ip[2:4])[0]]
            elif et == 0x86DD and len(ip) >= 40:
                proto = ip[6]
                src = socket.inet_ntop(socket.AF_INET6, ip[8:24])
                dst = socket.inet_ntop(socket.AF_INET6, ip[24:40])
                l4 = ip[40:40 + struct.unpack('!H', ip[4:6])[0]]
            else:
                continue
            if proto == 17 and len(l4) >= 8:
                sp, dp = struct.unpack('!HH', l4[0:4])
                p = l4[8:]
                line = '%d %s udp %s %d %s %d %d %s %s' % (
                    ms(), ifc, src, sp, dst, dp, len(p), p[:8].hex() or '-', nasid(p))
                if dp in hexports:
                    line += ' ' + p.hex()
            elif proto == 58 and len(l4) >= 4:
                line = '%d %s icmp6 %s %s %d %d' % (ms(), ifc, src, dst, l4[0], len(l4))
            else:
                continue
            f.write(line + '\n')
            f.flush()


if __name__ == '__main__':
    a = sys.argv[1:]
    if len(a) >= 3 and a[0] == 'watch':
        watch(a[1], a[2], a[3:])
    elif len(a) >= 4 and a[0] == 'cap':
        cap(a[1], a[2], a[3:])
    else:
        sys.stderr.write('usage: push-tools.py watch OUT APP NAME=FILE... | '
                         'cap OUT HEXPORTS IFACE...\n')
        sys.exit(2)
