/* simdepth — reading numeric matrices from files. */
#ifndef SIMDEPTH_IO_H
#define SIMDEPTH_IO_H

#include <stdio.h>

#include "simdepth/error.h"
#include "simdepth/matrix.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Read a NumPy .npy file holding a 2-D array as a matrix: format
 *  version 1.0, 2.0 or 3.0; dtype f2, f4, f8, i1, i2, i4, i8, u1 or b1 in
 *  either byte order ('<', '>'; '|' and '=' are read as little-endian); C
 *  or Fortran order. float16 and float32 give a float32 matrix, float64 and
 *  the integer and bool types a float64 one (integers beyond 2^53 round).
 *  Only .npy content is accepted, whatever the file's name; use
 *  simdepth_tensor_file_open() for other tensor files and ranks. Values
 *  are not checked for finiteness (see simdepth_matrix_check_finite()).
 *  @return SIMDEPTH_OK, SIMDEPTH_EIO, SIMDEPTH_EFORMAT (message with file
 *  and byte offset), SIMDEPTH_EUNSUPPORTED (another dtype, e.g. an object
 *  array, which would need pickle; an array that is not 2-D: "expected a
 *  2-D matrix"), SIMDEPTH_ENOMEM. On failure *out is untouched. @since 0.1 */
simdepth_status simdepth_npy_read(const char *path, simdepth_matrix **out,
                                  simdepth_error *err);

/** Write @p m as a version 1.0 .npy file ('<f4' or '<f8', C order).
 *  @since 0.1 */
simdepth_status simdepth_npy_write(const char *path, const simdepth_matrix *m,
                                   simdepth_error *err);

/** Write @p m as a version 1.0 .npy stream to @p f (not closed).
 *  @return SIMDEPTH_OK or SIMDEPTH_EIO. @since 0.1 */
simdepth_status simdepth_npy_fwrite(FILE *f, const simdepth_matrix *m,
                                    simdepth_error *err);

/** Read a numeric CSV/TSV matrix into float64: delimiter ',' , tab, ';' or
 *  whitespace, detected from the first data line; lines starting with '#'
 *  and blank lines are skipped; an optional header row of non-numeric
 *  fields is skipped; CRLF accepted. Every row must have the same number of
 *  fields. @return SIMDEPTH_OK, SIMDEPTH_EIO, SIMDEPTH_EFORMAT (file, line,
 *  field), SIMDEPTH_ENOMEM. On failure *out is untouched. @since 0.1 */
simdepth_status simdepth_csv_read(const char *path, simdepth_matrix **out,
                                  simdepth_error *err);

/** Read a matrix, choosing the reader by the file name's extension: ".npy"
 *  for NumPy, anything else as CSV/TSV. @since 0.1 */
simdepth_status simdepth_matrix_read(const char *path, simdepth_matrix **out,
                                     simdepth_error *err);

#ifdef __cplusplus
}
#endif
#endif
