/*
 * gen_put.h - what the seed corpus generators share (gen_corpus.c,
 * gen_nd_corpus.c, gen_das_corpus.c; each one's header says how to run
 * it): put() writes one seed file into outdir, which main() sets from its
 * argument, and exits on any error.  Included once, by the generator.
 */
#ifndef GKEY_GEN_PUT_H
#define GKEY_GEN_PUT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static const char *outdir;

static void
put(const char *name, const uint8_t *buf, size_t len)
{
	char path[1024];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	if ((fp = fopen(path, "wb")) == NULL ||
	    fwrite(buf, 1, len, fp) != len || fclose(fp) != 0) {
		perror(path);
		exit(1);
	}
}

#endif /* GKEY_GEN_PUT_H */
