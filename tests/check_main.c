/*
 * check_main.c - see check_main.h.
 */
#include <stdlib.h>

#include "check_main.h"

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(check_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
