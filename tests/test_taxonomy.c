#include "config.h"
#include <CUnit/CUnit.h>
#include "tests.h"
int simdepth_test_add_taxonomy(void) { return CU_add_suite("taxonomy", NULL, NULL) ? 0 : -1; }
