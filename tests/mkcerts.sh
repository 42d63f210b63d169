#!/bin/sh
# Creates the test PKI used by the test suite and the demo:
#   ca.pem/ca.key          the devices CA (P-256)
#   server.pem/server.key  the RADIUS server's EAP-TLS certificate
#   phone, sensor, sensor2 P-256 identities (user, iot, iot)
#   xnode                  an X25519 identity (certificate signed by the CA)
#   rsanode, ednode        RSA-2048 and Ed25519 identities (unsupported for HPKE)
#   expired                a P-256 identity whose certificate expired in 2021
#   rogue-ca, rogue        a second CA and a node certificate it signed
#   sensor-dup             same issuer and serial as sensor, another key
#   ks-p256.key, ks-x25519.key (+ .pub.pem)  the key server's static keys
# Usage: mkcerts.sh OUTDIR    (OUTDIR is created; existing files are kept)
set -eu

out=${1:?usage: mkcerts.sh OUTDIR}
mkdir -p "$out"
cd "$out"
umask 077

[ -f ca.pem ] && exit 0

ossl() { openssl "$@" 2>/dev/null; }

ec_key() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

ca() {
	# $1 name, $2 subject
	ec_key "$1.key"
	ossl req -new -x509 -key "$1.key" -out "$1.pem" -days 3650 -subj "$2" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign
}

leaf() {
	# $1 name, $2 subject, $3 serial, $4 issuer name, [$5 extra x509 args]
	ossl req -new -key "$1.key" -subj "$2" -out "$1.csr"
	printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyAgreement\nextendedKeyUsage=clientAuth,serverAuth\n' > "$1.ext"
	ossl x509 -req -in "$1.csr" -CA "$4.pem" -CAkey "$4.key" -set_serial "$3" \
		-days 825 -extfile "$1.ext" -out "$1.pem" ${5:-}
	rm -f "$1.csr" "$1.ext"
}

ca ca "/O=gkey test/CN=gkey Devices CA"
ca rogue-ca "/O=rogue/CN=Rogue CA"

for n in server phone sensor sensor2 sensor-dup expired rogue; do ec_key "$n.key"; done
leaf server "/O=gkey test/CN=radius.gkey.test" 0x0100 ca
leaf phone "/O=gkey test/CN=phone-1" 0x1001 ca
leaf sensor "/O=gkey test/CN=sensor-1" 0x1002 ca
leaf sensor2 "/O=gkey test/CN=sensor-2" 0x1003 ca
leaf rogue "/O=rogue/CN=sensor-1" 0x1002 rogue-ca
# Same issuer and serial as sensor, another key: not the enrolled certificate.
leaf sensor-dup "/O=gkey test/CN=sensor-1" 0x1002 ca

# X25519 cannot sign its own request: the CSR is signed with a throw-away
# key and the certificate carries the X25519 key through -force_pubkey.
ossl genpkey -algorithm X25519 -out xnode.key
ossl pkey -in xnode.key -pubout -out xnode.pub.pem
ec_key xnode.csrkey
ossl req -new -key xnode.csrkey -subj "/O=gkey test/CN=xnode-1" -out xnode.csr
ossl x509 -req -in xnode.csr -CA ca.pem -CAkey ca.key -set_serial 0x1004 \
	-days 825 -force_pubkey xnode.pub.pem -out xnode.pem
rm -f xnode.csr xnode.csrkey

ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsanode.key
leaf rsanode "/O=gkey test/CN=rsanode-1" 0x1005 ca
ossl genpkey -algorithm ED25519 -out ednode.key
leaf ednode "/O=gkey test/CN=ednode-1" 0x1006 ca

# An expired certificate needs explicit dates, which only `openssl ca` sets.
mkdir -p expired.ca/new
: > expired.ca/index.txt
printf '1007\n' > expired.ca/serial
cat > expired.ca/ca.cnf <<CNF
[ ca ]
default_ca = exp
[ exp ]
dir = expired.ca
database = expired.ca/index.txt
new_certs_dir = expired.ca/new
serial = expired.ca/serial
default_md = sha256
policy = any
copy_extensions = none
[ any ]
organizationName = optional
commonName = supplied
CNF
ossl req -new -key expired.key -subj "/O=gkey test/CN=expired-1" -out expired.csr
ossl ca -batch -config expired.ca/ca.cnf -cert ca.pem -keyfile ca.key \
	-startdate 20200101000000Z -enddate 20210101000000Z -notext \
	-in expired.csr -out expired.pem
rm -rf expired.csr expired.ca

ec_key ks-p256.key
ossl pkey -in ks-p256.key -pubout -out ks-p256.pub.pem
ossl genpkey -algorithm X25519 -out ks-x25519.key
ossl pkey -in ks-x25519.key -pubout -out ks-x25519.pub.pem

# The KEK: 32 random octets, readable by the owner only.
ossl rand -out kek.bin 32
chmod 0600 ./*.key kek.bin
chmod 0644 ./*.pem
