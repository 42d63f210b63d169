/*
 * fuzz_pushd.c - libFuzzer harness for what gkey-pushd parses itself
 * (pushd/pushd_core.c): the gkey_change payload, the Message-Authenticator
 * scan of an answer's raw octets, and the seconds of push-window.  The
 * first octet picks the parser; each result is checked against what it
 * must imply.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pushd_core.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t zero[16];
	uint32_t	app, epoch, ms;
	char		buf[64];
	size_t		len;

	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		if (pushd_parse_payload((const char *)data + 1, size - 1, &app,
		    &epoch)) {
			/* Only "epoch N E", N and E positive. */
			if (size - 1 < 9 || memcmp(data + 1, "epoch ", 6) != 0 ||
			    app == 0 || epoch == 0 || epoch > 2147483647U)
				abort();
		}
		break;
	case 1:
		if (pushd_has_one_ma(data + 1, size - 1)) {
			len = (size_t)data[3] << 8 | data[4];
			if (size - 1 < 38 || len > size - 1 || len < 38)
				abort();
		}
		break;
	case 3:
		/* Never reads beyond the datagram, whatever its Length says. */
		(void)pushd_answer_auth(data + 1, size - 1, zero, "secret");
		break;
	default:
		len = size - 1 < sizeof(buf) - 1 ? size - 1 : sizeof(buf) - 1;
		memcpy(buf, data + 1, len);
		buf[len] = '\0';
		if (pushd_parse_seconds_ms(buf, 3600000, &ms) == 0 &&
		    (ms > 3600000 || buf[0] < '0' || buf[0] > '9'))
			abort();
		break;
	}
	return 0;
}

#ifdef GKEY_FUZZ_STANDALONE
#include "fuzz_standalone.h"
#endif
