/* simdepth — CUnit test runner. Usage: runner [SUITE...] runs the named
 * suites (all when none is named). */
#include "config.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#include "tests.h"

typedef struct suite_entry {
    const char *name;
    int (*add)(void);
} suite_entry;

static const suite_entry suites[] = {
    {"matrix", simdepth_test_add_matrix},
    {"io", simdepth_test_add_io},
    {"npy", simdepth_test_add_npy},
    {"safetensors", simdepth_test_add_safetensors},
    {"pth", simdepth_test_add_pth},
    {"similarity", simdepth_test_add_similarity},
    {"affinity", simdepth_test_add_affinity},
    {"taxonomy", simdepth_test_add_taxonomy},
    {"forest", simdepth_test_add_forest},
    {"linkage", simdepth_test_add_linkage},
    {"cluster", simdepth_test_add_cluster},
    {"metrics", simdepth_test_add_metrics},
    {"pipeline", simdepth_test_add_pipeline},
    {"render", simdepth_test_add_render},
    {"wnmap", simdepth_test_add_wnmap},
    {"custom_taxonomy", simdepth_test_add_custom_taxonomy},
    {"compare", simdepth_test_add_compare},
    {"manifest", simdepth_test_add_manifest},
    {"alloc", simdepth_test_add_alloc},
    {"render_diff", simdepth_test_add_render_diff},
    {"fuzz_regress", simdepth_test_add_fuzz_regress},
};

int main(int argc, char **argv)
{
    size_t i;
    int j, failures;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 99;
    for (i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        int wanted = argc < 2;
        for (j = 1; j < argc; j++)
            wanted |= strcmp(argv[j], suites[i].name) == 0;
        if (wanted && suites[i].add() != 0) {
            fprintf(stderr, "cannot register suite %s: %s\n", suites[i].name,
                    CU_get_error_msg());
            CU_cleanup_registry();
            return 99;
        }
    }
    for (j = 1; j < argc; j++) {
        int known = 0;
        for (i = 0; i < sizeof suites / sizeof suites[0]; i++)
            known |= strcmp(argv[j], suites[i].name) == 0;
        if (!known) {
            fprintf(stderr, "unknown suite '%s'\n", argv[j]);
            CU_cleanup_registry();
            return 99;
        }
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = (int)(CU_get_number_of_failures() + CU_get_number_of_suites_failed());
    CU_cleanup_registry();
    return failures == 0 ? 0 : 1;
}
