/* simdepth — tensor files: .npy, .safetensors and PyTorch checkpoints.
 *
 * A tensor file is opened once, treated as hostile input, and lists its
 * tensors (name, element type, shape). Any 1-D or 2-D tensor can then be
 * read as a simdepth_matrix; the classifier's weight matrix can be picked
 * automatically.
 */
#ifndef SIMDEPTH_TENSOR_H
#define SIMDEPTH_TENSOR_H

#include <stddef.h>

#include "simdepth/error.h"
#include "simdepth/matrix.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Element types found in tensor files. @since 0.1 */
typedef enum simdepth_tensor_dtype {
    SIMDEPTH_TENSOR_F16 = 1,
    SIMDEPTH_TENSOR_BF16,
    SIMDEPTH_TENSOR_F32,
    SIMDEPTH_TENSOR_F64,
    SIMDEPTH_TENSOR_I8,
    SIMDEPTH_TENSOR_U8,
    SIMDEPTH_TENSOR_I16,
    SIMDEPTH_TENSOR_I32,
    SIMDEPTH_TENSOR_I64,
    SIMDEPTH_TENSOR_BOOL,
    SIMDEPTH_TENSOR_U16,
    SIMDEPTH_TENSOR_U32,
    SIMDEPTH_TENSOR_U64
} simdepth_tensor_dtype;

/** Largest number of dimensions a tensor may have. @since 0.1 */
#define SIMDEPTH_TENSOR_MAX_DIMS 8

/** What a file says about one tensor. Owned by the tensor file.
 *  @since 0.1 */
typedef struct simdepth_tensor_info {
    const char *name;                       /**< "" for a bare .npy array */
    simdepth_tensor_dtype dtype;
    int ndim;
    size_t shape[SIMDEPTH_TENSOR_MAX_DIMS];
    size_t nbytes;                          /**< elements * element size */
} simdepth_tensor_info;

/** An opaque, read-only set of tensors. @since 0.1 */
typedef struct simdepth_tensor_file simdepth_tensor_file;

/** Open @p path, recognising the format by its content: NumPy .npy
 *  ("\x93NUMPY"), safetensors (8-byte header length + JSON), a PyTorch
 *  zip checkpoint ("PK\x03\x04"), or a legacy PyTorch checkpoint (a pickle
 *  starting with the torch magic number). Pickles are decoded by a
 *  restricted unpickler that executes nothing (see simdepth-analyze(1)).
 *  @return SIMDEPTH_OK, SIMDEPTH_EIO, SIMDEPTH_EFORMAT (what and where),
 *  SIMDEPTH_EUNSUPPORTED (e.g. a refused pickle global, named),
 *  SIMDEPTH_ENOMEM. On failure *out is untouched. @since 0.1 */
simdepth_status simdepth_tensor_file_open(const char *path,
                                          simdepth_tensor_file **out,
                                          simdepth_error *err);

/** Release @p f. Accepts NULL. @since 0.1 */
void simdepth_tensor_file_free(simdepth_tensor_file *f);

/** "npy", "safetensors", "pytorch-zip" or "pytorch-legacy". @since 0.1 */
const char *simdepth_tensor_file_format(const simdepth_tensor_file *f);

/** Number of tensors. @since 0.1 */
size_t simdepth_tensor_file_count(const simdepth_tensor_file *f);

/** Tensor @p i (i < count), in the file's order. @since 0.1 */
const simdepth_tensor_info *simdepth_tensor_file_info(const simdepth_tensor_file *f,
                                                      size_t i);

/** Index of the tensor named @p name; a "module." prefix in the file is
 *  ignored when the exact name is absent. SIMDEPTH_ENOTFOUND otherwise.
 *  @since 0.1 */
simdepth_status simdepth_tensor_file_find(const simdepth_tensor_file *f,
                                          const char *name, size_t *index,
                                          simdepth_error *err);

/** Read tensor @p i as a matrix: 2-D tensors as they are, 1-D tensors as a
 *  single row. float16/bfloat16/float32 become float32, float64 and the
 *  integer types float64. Strided and offset views are honoured.
 *  SIMDEPTH_EUNSUPPORTED for other ranks. On failure *out is untouched.
 *  @since 0.1 */
simdepth_status simdepth_tensor_file_read(const simdepth_tensor_file *f,
                                          size_t i, simdepth_matrix **out,
                                          simdepth_error *err);

/** Choose the classifier's weight matrix: first a tensor with a name that
 *  common model families use (fc.weight, classifier.weight,
 *  classifier.N.weight, head.weight, head.fc.weight, heads.head.weight,
 *  linear.weight, output.weight, ..., with or without "module."), of rank
 *  2 and, when @p n_classes is not 0, with that many rows; else the unique
 *  2-D tensor with @p n_classes rows (bias vectors are 1-D and never
 *  chosen). A .npy file's single array is always chosen. When the choice is
 *  ambiguous or empty returns SIMDEPTH_ENOTFOUND with the candidates listed
 *  in the message. @p why (may be NULL) receives a short reason.
 *  @since 0.1 */
simdepth_status simdepth_tensor_file_pick(const simdepth_tensor_file *f,
                                          size_t n_classes, size_t *index,
                                          char *why, size_t why_size,
                                          simdepth_error *err);

/** Name of a dtype: "F16", "BF16", "F32", ... @since 0.1 */
const char *simdepth_tensor_dtype_name(simdepth_tensor_dtype dtype);

/** Size of one element in bytes. @since 0.1 */
size_t simdepth_tensor_dtype_size(simdepth_tensor_dtype dtype);

#ifdef __cplusplus
}
#endif
#endif
