/* libFuzzer target: simdepth_taxonomy_parse() (custom taxonomy files), then
 * lookups of every node by id and name. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    simdepth_error err;
    simdepth_taxonomy *t = NULL;
    /* Exact-size copy, no NUL: the parser takes a length. */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    if (simdepth_taxonomy_parse(buf, size, "fuzz-input", &t, &err) == SIMDEPTH_OK) {
        size_t n = simdepth_taxonomy_size(t);
        for (size_t i = 0; i < n && i < 1024; i++) {
            size_t node;
            const char *id = simdepth_taxonomy_id(t, i);
            const char *name = simdepth_taxonomy_name(t, i);
            (void)simdepth_taxonomy_label(t, i);
            if (id)
                (void)simdepth_taxonomy_find_id(t, id, &node, &err);
            if (name)
                (void)simdepth_taxonomy_find_name(t, name, &node, &err);
        }
        simdepth_taxonomy_free(t);
    }
    free(buf);
    return 0;
}
