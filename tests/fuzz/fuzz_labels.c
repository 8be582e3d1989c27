/* libFuzzer target: simdepth_labels_read() via a memfd. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    simdepth_error err;
    simdepth_labels *l = NULL;
    int fd = fuzz_memfd_path(data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    if (simdepth_labels_read(path, &l, &err) == SIMDEPTH_OK) {
        size_t n = simdepth_labels_count(l);
        for (size_t i = 0; i < n; i++) {
            const char *k = simdepth_labels_key(l, i);
            if (k)
                (void)strlen(k);
        }
        simdepth_labels_free(l);
    }
    close(fd);
    return 0;
}
