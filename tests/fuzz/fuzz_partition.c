/* libFuzzer target: simdepth_partition_read() via a memfd, for the six
 * classes n01 .. n06 (JSON reports and text files of cluster ids). */
#include "fuzz_common.h"

#include "simdepth/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const keys[] = {"n01", "n02", "n03", "n04", "n05", "n06"};
    static simdepth_labels *labels;
    char path[64];
    simdepth_error err;
    simdepth_partition *p = NULL, *c = NULL;
    int fd;

    if (labels == NULL && simdepth_labels_new(keys, 6, &labels, &err) != SIMDEPTH_OK)
        return 0;
    fd = fuzz_memfd_path(data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    if (simdepth_partition_read(path, labels, &p, size % 2 ? &c : NULL, &err) == SIMDEPTH_OK) {
        /* labels -1 .. n_clusters - 1, every cluster used */
        size_t i;
        for (i = 0; i < p->n; i++)
            if (p->labels[i] < -1 || p->labels[i] >= (int32_t)p->n_clusters)
                abort();
        simdepth_partition_free(p);
        simdepth_partition_free(c);
    }
    close(fd);
    return 0;
}
