/* simdepth — private helpers shared by the library's modules. Not installed. */
#ifndef SIMDEPTH_INTERNAL_H
#define SIMDEPTH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "simdepth/error.h"

#if defined(__GNUC__)
#define SIMDEPTH_I_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SIMDEPTH_I_PRINTF(f, a)
#endif

/* Fill @err (if not NULL) and return @status, so callers can write
 * `return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, -1, ...)`.
 * line/column 0 and offset -1 mean "not applicable". */
simdepth_status simdepth_i_error_set(simdepth_error *err, simdepth_status status,
                                     const char *file, long line, long column,
                                     long long offset, const char *fmt, ...)
    SIMDEPTH_I_PRINTF(7, 8);

/* Allocation goes through these so that size overflow is checked in one
 * place. Each returns NULL on failure (including n * size overflow). */
void *simdepth_i_malloc(size_t size);
void *simdepth_i_calloc(size_t n, size_t size);
void *simdepth_i_malloc_array(size_t n, size_t size);
void *simdepth_i_realloc_array(void *p, size_t n, size_t size);
char *simdepth_i_strdup(const char *s);

#ifdef SIMDEPTH_FAULT_INJECTION
/* Failing-allocator test hook (./configure --enable-fault-injection only;
 * see alloc.c). Exported from such builds so that tests can drive it; not
 * part of the API and absent from release builds. Arm: the n-th allocation
 * through the wrappers above from now on fails (0 disarms). Count: the
 * allocations seen since arming. */
void simdepth_fault_alloc_arm(unsigned long n);
unsigned long simdepth_fault_alloc_count(void);
#endif

/* 1 if a * b would overflow size_t. */
static inline int simdepth_i_mul_overflows(size_t a, size_t b)
{
    return b != 0 && a > SIZE_MAX / b;
}

/* Shorthand for the out-of-memory error. */
simdepth_status simdepth_i_enomem(simdepth_error *err, const char *what);

/* Affinity propagation keeping its n x n buffers in @work between runs
 * (the analysis runs it up to three times on matrices of one size): the
 * message block and a converted copy of the similarities. Zero-initialise
 * @work; release it with simdepth_i_ap_work_free(). Otherwise as
 * simdepth_affinity_propagation(). */
typedef struct simdepth_i_ap_work {
    void *msgs;
    size_t msgs_bytes;
    void *copy;
    size_t copy_bytes;
} simdepth_i_ap_work;

struct simdepth_matrix;
struct simdepth_ap_options;
struct simdepth_partition;
simdepth_status simdepth_i_affinity_propagation(const struct simdepth_matrix *s,
                                                const struct simdepth_ap_options *opt,
                                                simdepth_i_ap_work *work,
                                                struct simdepth_partition **out,
                                                simdepth_error *err);
void simdepth_i_ap_work_free(simdepth_i_ap_work *work);

/* Scale every row of @t to unit L2 norm in place: the sum of squares in
 * double, each element multiplied by 1 / sqrt of it and rounded once to
 * the matrix's type, as the cosine similarity does. An all-zero or
 * non-finite row is SIMDEPTH_EINVAL naming it (line = row, 1-based). */
simdepth_status simdepth_i_normalise_rows(struct simdepth_matrix *t, simdepth_error *err);

/* simdepth_similarity_functional() written into @dst, an n x n matrix of
 * the confusion matrix's type (which may be storage the caller no longer
 * needs); no other n x n matrix is allocated. */
simdepth_status simdepth_i_similarity_functional_into(const struct simdepth_matrix *confusion,
                                                      struct simdepth_matrix *dst,
                                                      simdepth_error *err);

#endif
