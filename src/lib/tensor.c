/* simdepth — tensor files: the format-independent core. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/tensor.h"
#include "internal.h"
#include "tensor_i.h"
#include "textio.h"

/* Checkpoints up to 64 GiB are read whole. */
#define TENSOR_MAX_FILE ((size_t)64 << 30)

const char *simdepth_tensor_dtype_name(simdepth_tensor_dtype dtype)
{
    switch (dtype) {
    case SIMDEPTH_TENSOR_F16: return "F16";
    case SIMDEPTH_TENSOR_BF16: return "BF16";
    case SIMDEPTH_TENSOR_F32: return "F32";
    case SIMDEPTH_TENSOR_F64: return "F64";
    case SIMDEPTH_TENSOR_I8: return "I8";
    case SIMDEPTH_TENSOR_U8: return "U8";
    case SIMDEPTH_TENSOR_I16: return "I16";
    case SIMDEPTH_TENSOR_I32: return "I32";
    case SIMDEPTH_TENSOR_I64: return "I64";
    case SIMDEPTH_TENSOR_BOOL: return "BOOL";
    case SIMDEPTH_TENSOR_U16: return "U16";
    case SIMDEPTH_TENSOR_U32: return "U32";
    case SIMDEPTH_TENSOR_U64: return "U64";
    }
    return "?";
}

size_t simdepth_tensor_dtype_size(simdepth_tensor_dtype dtype)
{
    switch (dtype) {
    case SIMDEPTH_TENSOR_I8:
    case SIMDEPTH_TENSOR_U8:
    case SIMDEPTH_TENSOR_BOOL: return 1;
    case SIMDEPTH_TENSOR_F16:
    case SIMDEPTH_TENSOR_BF16:
    case SIMDEPTH_TENSOR_I16:
    case SIMDEPTH_TENSOR_U16: return 2;
    case SIMDEPTH_TENSOR_F32:
    case SIMDEPTH_TENSOR_I32:
    case SIMDEPTH_TENSOR_U32: return 4;
    case SIMDEPTH_TENSOR_F64:
    case SIMDEPTH_TENSOR_I64:
    case SIMDEPTH_TENSOR_U64: return 8;
    }
    return 0;
}

simdepth_status simdepth_i_tensor_file_new(const char *path, const char *format,
                                           simdepth_tensor_file **out,
                                           simdepth_error *err)
{
    simdepth_tensor_file *f = simdepth_i_calloc(1, sizeof *f);

    if (f == NULL)
        return simdepth_i_enomem(err, "a tensor file");
    f->path = simdepth_i_strdup(path ? path : "");
    if (f->path == NULL) {
        free(f);
        return simdepth_i_enomem(err, "a tensor file");
    }
    f->format = format;
    *out = f;
    return SIMDEPTH_OK;
}

void simdepth_tensor_file_free(simdepth_tensor_file *f)
{
    size_t i;

    if (f == NULL)
        return;
    for (i = 0; i < f->n; i++)
        free((char *)f->t[i].info.name);
    for (i = 0; i < f->n_buffers; i++)
        free(f->buffers[i]);
    free(f->t);
    free(f->buffers);
    free(f->path);
    free(f);
}

simdepth_status simdepth_i_tensor_file_adopt(simdepth_tensor_file *f, void *buf,
                                             simdepth_error *err)
{
    if (f->n_buffers == f->cap_buffers) {
        size_t cap = f->cap_buffers ? 2 * f->cap_buffers : 4;
        void **b = simdepth_i_realloc_array(f->buffers, cap, sizeof *b);
        if (b == NULL) {
            free(buf);
            return simdepth_i_enomem(err, "tensor buffers");
        }
        f->buffers = b;
        f->cap_buffers = cap;
    }
    f->buffers[f->n_buffers++] = buf;
    return SIMDEPTH_OK;
}

simdepth_status simdepth_i_tensor_file_add(simdepth_tensor_file *f, const char *name,
                                           simdepth_tensor_dtype dtype, int ndim,
                                           const size_t *shape, const int64_t *strides,
                                           const unsigned char *data, size_t avail,
                                           int big_endian, simdepth_error *err)
{
    simdepth_i_tensor t;
    size_t count = 1, es = simdepth_tensor_dtype_size(dtype), reach = 0;
    int k;

    memset(&t, 0, sizeof t);
    if (es == 0)
        return simdepth_i_error_set(err, SIMDEPTH_EUNSUPPORTED, f->path, 0, 0, -1,
                                    "tensor '%s' has an unknown element type", name);
    if (ndim < 0 || ndim > SIMDEPTH_TENSOR_MAX_DIMS)
        return simdepth_i_error_set(err, SIMDEPTH_EUNSUPPORTED, f->path, 0, 0, -1,
                                    "tensor '%s' has %d dimensions; at most %d are supported",
                                    name, ndim, SIMDEPTH_TENSOR_MAX_DIMS);
    for (k = 0; k < ndim; k++) {
        if (simdepth_i_mul_overflows(count, shape[k]))
            return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, f->path, 0, 0, -1,
                                        "tensor '%s': shape overflows the address space", name);
        count *= shape[k];
    }
    if (simdepth_i_mul_overflows(count, es))
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, f->path, 0, 0, -1,
                                    "tensor '%s': size overflows the address space", name);
    /* Highest element offset reachable through shape and strides. */
    for (k = 0; k < ndim && count > 0; k++) {
        int64_t st = strides ? strides[k] : 0;
        size_t span;
        if (strides == NULL) {
            size_t c = 1;
            int j;
            for (j = k + 1; j < ndim; j++)
                c *= shape[j];
            st = (int64_t)c;
        }
        if (st < 0)
            return simdepth_i_error_set(err, SIMDEPTH_EUNSUPPORTED, f->path, 0, 0, -1,
                                        "tensor '%s' has a negative stride", name);
        t.strides[k] = st;
        if (simdepth_i_mul_overflows(shape[k] - 1, (size_t)st))
            return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, f->path, 0, 0, -1,
                                        "tensor '%s': strides overflow the address space", name);
        span = (shape[k] - 1) * (size_t)st;
        if (reach > SIZE_MAX - span)
            return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, f->path, 0, 0, -1,
                                        "tensor '%s': strides overflow the address space", name);
        reach += span;
    }
    /* An empty tensor still may not declare absurd dimensions (a loop over
     * 2^64 - 1 empty rows never ends). */
    if (count == 0)
        for (k = 0; k < ndim; k++)
            if (shape[k] > ((size_t)1 << 32))
                return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, f->path, 0, 0, -1,
                                            "tensor '%s' has no elements but a dimension of %zu",
                                            name, shape[k]);
    if (count > 0 && (reach >= SIZE_MAX / es || (reach + 1) * es > avail))
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, f->path, 0, 0, -1,
                                    "tensor '%s' needs %zu bytes of storage but only %zu are there",
                                    name, (reach + 1) * es, avail);
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 16;
        simdepth_i_tensor *nt = simdepth_i_realloc_array(f->t, cap, sizeof *nt);
        if (nt == NULL)
            return simdepth_i_enomem(err, "the tensor list");
        f->t = nt;
        f->cap = cap;
    }
    t.info.name = simdepth_i_strdup(name);
    if (t.info.name == NULL)
        return simdepth_i_enomem(err, "a tensor name");
    t.info.dtype = dtype;
    t.info.ndim = ndim;
    for (k = 0; k < ndim; k++)
        t.info.shape[k] = shape[k];
    t.info.nbytes = count * es;
    t.data = data;
    t.avail = avail;
    t.big_endian = big_endian;
    f->t[f->n++] = t;
    return SIMDEPTH_OK;
}

/* ---- public queries ---- */

const char *simdepth_tensor_file_format(const simdepth_tensor_file *f)
{
    return f->format;
}

size_t simdepth_tensor_file_count(const simdepth_tensor_file *f)
{
    return f->n;
}

const simdepth_tensor_info *simdepth_tensor_file_info(const simdepth_tensor_file *f, size_t i)
{
    return i < f->n ? &f->t[i].info : NULL;
}

simdepth_status simdepth_tensor_file_find(const simdepth_tensor_file *f, const char *name,
                                          size_t *index, simdepth_error *err)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        if (strcmp(f->t[i].info.name, name) == 0) {
            *index = i;
            return SIMDEPTH_OK;
        }
    for (i = 0; i < f->n; i++)
        if (strncmp(f->t[i].info.name, "module.", 7) == 0 &&
            strcmp(f->t[i].info.name + 7, name) == 0) {
            *index = i;
            return SIMDEPTH_OK;
        }
    return simdepth_i_error_set(err, SIMDEPTH_ENOTFOUND, f->path, 0, 0, -1,
                                "no tensor named '%s' (run 'simdepth inspect' to list them)",
                                name);
}

/* ---- element decoding ---- */

static uint64_t load_bytes(const unsigned char *p, size_t n, int big_endian)
{
    uint64_t v = 0;
    size_t i;

    for (i = 0; i < n; i++)
        v |= (uint64_t)p[big_endian ? n - 1 - i : i] << (8 * i);
    return v;
}

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    float f;

    if (exp == 0) {
        /* zero or subnormal: man * 2^-24 */
        f = ldexpf((float)man, -24);
        return sign ? -f : f;
    }
    if (exp == 31)
        bits = sign | 0x7f800000u | (man << 13);
    else
        bits = sign | ((exp + 112) << 23) | (man << 13);
    memcpy(&f, &bits, 4);
    return f;
}

static double element(const simdepth_i_tensor *t, size_t off)
{
    size_t es = simdepth_tensor_dtype_size(t->info.dtype);
    uint64_t v = load_bytes(t->data + off * es, es, t->big_endian);
    float f;
    double d;
    uint32_t b32;

    switch (t->info.dtype) {
    case SIMDEPTH_TENSOR_F16: return half_to_float((uint16_t)v);
    case SIMDEPTH_TENSOR_BF16:
        b32 = (uint32_t)v << 16;
        memcpy(&f, &b32, 4);
        return f;
    case SIMDEPTH_TENSOR_F32:
        b32 = (uint32_t)v;
        memcpy(&f, &b32, 4);
        return f;
    case SIMDEPTH_TENSOR_F64:
        memcpy(&d, &v, 8);
        return d;
    case SIMDEPTH_TENSOR_I8: return (double)(int8_t)v;
    case SIMDEPTH_TENSOR_U8:
    case SIMDEPTH_TENSOR_BOOL: return (double)(uint8_t)v;
    case SIMDEPTH_TENSOR_I16: return (double)(int16_t)v;
    case SIMDEPTH_TENSOR_I32: return (double)(int32_t)v;
    case SIMDEPTH_TENSOR_I64: return (double)(int64_t)v;
    case SIMDEPTH_TENSOR_U16:
    case SIMDEPTH_TENSOR_U32:
    case SIMDEPTH_TENSOR_U64: return (double)v;
    }
    return NAN;
}

/* 1 if the tensor's bytes are a row-major rows x cols array of the
 * matrix's own type in this machine's byte order: float32 into float32 or
 * float64 into float64, rows back to back. */
static int contiguous_native(const simdepth_i_tensor *t, simdepth_dtype dt, size_t rows,
                             size_t cols, int64_t rs, int64_t cs)
{
    const uint16_t one = 1;
    int little = *(const unsigned char *)&one == 1;

    if (t->big_endian == little)
        return 0;
    if (!((dt == SIMDEPTH_F32 && t->info.dtype == SIMDEPTH_TENSOR_F32) ||
          (dt == SIMDEPTH_F64 && t->info.dtype == SIMDEPTH_TENSOR_F64)))
        return 0;
    if (cs != 1 || (rows > 1 && rs != (int64_t)cols))
        return 0;
    return rows * cols * simdepth_tensor_dtype_size(t->info.dtype) <= t->avail;
}

simdepth_status simdepth_tensor_file_read(const simdepth_tensor_file *f, size_t i,
                                          simdepth_matrix **out, simdepth_error *err)
{
    const simdepth_i_tensor *t;
    simdepth_matrix *m = NULL;
    size_t rows, cols, r, c;
    int64_t rs, cs;
    simdepth_dtype dt;
    simdepth_status st;

    if (i >= f->n)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, f->path, 0, 0, -1,
                                    "tensor index %zu out of range", i);
    t = &f->t[i];
    if (t->info.ndim == 2) {
        rows = t->info.shape[0];
        cols = t->info.shape[1];
        rs = t->strides[0];
        cs = t->strides[1];
    } else if (t->info.ndim == 1) {
        rows = 1;
        cols = t->info.shape[0];
        rs = 0;
        cs = t->strides[0];
    } else {
        return simdepth_i_error_set(err, SIMDEPTH_EUNSUPPORTED, f->path, 0, 0, -1,
                                    "tensor '%s' has %d dimensions; expected a 2-D matrix",
                                    t->info.name, t->info.ndim);
    }
    dt = (t->info.dtype == SIMDEPTH_TENSOR_F16 || t->info.dtype == SIMDEPTH_TENSOR_BF16 ||
          t->info.dtype == SIMDEPTH_TENSOR_F32)
             ? SIMDEPTH_F32
             : SIMDEPTH_F64;
    /* Strides of 0 (torch's expand) let a few stored elements describe a
     * huge tensor. Materialising one is an allocation the file does not
     * justify: beyond 2^28 elements, refuse a tensor with more elements
     * than its storage holds. */
    {
        size_t es = simdepth_tensor_dtype_size(t->info.dtype);
        size_t stored = es ? t->avail / es : 0;

        if ((simdepth_i_mul_overflows(rows, cols) || rows * cols > ((size_t)1 << 28)) &&
            (simdepth_i_mul_overflows(rows, cols) || rows * cols > stored))
            return simdepth_i_error_set(
                err, SIMDEPTH_EUNSUPPORTED, f->path, 0, 0, -1,
                "tensor '%s' is %zu x %zu but its storage holds only %zu elements "
                "(repeated through strides); refusing to expand it", t->info.name, rows,
                cols, stored);
    }
    st = simdepth_matrix_new(rows, cols, dt, &m, err);
    if (st != SIMDEPTH_OK)
        return st;
    if (rows == 0 || cols == 0) {
        *out = m;
        return SIMDEPTH_OK;
    }
    if (contiguous_native(t, dt, rows, cols, rs, cs)) {
        /* Stored as the matrix holds it: one copy, no decoding. */
        memcpy(simdepth_matrix_data(m), t->data,
               rows * cols * simdepth_tensor_dtype_size(t->info.dtype));
    } else if (dt == SIMDEPTH_F32) {
        float *d = simdepth_matrix_data(m);
        for (r = 0; r < rows; r++)
            for (c = 0; c < cols; c++)
                d[r * cols + c] = (float)element(t, r * (size_t)rs + c * (size_t)cs);
    } else {
        double *d = simdepth_matrix_data(m);
        for (r = 0; r < rows; r++)
            for (c = 0; c < cols; c++)
                d[r * cols + c] = element(t, r * (size_t)rs + c * (size_t)cs);
    }
    *out = m;
    return SIMDEPTH_OK;
}

/* ---- opening ---- */

static int cmp_tensor_name(const void *a, const void *b)
{
    const simdepth_i_tensor *const *x = a, *const *y = b;

    return strcmp((*x)->info.name, (*y)->info.name);
}

/* Duplicate names, found by sorting: O(n log n) even for hostile files
 * with a million entries. */
static simdepth_status check_unique_names(const simdepth_tensor_file *f, simdepth_error *err)
{
    const simdepth_i_tensor **v;
    size_t i;
    simdepth_status st = SIMDEPTH_OK;

    if (f->n < 2)
        return SIMDEPTH_OK;
    v = simdepth_i_malloc_array(f->n, sizeof *v);
    if (v == NULL)
        return simdepth_i_enomem(err, "the tensor list");
    for (i = 0; i < f->n; i++)
        v[i] = &f->t[i];
    qsort(v, f->n, sizeof *v, cmp_tensor_name);
    for (i = 1; i < f->n; i++)
        if (strcmp(v[i]->info.name, v[i - 1]->info.name) == 0) {
            st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, f->path, 0, 0, -1,
                                      "tensor name '%s' appears twice", v[i]->info.name);
            break;
        }
    free(v);
    return st;
}

simdepth_status simdepth_tensor_file_open(const char *path, simdepth_tensor_file **out,
                                          simdepth_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    simdepth_tensor_file *f = NULL;
    const unsigned char *u;
    simdepth_status st;
    const char *format;

    st = simdepth_i_read_file(path, TENSOR_MAX_FILE, &buf, &len, err);
    if (st != SIMDEPTH_OK)
        return st;
    u = (const unsigned char *)buf;
    if (len >= 6 && memcmp(u, "\x93NUMPY", 6) == 0)
        format = "npy";
    else if (len >= 9 && u[8] == '{' && load_bytes(u, 8, 0) <= (uint64_t)(len - 8))
        /* Before the pickle test: a safetensors header length can start
         * with the bytes 0x80 0x02 (640 bytes, say). */
        format = "safetensors";
    else if (len >= 4 && memcmp(u, "PK\x03\x04", 4) == 0)
        format = "pytorch-zip";
    else if ((len >= 2 && u[0] == 0x80 && u[1] >= 2 && u[1] <= 5) ||
             (len >= 26 && memcmp(u, "L119547037146038801333356L", 26) == 0))
        /* Pickle protocol 2+, or torch's magic number as a protocol 0/1
         * LONG (legacy files saved with pickle_protocol=1). */
        format = "pytorch-legacy";
    else if (len >= 9 && u[8] == '{')
        format = "safetensors";
    else {
        free(buf);
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, 0,
                                    "not a tensor file: expected .npy, .safetensors or a "
                                    "PyTorch checkpoint (zip or legacy pickle)");
    }
    st = simdepth_i_tensor_file_new(path, format, &f, err);
    if (st != SIMDEPTH_OK) {
        free(buf);
        return st;
    }
    st = simdepth_i_tensor_file_adopt(f, buf, err);
    if (st != SIMDEPTH_OK)
        goto out;
    if (strcmp(format, "npy") == 0)
        st = simdepth_i_npy_parse(f, (unsigned char *)buf, len, err);
    else if (strcmp(format, "safetensors") == 0)
        st = simdepth_i_safetensors_parse(f, (unsigned char *)buf, len, err);
    else if (strcmp(format, "pytorch-zip") == 0)
        st = simdepth_i_pth_zip_parse(f, (unsigned char *)buf, len, err);
    else
        st = simdepth_i_pth_legacy_parse(f, (unsigned char *)buf, len, err);
    if (st == SIMDEPTH_OK)
        st = check_unique_names(f, err);
    if (st != SIMDEPTH_OK)
        goto out;
    *out = f;
    f = NULL;
out:
    simdepth_tensor_file_free(f);
    return st;
}

/* ---- choosing the classifier ---- */

static const char *const classifier_names[] = {
    "fc.weight", "classifier.weight", "classifier.0.weight", "classifier.1.weight",
    "classifier.2.weight", "classifier.3.weight", "classifier.4.weight",
    "classifier.6.weight", "classifier.fc.weight", "classifier.head.weight",
    "head.weight", "head.fc.weight", "heads.head.weight", "heads.weight",
    "linear.weight", "output.weight", "out.weight", "logits.weight",
    "last_linear.weight", "fc_out.weight", "cls_head.weight", "final_fc.weight",
    "model.fc.weight", "model.classifier.weight", "model.head.weight",
    "backbone.fc.weight", "net.fc.weight", "lm_head.weight",
};

static const char *strip_module(const char *name)
{
    while (strncmp(name, "module.", 7) == 0)
        name += 7;
    return name;
}

simdepth_status simdepth_tensor_file_pick(const simdepth_tensor_file *f, size_t n_classes,
                                          size_t *index, char *why, size_t why_size,
                                          simdepth_error *err)
{
    size_t i, k, found = SIZE_MAX, n_match = 0;
    char list[400];
    size_t used = 0;

    if (strcmp(f->format, "npy") == 0 && f->n == 1) {
        if (f->t[0].info.ndim != 2)
            return simdepth_i_error_set(err, SIMDEPTH_ENOTFOUND, f->path, 0, 0, -1,
                                        "the file's array has %d dimension%s; expected a 2-D "
                                        "matrix", f->t[0].info.ndim,
                                        f->t[0].info.ndim == 1 ? "" : "s");
        if (why)
            snprintf(why, why_size, "the file's only array");
        *index = 0;
        return SIMDEPTH_OK;
    }
    for (k = 0; k < sizeof classifier_names / sizeof classifier_names[0]; k++)
        for (i = 0; i < f->n; i++) {
            const simdepth_tensor_info *t = &f->t[i].info;
            if (t->ndim == 2 && strcmp(strip_module(t->name), classifier_names[k]) == 0 &&
                (n_classes == 0 || t->shape[0] == n_classes)) {
                if (why)
                    snprintf(why, why_size, "a classifier name common in model families");
                *index = i;
                return SIMDEPTH_OK;
            }
        }
    list[0] = '\0';
    for (i = 0; i < f->n; i++) {
        const simdepth_tensor_info *t = &f->t[i].info;
        if (t->ndim != 2 || (n_classes != 0 && t->shape[0] != n_classes))
            continue;
        n_match++;
        found = i;
        if (used < sizeof list - 1)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s'%s' (%zu x %zu)",
                                     n_match > 1 ? ", " : "", t->name, t->shape[0],
                                     t->shape[1]);
        if (used >= sizeof list)
            used = sizeof list - 1;
    }
    if (n_match == 1) {
        if (why) {
            if (n_classes != 0)
                snprintf(why, why_size, "the only 2-D tensor with %zu rows", n_classes);
            else
                snprintf(why, why_size, "the only 2-D tensor");
        }
        *index = found;
        return SIMDEPTH_OK;
    }
    if (n_match == 0)
    {
        if (n_classes != 0)
            return simdepth_i_error_set(err, SIMDEPTH_ENOTFOUND, f->path, 0, 0, -1,
                                        "no 2-D tensor with %zu rows (one per label); name one "
                                        "with FILE:TENSOR",
                                        n_classes);
        return simdepth_i_error_set(err, SIMDEPTH_ENOTFOUND, f->path, 0, 0, -1,
                                    "no 2-D tensor found; name one with FILE:TENSOR");
    }
    return simdepth_i_error_set(err, SIMDEPTH_ENOTFOUND, f->path, 0, 0, -1,
                                "cannot tell which tensor holds the class templates; "
                                "candidates: %s; name one with FILE:TENSOR",
                                list);
}
