/* libFuzzer target: the pytorch-legacy reader (simdepth_i_pth_legacy_parse) on an
 * in-memory buffer, then every read path on the tensors it found. */
#include "fuzz_common.h"
#include "tensor_i.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    simdepth_error err;
    simdepth_tensor_file *f = NULL;
    /* The reader may keep pointers into the buffer: give it an owned copy
     * of exactly @size bytes so ASan catches any read past the end. */
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    if (simdepth_i_tensor_file_new("fuzz-input", "pytorch-legacy", &f, &err) != SIMDEPTH_OK) {
        free(buf);
        return 0;
    }
    if (simdepth_i_tensor_file_adopt(f, buf, &err) != SIMDEPTH_OK) {
        simdepth_tensor_file_free(f);
        return 0;
    }
    if (simdepth_i_pth_legacy_parse(f, buf, size, &err) == SIMDEPTH_OK)
        fuzz_exercise_tensor_file(f);
    simdepth_tensor_file_free(f);
    return 0;
}
