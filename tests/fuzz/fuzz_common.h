/* simdepth fuzzing — helpers shared by the libFuzzer targets.
 * Not part of the library; compiled only into the fuzzers (see README.md). */
#ifndef SIMDEPTH_FUZZ_COMMON_H
#define SIMDEPTH_FUZZ_COMMON_H

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "simdepth/simdepth.h"
#include "simdepth/tensor.h"
#include "simdepth/matrix.h"

/* Largest matrix the harness asks simdepth_tensor_file_read to build.
 * A tensor with stride 0 may legally describe far more elements than the
 * input holds; materialising it is bounded by the caller's memory, not a
 * memory-safety bug, so the harness skips it to keep libFuzzer's RSS limit
 * meaningful. */
#define FUZZ_MAX_READ_ELEMS ((size_t)1 << 22)

/* Write @data to an anonymous memory file and return a path naming it
 * (/proc/self/fd/N) in @path; returns the fd (close it after use) or -1. */
static inline int fuzz_memfd_path(const uint8_t *data, size_t size, char *path,
                                  size_t path_size)
{
    int fd = memfd_create("simdepth-fuzz", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    snprintf(path, path_size, "/proc/self/fd/%d", fd);
    return fd;
}

/* After a successful parse: walk every tensor, read each 1-D/2-D one,
 * find it by name, and let the classifier picker choose. */
static inline void fuzz_exercise_tensor_file(simdepth_tensor_file *f)
{
    simdepth_error err;
    size_t n = simdepth_tensor_file_count(f);
    (void)simdepth_tensor_file_format(f);
    for (size_t i = 0; i < n; i++) {
        const simdepth_tensor_info *info = simdepth_tensor_file_info(f, i);
        if (!info)
            continue;
        (void)simdepth_tensor_dtype_name(info->dtype);
        (void)simdepth_tensor_dtype_size(info->dtype);
        size_t idx;
        if (info->name)
            (void)simdepth_tensor_file_find(f, info->name, &idx, &err);
        if (info->ndim < 1 || info->ndim > 2)
            continue;
        size_t elems = info->shape[0];
        if (info->ndim == 2) {
            if (info->shape[1] != 0 && elems > FUZZ_MAX_READ_ELEMS / info->shape[1])
                continue;
            elems *= info->shape[1];
        }
        if (elems > FUZZ_MAX_READ_ELEMS)
            continue;
        simdepth_matrix *m = NULL;
        if (simdepth_tensor_file_read(f, i, &m, &err) == SIMDEPTH_OK)
            simdepth_matrix_free(m);
    }
    char why[256];
    size_t pick;
    (void)simdepth_tensor_file_pick(f, 0, &pick, why, sizeof why, &err);
    if (n > 0) {
        const simdepth_tensor_info *info = simdepth_tensor_file_info(f, 0);
        if (info && info->ndim >= 1)
            (void)simdepth_tensor_file_pick(f, info->shape[0], &pick, why,
                                            sizeof why, &err);
    }
}

#endif
