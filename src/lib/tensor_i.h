/* simdepth — private interface between the tensor-file core (tensor.c)
 * and the per-format readers (io_npy.c, io_safetensors.c, io_pth.c). */
#ifndef SIMDEPTH_TENSOR_I_H
#define SIMDEPTH_TENSOR_I_H

#include <stddef.h>
#include <stdint.h>

#include "simdepth/tensor.h"

/* One tensor as a reader found it. @data points at element 0 (storage
 * offset already applied) inside a buffer owned by the file; @avail is the
 * number of bytes from @data to the end of that buffer, and every element
 * the shape and strides reach must lie inside it (checked by
 * simdepth_i_tensor_file_add). Strides are in elements. */
typedef struct simdepth_i_tensor {
    simdepth_tensor_info info;   /* info.name is owned (malloc'd) */
    const unsigned char *data;
    size_t avail;
    int64_t strides[SIMDEPTH_TENSOR_MAX_DIMS];
    int big_endian;
} simdepth_i_tensor;

struct simdepth_tensor_file {
    const char *format;          /* static string */
    char *path;
    size_t n, cap;
    simdepth_i_tensor *t;
    void **buffers;              /* owned memory the tensors point into */
    size_t n_buffers, cap_buffers;
};

/* Create an empty file object for @path with @format. */
simdepth_status simdepth_i_tensor_file_new(const char *path, const char *format,
                                           simdepth_tensor_file **out,
                                           simdepth_error *err);

/* Hand @buf (malloc'd) to @f, which frees it with the file. On failure the
 * buffer is freed too. */
simdepth_status simdepth_i_tensor_file_adopt(simdepth_tensor_file *f, void *buf,
                                             simdepth_error *err);

/* Append a tensor (name copied). Checks: ndim in 0..MAX, element count and
 * byte size without overflow, every reachable element inside
 * [data, data + avail), strides non-negative. Duplicate names are
 * checked once after the reader finishes. @strides
 * NULL means C-contiguous. */
simdepth_status simdepth_i_tensor_file_add(simdepth_tensor_file *f, const char *name,
                                           simdepth_tensor_dtype dtype, int ndim,
                                           const size_t *shape, const int64_t *strides,
                                           const unsigned char *data, size_t avail,
                                           int big_endian, simdepth_error *err);

/* Format readers: parse the whole file @buf (len bytes, already owned by
 * @f, so tensors may point into it) and add its tensors to @f. Any further
 * memory they create (decompressed zip entries) they adopt into @f. Errors
 * name f->path and the byte offset or the tensor concerned. */
simdepth_status simdepth_i_npy_parse(simdepth_tensor_file *f, unsigned char *buf,
                                     size_t len, simdepth_error *err);
simdepth_status simdepth_i_safetensors_parse(simdepth_tensor_file *f, unsigned char *buf,
                                             size_t len, simdepth_error *err);
simdepth_status simdepth_i_pth_zip_parse(simdepth_tensor_file *f, unsigned char *buf,
                                         size_t len, simdepth_error *err);
simdepth_status simdepth_i_pth_legacy_parse(simdepth_tensor_file *f, unsigned char *buf,
                                            size_t len, simdepth_error *err);

#endif
