/*
 * errbuf.h - the error-string convention of gkey's libraries: functions
 * that can fail take a caller buffer (err, errlen) and fill it with one
 * line saying why. err may be NULL or errlen 0: then nothing is written.
 */
#ifndef GKEY_ERRBUF_H
#define GKEY_ERRBUF_H

#include <stddef.h>

void	gkey_seterr(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 3, 4)));
/* gkey_seterr(), then return code: "return gkey_fail(err, errlen, -1, ...)". */
int	gkey_fail(char *err, size_t errlen, int code, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 4, 5)));

#endif /* GKEY_ERRBUF_H */
