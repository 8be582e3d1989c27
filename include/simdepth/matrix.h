/* simdepth — dense row-major matrices of float32 or float64. */
#ifndef SIMDEPTH_MATRIX_H
#define SIMDEPTH_MATRIX_H

#include <stddef.h>

#include "simdepth/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Element type of a matrix. @since 0.1 */
typedef enum simdepth_dtype {
    SIMDEPTH_F32 = 1,
    SIMDEPTH_F64 = 2
} simdepth_dtype;

/** An opaque dense row-major matrix. @since 0.1 */
typedef struct simdepth_matrix simdepth_matrix;

/** Allocate a zero-filled @p rows x @p cols matrix.
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (bad dtype), SIMDEPTH_ENOMEM
 *  (including rows*cols*size overflow). On failure *out is untouched.
 *  Free with simdepth_matrix_free(). @since 0.1 */
simdepth_status simdepth_matrix_new(size_t rows, size_t cols,
                                    simdepth_dtype dtype,
                                    simdepth_matrix **out,
                                    simdepth_error *err);

/** Release @p m. Accepts NULL. @since 0.1 */
void simdepth_matrix_free(simdepth_matrix *m);

/** Number of rows. @since 0.1 */
size_t simdepth_matrix_rows(const simdepth_matrix *m);
/** Number of columns. @since 0.1 */
size_t simdepth_matrix_cols(const simdepth_matrix *m);
/** Element type. @since 0.1 */
simdepth_dtype simdepth_matrix_dtype(const simdepth_matrix *m);

/** The row-major element buffer (float or double according to the dtype),
 *  owned by @p m. @since 0.1 */
void *simdepth_matrix_data(simdepth_matrix *m);
/** Read-only view of the element buffer. @since 0.1 */
const void *simdepth_matrix_cdata(const simdepth_matrix *m);

/** Element (i, j) as double; no bounds check beyond an assertion-free
 *  contract: the caller keeps i < rows and j < cols. @since 0.1 */
double simdepth_matrix_get(const simdepth_matrix *m, size_t i, size_t j);
/** Store @p v at (i, j), rounding to float for float32 matrices. @since 0.1 */
void simdepth_matrix_set(simdepth_matrix *m, size_t i, size_t j, double v);

/** A copy of @p m converted to @p dtype (exact for float32 -> float64).
 *  On failure *out is untouched. @since 0.1 */
simdepth_status simdepth_matrix_convert(const simdepth_matrix *m,
                                        simdepth_dtype dtype,
                                        simdepth_matrix **out,
                                        simdepth_error *err);

/** Check that every element is finite. On the first NaN or infinity returns
 *  SIMDEPTH_EFORMAT with @p name (usually the file) and the 1-based row and
 *  column in @p err. @since 0.1 */
simdepth_status simdepth_matrix_check_finite(const simdepth_matrix *m,
                                             const char *name,
                                             simdepth_error *err);

#ifdef __cplusplus
}
#endif
#endif
