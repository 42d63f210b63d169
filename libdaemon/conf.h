/*
 * conf.h - the line-based configuration files of the daemons (pana-relayd,
 * gkey-ard, gkey-noded): "keyword value ...", '#' starts a comment, blank
 * lines are ignored, and every bad line is an error naming file:line.
 *
 * A daemon describes its keywords in a table of struct conf_keyword and
 * calls conf_parse() on the text; each keyword's function stores what it
 * parsed through ctx->arg (the daemon's configuration).  Defaults before
 * and the checks of the whole file after stay with the daemon.
 *
 * Memory: nothing here allocates but conf_read_file(), whose text the
 * caller owns and releases with conf_free_text() (which wipes it: a file
 * may hold secrets).  conf_parse() wipes its copy of each line.  All
 * strings handed to keyword functions are borrowed for the call.
 */
#ifndef GKEY_CONF_H
#define GKEY_CONF_H

#include <stddef.h>		/* offsetof */

#define CONF_LINE_MAX	1024	/* octets of one line, without '\n' */
#define CONF_WORDS_MAX	16	/* the most a grammar may allow */
#define CONF_FILE_MAX	(1024 * 1024)

/* Where the parser is; err (errlen octets, caller's) gets the message. */
struct conf_ctx {
	const char	*name;		/* file name in messages */
	unsigned int	 line;		/* 0: about the whole file */
	char		*err;
	size_t		 errlen;
	void		*arg;		/* the daemon's configuration */
	const struct conf_keyword *kw;	/* the keyword being parsed */
};

/*
 * A keyword with min_args..max_args arguments.  fn gets the words
 * (t[0] is the keyword, t[n] is NULL) and returns 0, or -1 after
 * conf_bad().  off and size place a field in the configuration (ctx->arg)
 * and min..max bound its value, for conf_kw_string() and conf_kw_uint();
 * CONF_STRING() and CONF_UINT() fill them in.
 */
struct conf_keyword {
	const char	*name;
	int		 min_args;
	int		 max_args;
	int		(*fn)(struct conf_ctx *, char **t, int n);
	size_t		 off;
	size_t		 size;
	unsigned long	 min;
	unsigned long	 max;
};

/* "NAME TEXT" into the char array field of type (conf_copy()). */
#define CONF_STRING(name, type, field)					\
	{ (name), 1, 1, conf_kw_string, offsetof(type, field),		\
	  sizeof(((type *)0)->field), 0, 0 }
/*
 * "NAME PATH", an absolute path, into the char array field of type (the
 * control-socket of doc/control.md).
 */
#define CONF_PATH(name, type, field)					\
	{ (name), 1, 1, conf_kw_path, offsetof(type, field),		\
	  sizeof(((type *)0)->field), 0, 0 }
/* "NAME N", lo <= N <= hi, into the unsigned int field of type. */
#define CONF_UINT(name, type, field, lo, hi)				\
	{ (name), 1, 1, conf_kw_uint, offsetof(type, field),		\
	  sizeof(((type *)0)->field), (lo), (hi) }

struct conf_grammar {
	const struct conf_keyword *keywords;
	size_t		 n_keywords;
	int		 max_words;	/* keyword too: 1..CONF_WORDS_MAX */
	/*
	 * The message for a known keyword with a wrong number of arguments
	 * (nargs); returns -1.  NULL: "KEYWORD: wrong number of arguments
	 * (N)".
	 */
	int		(*arity)(struct conf_ctx *, const struct conf_keyword *,
			    int nargs);
	/* Before the first line: the defaults into ctx->arg (or NULL). */
	void		(*defaults)(void *arg);
	/*
	 * After the last line, with ctx->line 0: what the file as a whole
	 * must hold (or NULL); 0, or -1 after conf_bad().
	 */
	int		(*finish)(struct conf_ctx *);
};

/*
 * "name:line: message" (or "name: message" when line is 0) into ctx->err;
 * returns -1 so that callers can "return conf_bad(...)".
 */
int	conf_bad(struct conf_ctx *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* Decimal min..max into *v; kw names the value in the message. */
int	conf_number(struct conf_ctx *, const char *kw, const char *s,
	    unsigned long min, unsigned long max, unsigned long *v);
/* The same into an unsigned int (max must fit). */
int	conf_uint(struct conf_ctx *, const char *kw, const char *s,
	    unsigned long min, unsigned long max, unsigned int *v);
/* "yes" 1, "no" 0. */
int	conf_yesno(struct conf_ctx *, const char *kw, const char *s, int *v);
/* s into dst[size], or an error when it does not fit. */
int	conf_copy(struct conf_ctx *, const char *kw, const char *s, char *dst,
	    size_t size);

/* Keyword functions for CONF_STRING(), CONF_PATH() and CONF_UINT(). */
int	conf_kw_string(struct conf_ctx *, char **t, int n);
int	conf_kw_path(struct conf_ctx *, char **t, int n);
int	conf_kw_uint(struct conf_ctx *, char **t, int n);

/*
 * The defaults, every line of text (NUL-terminated) against the grammar,
 * then its finish check.  0, or -1 with the message of the first bad line
 * in ctx->err (what was parsed until then stays in ctx->arg: wipe any
 * secrets).  ctx->line is left at 0.
 */
int	conf_parse(const struct conf_grammar *, const char *text,
	    struct conf_ctx *);
/*
 * conf_parse() of the file path (see conf_read_file()), named path in
 * messages; ctx->name is set to path.
 */
int	conf_load(const struct conf_grammar *, const char *path,
	    struct conf_ctx *);

/*
 * A regular file of at most CONF_FILE_MAX octets without a NUL octet, as
 * a NUL-terminated string in *text (*size octets allocated); free it with
 * conf_free_text(*text, *size).  0, or -1 with "path: reason" in err and
 * nothing to free.
 */
int	conf_read_file(const char *path, char **text, size_t *size, char *err,
	    size_t errlen);
/* Wipe and free what conf_read_file() returned; NULL is fine. */
void	conf_free_text(char *text, size_t size);

#endif /* GKEY_CONF_H */
