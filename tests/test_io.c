/* placeholder, replaced below */
#include "config.h"
#include <CUnit/CUnit.h>
#include "tests.h"
int simdepth_test_add_io(void) { return CU_add_suite("io", NULL, NULL) ? 0 : -1; }
