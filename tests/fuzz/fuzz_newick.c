/* libFuzzer target: simdepth_newick_parse(), then
 * simdepth_newick_to_linkage() on the tree (leaf labels as indices). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    simdepth_error err;
    simdepth_newick_tree *t = NULL;
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    if (simdepth_newick_parse(buf, size, "fuzz-input", &t, &err) == SIMDEPTH_OK) {
        for (size_t i = 0; i < t->n_nodes; i++)
            if (t->nodes[i].name)
                (void)strlen(t->nodes[i].name);
        simdepth_matrix *Z = NULL;
        if (simdepth_newick_to_linkage(t, NULL, t->n_leaves, &Z, &err) == SIMDEPTH_OK)
            simdepth_matrix_free(Z);
        simdepth_newick_tree_free(t);
    }
    free(buf);
    return 0;
}
