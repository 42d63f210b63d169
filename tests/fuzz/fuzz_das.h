/*
 * fuzz_das.h - what fuzz_das.c and gen_das_corpus.c share: the client,
 * its secret, the NAS-Identifier and the clock of the harness, so that
 * the signed seeds reach the attribute checks.
 */
#ifndef GKEY_FUZZ_DAS_H
#define GKEY_FUZZ_DAS_H

#define FUZZ_DAS_CLIENT		"192.0.2.10"
#define FUZZ_DAS_SECRET		"das-fuzz-secret"
#define FUZZ_DAS_NASID		"ar1"
#define FUZZ_DAS_NOW		1700000000u

#endif /* GKEY_FUZZ_DAS_H */
