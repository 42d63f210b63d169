#!/usr/bin/env python3
# das-tap.py - the DAS tests' helper (tests/paa-das.test, tests/ard-das.test).
#
#   das-tap.py tap LISTEN_PORT DAS_HOST DAS_PORT OUT
#	Takes one datagram on 127.0.0.1:LISTEN_PORT (radclient's CoA-Request),
#	writes it to OUT.req, forwards it to the DAS, writes the DAS's answer
#	to OUT.ans and gives it back to the sender, then exits.  OUT.ready
#	appears once it listens.  So radclient
#	builds the request and a test can replay its exact bytes.
#   das-tap.py send DAS_HOST DAS_PORT FILE
#	Sends FILE's bytes as one datagram and prints the answer in hex, or
#	"no answer" after 1 s.
# No RADIUS is parsed or built here.
import socket
import sys


def family(host):
    return socket.AF_INET6 if ':' in host else socket.AF_INET


def tap(port, host, das_port, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('127.0.0.1', int(port)))
    s.settimeout(10)
    open(out + '.ready', 'w').close()
    req, peer = s.recvfrom(65535)
    with open(out + '.req', 'wb') as f:
        f.write(req)
    d = socket.socket(family(host), socket.SOCK_DGRAM)
    d.settimeout(5)
    d.sendto(req, (host, int(das_port)))
    ans, _ = d.recvfrom(65535)
    with open(out + '.ans', 'wb') as f:
        f.write(ans)
    s.sendto(ans, peer)


def send(host, das_port, path):
    with open(path, 'rb') as f:
        req = f.read()
    d = socket.socket(family(host), socket.SOCK_DGRAM)
    d.settimeout(1)
    d.sendto(req, (host, int(das_port)))
    try:
        ans, _ = d.recvfrom(65535)
        print(ans.hex())
    except socket.timeout:
        print('no answer')


if __name__ == '__main__':
    if len(sys.argv) == 6 and sys.argv[1] == 'tap':
        tap(*sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == 'send':
        send(*sys.argv[2:])
    else:
        sys.stderr.write('usage: das-tap.py tap PORT HOST DAS_PORT OUT | '
                         'send HOST DAS_PORT FILE\n')
        sys.exit(2)
