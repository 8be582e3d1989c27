/* simdepth — class similarity matrices. */
#ifndef SIMDEPTH_SIMILARITY_H
#define SIMDEPTH_SIMILARITY_H

#include "simdepth/error.h"
#include "simdepth/matrix.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Cosine similarity of the rows of @p templates (C x D, one class template
 *  per row): a C x C matrix of the same element type. Computed as one
 *  symmetric rank-D update (cblas ?syrk) on the row-normalised templates, so
 *  the result is exactly symmetric; the diagonal is whatever the arithmetic
 *  gives (1 up to rounding). O(C^2 D) time, one C x C and one C x D buffer.
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (an all-zero template row, named by
 *  index; or an empty matrix), SIMDEPTH_ENOMEM. On failure *out is
 *  untouched. @since 0.1 */
simdepth_status simdepth_similarity_cosine(const simdepth_matrix *templates,
                                           simdepth_matrix **out,
                                           simdepth_error *err);

/** As simdepth_similarity_cosine(), but normalises the rows of
 *  @p templates in place (the caller's matrix is modified, also on
 *  failure) instead of in a C x D copy: for a caller that no longer needs
 *  the templates. The result is identical. @since 0.2 */
simdepth_status simdepth_similarity_cosine_inplace(simdepth_matrix *templates,
                                                   simdepth_matrix **out,
                                                   simdepth_error *err);

/** The paper's scaling, in place: (S - min) / (max - min) over the whole
 *  matrix, diagonal included, in the matrix's own precision (float32
 *  arithmetic for float32 matrices, as the reference code's NumPy does);
 *  then the diagonal is set to 1. SIMDEPTH_EINVAL if the matrix is not
 *  square or constant. @since 0.1 */
simdepth_status simdepth_similarity_minmax(simdepth_matrix *s,
                                           simdepth_error *err);

/** Set every diagonal element of the square matrix @p s to @p value.
 *  @since 0.1 */
void simdepth_similarity_set_diagonal(simdepth_matrix *s, double value);

/** The functional similarity of a confusion matrix (rows = true class,
 *  columns = predicted): each row that holds counts is divided by its sum
 *  (rows whose sum is already 1 within 1e-6 are left untouched, since
 *  renormalising changes last bits and flips ties; all-zero rows stay
 *  zero), then (M + M^T) / 2, then the diagonal is set to 1; no scaling.
 *  The result has the input's element type. SIMDEPTH_EINVAL if not square
 *  or a value is negative (named by row and column). @since 0.1 */
simdepth_status simdepth_similarity_functional(const simdepth_matrix *confusion,
                                               simdepth_matrix **out,
                                               simdepth_error *err);

/** Observed misclassification rate of true class @p a predicted as @p b:
 *  confusion[a][b] / sum of row a (0 when the row is empty). @since 0.1 */
double simdepth_confusion_rate(const simdepth_matrix *confusion, size_t a,
                               size_t b);

#ifdef __cplusplus
}
#endif
#endif
