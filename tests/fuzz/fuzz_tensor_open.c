/* libFuzzer target: the public simdepth_tensor_file_open() on a memfd, i.e.
 * format sniffing + every reader + the duplicate-name check, then every
 * read path. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    simdepth_error err;
    simdepth_tensor_file *f = NULL;
    int fd = fuzz_memfd_path(data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    if (simdepth_tensor_file_open(path, &f, &err) == SIMDEPTH_OK) {
        fuzz_exercise_tensor_file(f);
        simdepth_tensor_file_free(f);
    }
    close(fd);
    return 0;
}
