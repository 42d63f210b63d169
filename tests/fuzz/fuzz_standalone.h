/*
 * fuzz_standalone.h - a main() that replays inputs through
 * LLVMFuzzerTestOneInput() without libFuzzer, so a seed corpus can run
 * under gcc's ASan/UBSan in "make check".  Included by each harness when
 * GKEY_FUZZ_STANDALONE is defined.
 *
 * Arguments are files or directories (each regular file in them, one
 * level); with none, standard input is one input.
 */
#ifndef GKEY_FUZZ_STANDALONE_H
#define GKEY_FUZZ_STANDALONE_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define STANDALONE_MAX_INPUT	(1024 * 1024)
#define STANDALONE_PATH_MAX	4096

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
standalone_run_stream(FILE *fp, const char *name)
{
	uint8_t	*buf;
	size_t	 len;

	if ((buf = malloc(STANDALONE_MAX_INPUT + 1)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", name);
		return -1;
	}
	len = fread(buf, 1, STANDALONE_MAX_INPUT + 1, fp);
	if (ferror(fp) || len > STANDALONE_MAX_INPUT) {
		fprintf(stderr, "%s: read error or larger than %d octets\n",
		    name, STANDALONE_MAX_INPUT);
		free(buf);
		return -1;
	}
	/* An exact-size copy lets ASan catch reads past the input. */
	{
		uint8_t	*exact = malloc(len != 0 ? len : 1);

		if (exact == NULL) {
			free(buf);
			return -1;
		}
		memcpy(exact, buf, len);
		free(buf);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	return 0;
}

static int
standalone_run_file(const char *path)
{
	FILE	*fp;
	int	 ret;

	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	ret = standalone_run_stream(fp, path);
	fclose(fp);
	return ret;
}

static int
standalone_run_path(const char *path, unsigned long *count)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d;
	char		 sub[STANDALONE_PATH_MAX];
	int		 ret = 0, n;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return standalone_run_file(path);
	}
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		n = snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (n < 0 || (size_t)n >= sizeof(sub) ||
		    stat(sub, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		(*count)++;
		if (standalone_run_file(sub) != 0)
			ret = -1;
	}
	closedir(d);
	return ret;
}

int
main(int argc, char *argv[])
{
	unsigned long	count = 0;
	int		i, ret = 0;

	if (argc < 2) {
		count = 1;
		ret = standalone_run_stream(stdin, "<stdin>");
	}
	for (i = 1; i < argc; i++)
		if (standalone_run_path(argv[i], &count) != 0)
			ret = -1;
	fprintf(stderr, "%s: %lu inputs replayed\n", argv[0], count);
	return ret == 0 && count > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif /* GKEY_FUZZ_STANDALONE_H */
