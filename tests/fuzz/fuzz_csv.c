/* libFuzzer target: simdepth_csv_read() (CSV/TSV matrices) via a memfd. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    simdepth_error err;
    simdepth_matrix *m = NULL;
    int fd = fuzz_memfd_path(data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    if (simdepth_csv_read(path, &m, &err) == SIMDEPTH_OK) {
        (void)simdepth_matrix_rows(m);
        (void)simdepth_matrix_cols(m);
        simdepth_matrix_free(m);
    }
    close(fd);
    return 0;
}
