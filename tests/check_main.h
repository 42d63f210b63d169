/*
 * check_main.h - the one main() of gkey's Check unit tests.
 *
 * Each test program defines check_suite(), which builds its Suite (the
 * caller frees it with the runner); check_main.c runs it and exits
 * non-zero if any test failed.  Set-up shared by a whole test case, such
 * as files written once, belongs in an unchecked fixture of that case.
 */
#ifndef GKEY_CHECK_MAIN_H
#define GKEY_CHECK_MAIN_H

#include <check.h>

Suite	*check_suite(void);

#endif /* GKEY_CHECK_MAIN_H */
