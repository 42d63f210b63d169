/*
 * fuzz_notify.c - libFuzzer harness for the parser of gkey_change payloads
 * in rlm_gkey's view (gkey_view_notify): whatever the octets, nothing
 * crashes; a payload taken for "identity N" or "app N" / "epoch N E" has
 * exactly that form (digits without a leading zero, one space) and drops
 * at most the entries it names; "all" and everything else empty the view.
 * Build as fuzz_keyrecord.c (scripts/fuzz.sh).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gkey_view.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define IN_MAX	256

/* "[1-9][0-9]*" at *p; moves past it. */
static int
number(const char **p)
{
	const char *s = *p;

	if (*s < '1' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9')
		s++;
	*p = s;
	return 1;
}

static int
has_form(const char *s, gkey_view_note_t what)
{
	switch (what) {
	case GKEY_VIEW_NOTE_IDENTITY:
		if (strncmp(s, "identity ", 9) != 0)
			return 0;
		s += 9;
		return number(&s) && *s == '\0';
	case GKEY_VIEW_NOTE_APP:
		if (strncmp(s, "app ", 4) != 0)
			return 0;
		s += 4;
		return number(&s) && *s == '\0';
	case GKEY_VIEW_NOTE_EPOCH:
		if (strncmp(s, "epoch ", 6) != 0)
			return 0;
		s += 6;
		if (!number(&s) || *s++ != ' ')
			return 0;
		if (*s == '0' && s[1] == '\0')
			return 1;
		return number(&s) && *s == '\0';
	case GKEY_VIEW_NOTE_ALL:
		return strcmp(s, "all") == 0;
	default:
		return 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t	 material[16] = { 1 };
	gkey_view_t		*v;
	gkey_view_stats_t	 st;
	gkey_view_epoch_t	 e;
	gkey_view_answer_t	 a;
	gkey_view_key_t		 k;
	gkey_view_note_t	 what;
	uint8_t			 fp[32];
	char			 in[IN_MAX + 1];
	uint64_t		 gen;
	int64_t			 id;

	if (size > IN_MAX)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';	/* a payload ends at its first NUL, as libpq's */

	if ((v = gkey_view_alloc(8, 300)) == NULL)
		abort();
	gkey_view_set_trusted(v, true);
	for (id = 1; id <= 4; id++) {
		memset(&e, 0, sizeof(e));
		e.app_id = (uint32_t)id;
		e.app_name = "a";
		e.gk_alg = "aes-128";
		e.epoch = 1;
		e.not_after = 1000;
		e.material = material;
		e.material_len = sizeof(material);
		memset(&a, 0, sizeof(a));
		a.id = id;
		a.status = a.status_reason = a.kind = "";
		a.spki = material;
		a.spki_len = sizeof(material);
		a.not_after = 1000;
		a.epochs = &e;
		a.n_epochs = 1;
		memset(fp, (int)id, sizeof(fp));
		gkey_view_key_fp(&k, fp);
		gen = 0;
		(void)gkey_view_get(v, &k, 10, NULL, &a, &gen);
		if (gkey_view_put(v, gen, &k, 10, 0, &a) != 1)
			abort();
	}

	what = gkey_view_notify(v, in);
	if (!has_form(in, what))
		abort();
	gkey_view_stats(v, &st);
	switch (what) {
	case GKEY_VIEW_NOTE_IDENTITY:
	case GKEY_VIEW_NOTE_APP:
	case GKEY_VIEW_NOTE_EPOCH:
		if (st.entries < 3)
			abort();
		break;
	default:
		if (st.entries != 0)
			abort();
	}
	gkey_view_free(v);
	return 0;
}

#ifdef GKEY_FUZZ_STANDALONE
#include "fuzz_standalone.h"
#endif
