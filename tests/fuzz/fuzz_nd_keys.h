/*
 * fuzz_nd_keys.h - a fixed router trust anchor and router certificate and
 * key for fuzz_noded.c and gen_nd_corpus.c, so that seed RAs signed with
 * them pass the signature and trust checks and the fuzzer explores what
 * follows (part assembly).  Test keys only: never use them elsewhere.
 * Valid for 100 years from 2026.
 */
#ifndef GKEY_FUZZ_ND_KEYS_H
#define GKEY_FUZZ_ND_KEYS_H

static const char fuzz_nd_anchor_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBpjCCAUugAwIBAgIUERZsmDRgs+X2BV9l6jVVZUPF7YYwCgYIKoZIzj0EAwIw\n"
	"HzEdMBsGA1UEAwwUZ2tleSBmdXp6IHJvdXRlcnMgQ0EwIBcNMjYxMjAxMjEzNjE4\n"
	"WhgPMjEyNjExMDcyMTM2MThaMB8xHTAbBgNVBAMMFGdrZXkgZnV6eiByb3V0ZXJz\n"
	"IENBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE7lPA+OmYU0afzvInD/8n6UEX\n"
	"K+2++TBQrv0nWziT73GjaVbhcuNC0GCfB9PSMJ6xxqaZQOZypqUXZOq3KY0iXaNj\n"
	"MGEwHQYDVR0OBBYEFHFUE8nX06Uth4Q8oLasLEHYHF2OMB8GA1UdIwQYMBaAFHFU\n"
	"E8nX06Uth4Q8oLasLEHYHF2OMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQD\n"
	"AgIEMAoGCCqGSM49BAMCA0kAMEYCIQDxz/G/JcCJwBjlahFpLcCC9dNpFqRkZJi4\n"
	"vI6VoN7KSAIhAJHiFp2tC+1uFcJtBlURo4epHujf1o2AFEBqwPW9SNrI\n"
	"-----END CERTIFICATE-----\n";

static const char fuzz_nd_ar_cert_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBlTCCATygAwIBAgIBBzAKBggqhkjOPQQDAjAfMR0wGwYDVQQDDBRna2V5IGZ1\n"
	"enogcm91dGVycyBDQTAgFw0yNjEyMDEyMTM2MThaGA8yMTI2MTEwNzIxMzYxOFow\n"
	"FzEVMBMGA1UEAwwMZ2tleSBmdXp6IGFyMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcD\n"
	"QgAEmlob8p7y6iAyD9a9t2ZMO/N456H7BvLZzc2+FrIqoiZcqAilHyN7f50MIec9\n"
	"0Vh+bYiOc8ZW+ZK+khl1+M0qUKNvMG0wCQYDVR0TBAIwADALBgNVHQ8EBAMCB4Aw\n"
	"EwYDVR0lBAwwCgYIKwYBBQUHAxcwHQYDVR0OBBYEFLTJxf4vpiJeRSj/2AVDiPEG\n"
	"9d7DMB8GA1UdIwQYMBaAFHFUE8nX06Uth4Q8oLasLEHYHF2OMAoGCCqGSM49BAMC\n"
	"A0cAMEQCICr1hBn2g+WDhBucWD0y+jy45tZ0l2iGtJc1hv2RDX44AiAj9VEeffY1\n"
	"ybs1ssK3Y6Gsr1DlLDhnzkRGw2HB1OvUZw==\n"
	"-----END CERTIFICATE-----\n";

static const char fuzz_nd_ar_key_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgo8f6Iy8DfRRxjr1D\n"
	"lXOq2HVu+P806C3K7dVqg9aMvcKhRANCAASaWhvynvLqIDIP1r23Zkw783jnofsG\n"
	"8tnNzb4WsiqiJlyoCKUfI3t/nQwh5z3RWH5tiI5zxlb5kr6SGXX4zSpQ\n"
	"-----END PRIVATE KEY-----\n";

#endif /* GKEY_FUZZ_ND_KEYS_H */
