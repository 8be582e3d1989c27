/* simdepth — NumPy .npy reader and writer.
 *
 * Format: "\x93NUMPY", major, minor, header length (2 bytes LE in 1.0,
 * 4 bytes LE in 2.0 and 3.0), then a Python dict literal with 'descr',
 * 'fortran_order' and 'shape', padded with spaces and ending in '\n', then
 * the raw data. Version 3.0 only changes the header's encoding to UTF-8,
 * which makes no difference to the ASCII keys and values we accept.
 *
 * The file is treated as hostile: a bounded cursor walks the preamble and
 * the header, every length is checked before it is used, and the data size
 * the header implies must equal what the file holds, so nothing is
 * allocated from a declared size. The array is handed to the tensor-file
 * core (tensor.c), which decodes elements in either byte order and follows
 * the strides of Fortran-order arrays.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/io.h"
#include "simdepth/tensor.h"
#include "internal.h"
#include "tensor_i.h"
#include "textio.h"

/* Header dicts of the dtypes we accept are short; numpy itself refuses
 * headers over 10000 bytes unless told otherwise. */
#define NPY_MAX_HEADER 65536u
/* An upper bound on a file we read whole. */
#define NPY_MAX_FILE ((size_t)1 << 40)

typedef struct npy_header {
    size_t hstart;  /* offset of the header dict */
    size_t data_at; /* offset of the first data byte */
    simdepth_tensor_dtype dtype;
    int big_endian;
    int fortran;
    int ndim;
    size_t shape[SIMDEPTH_TENSOR_MAX_DIMS];
} npy_header;

/* Where errors point: the file and the offset of the header dict. */
typedef struct npy_ctx {
    const char *path;
    long long base;
    simdepth_error *err;
} npy_ctx;

#define NPY_ERR(c, st, ...) \
    simdepth_i_error_set((c)->err, (st), (c)->path, 0, 0, (c)->base, __VA_ARGS__)

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* "(2, 3)", "(4,)" or "()" into @buf. */
static void format_shape(char *buf, size_t size, const size_t *shape, int ndim)
{
    size_t used = 0;
    int k;

    used += (size_t)snprintf(buf, size, "(");
    for (k = 0; k < ndim && used < size; k++)
        used += (size_t)snprintf(buf + used, size - used, "%s%zu", k ? ", " : "", shape[k]);
    if (used < size)
        snprintf(buf + used, size - used, "%s)", ndim == 1 ? "," : "");
}

/* memchr, not strchr: a NUL byte in the header must not match. */
static int is_byte_order(char ch)
{
    return memchr("<>|=", ch, 4) != NULL;
}

/* Map a numpy type string ("<f8", ">i4", "|b1", ...) to a tensor dtype. */
static simdepth_status classify_descr(const char *s, size_t n, npy_header *h,
                                      const npy_ctx *c)
{
    static const struct {
        const char *code;
        simdepth_tensor_dtype dtype;
    } types[] = {
        {"f2", SIMDEPTH_TENSOR_F16}, {"f4", SIMDEPTH_TENSOR_F32},
        {"f8", SIMDEPTH_TENSOR_F64}, {"i1", SIMDEPTH_TENSOR_I8},
        {"u1", SIMDEPTH_TENSOR_U8},  {"b1", SIMDEPTH_TENSOR_BOOL},
        {"i2", SIMDEPTH_TENSOR_I16}, {"i4", SIMDEPTH_TENSOR_I32},
        {"i8", SIMDEPTH_TENSOR_I64}, {"u2", SIMDEPTH_TENSOR_U16},
        {"u4", SIMDEPTH_TENSOR_U32}, {"u8", SIMDEPTH_TENSOR_U64},
    };
    size_t k;
    int shown = n > 32 ? 32 : (int)n;

    /* 'O' is numpy's object type: the data would be a pickle. */
    if ((n >= 1 && s[0] == 'O') || (n >= 2 && is_byte_order(s[0]) && s[1] == 'O'))
        return NPY_ERR(c, SIMDEPTH_EUNSUPPORTED,
                       "object array (dtype '%.*s') would need pickle to load; refused "
                       "(simdepth never unpickles .npy data)",
                       shown, s);
    /* '<' little-endian, '>' big-endian; '=' (native) and '|' (not
     * applicable, numpy's mark for one-byte types) are read as the
     * little-endian byte order of the machines numpy files come from. */
    if (n == 3 && is_byte_order(s[0]))
        for (k = 0; k < sizeof types / sizeof types[0]; k++)
            if (memcmp(s + 1, types[k].code, 2) == 0) {
                h->dtype = types[k].dtype;
                h->big_endian = s[0] == '>';
                return SIMDEPTH_OK;
            }
    return NPY_ERR(c, SIMDEPTH_EUNSUPPORTED,
                   "dtype '%.*s' is not supported; expected f2, f4, f8, i1, i2, i4, i8, u1, "
                   "u2, u4, u8 or b1 with byte order '<', '>', '|' or '='",
                   shown, s);
}

/* The value of 'descr': a quoted type string. */
static simdepth_status parse_descr(const char **pp, const char *end, npy_header *h,
                                   const npy_ctx *c)
{
    const char *p = *pp, *q;
    char quote;
    simdepth_status st;

    if (p < end && *p == '[')
        return NPY_ERR(c, SIMDEPTH_EUNSUPPORTED,
                       "structured dtype (a list of fields in 'descr') is not supported; "
                       "expected a plain numeric dtype");
    if (p >= end || (*p != '\'' && *p != '"'))
        return NPY_ERR(c, SIMDEPTH_EFORMAT, "'descr' is not a string in the .npy header");
    quote = *p++;
    q = memchr(p, quote, (size_t)(end - p));
    if (q == NULL)
        return NPY_ERR(c, SIMDEPTH_EFORMAT, "unterminated 'descr' string in the .npy header");
    st = classify_descr(p, (size_t)(q - p), h, c);
    if (st != SIMDEPTH_OK)
        return st;
    *pp = q + 1;
    return SIMDEPTH_OK;
}

/* The value of 'shape': a tuple of non-negative integers, "(4,)" for one
 * dimension ("(4)" is an int in Python, and numpy refuses it). */
static simdepth_status parse_shape(const char **pp, const char *end, npy_header *h,
                                   const npy_ctx *c)
{
    const char *p = *pp;
    int comma = 0;

    if (p >= end || *p != '(')
        return NPY_ERR(c, SIMDEPTH_EFORMAT, "'shape' is not a tuple in the .npy header");
    p++;
    h->ndim = 0;
    for (;;) {
        size_t v = 0;
        int digits = 0;

        p = skip_ws(p, end);
        if (p >= end)
            return NPY_ERR(c, SIMDEPTH_EFORMAT, "unterminated 'shape' tuple in the .npy header");
        if (*p == ')') {
            p++;
            break;
        }
        while (p < end && *p >= '0' && *p <= '9') {
            size_t d = (size_t)(*p - '0');
            if (v > (SIZE_MAX - d) / 10)
                return NPY_ERR(c, SIMDEPTH_EFORMAT,
                               "a dimension in 'shape' overflows the address space");
            v = v * 10 + d;
            p++;
            digits++;
        }
        if (digits == 0)
            return NPY_ERR(c, SIMDEPTH_EFORMAT,
                           "'shape' holds something other than non-negative integers");
        if (p < end && *p == 'L') /* Python 2 long literal */
            p++;
        if (h->ndim == SIMDEPTH_TENSOR_MAX_DIMS)
            return NPY_ERR(c, SIMDEPTH_EUNSUPPORTED,
                           "array has more than %d dimensions; at most %d are supported",
                           SIMDEPTH_TENSOR_MAX_DIMS, SIMDEPTH_TENSOR_MAX_DIMS);
        h->shape[h->ndim++] = v;
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            comma = 1;
            p++;
        } else if (p < end && *p == ')') {
            p++;
            break;
        } else {
            return NPY_ERR(c, SIMDEPTH_EFORMAT, "malformed 'shape' tuple in the .npy header");
        }
    }
    if (h->ndim == 1 && !comma)
        return NPY_ERR(c, SIMDEPTH_EFORMAT,
                       "'shape' is not a tuple in the .npy header (a 1-tuple is written "
                       "'(%zu,)')",
                       h->shape[0]);
    *pp = p;
    return SIMDEPTH_OK;
}

/* The header dict: exactly the keys 'descr', 'fortran_order' and 'shape'
 * (numpy refuses others), each once, then only padding. */
static simdepth_status parse_header(const char *p, const char *end, npy_header *h,
                                    const npy_ctx *c)
{
    int seen_descr = 0, seen_fortran = 0, seen_shape = 0;
    simdepth_status st;

    p = skip_ws(p, end);
    if (p >= end || *p != '{')
        return NPY_ERR(c, SIMDEPTH_EFORMAT, "header is not a dict literal");
    p++;
    for (;;) {
        const char *key, *q;
        size_t klen;
        char quote;
        int *seen;

        p = skip_ws(p, end);
        if (p < end && *p == '}')
            break;
        if (p >= end || (*p != '\'' && *p != '"'))
            return NPY_ERR(c, SIMDEPTH_EFORMAT, "expected a quoted key in the .npy header");
        quote = *p++;
        key = p;
        q = memchr(p, quote, (size_t)(end - p));
        if (q == NULL)
            return NPY_ERR(c, SIMDEPTH_EFORMAT, "unterminated key in the .npy header");
        klen = (size_t)(q - key);
        p = skip_ws(q + 1, end);
        if (p >= end || *p != ':')
            return NPY_ERR(c, SIMDEPTH_EFORMAT, "expected ':' after a key in the .npy header");
        p = skip_ws(p + 1, end);
        if (klen == 5 && memcmp(key, "descr", 5) == 0)
            seen = &seen_descr;
        else if (klen == 13 && memcmp(key, "fortran_order", 13) == 0)
            seen = &seen_fortran;
        else if (klen == 5 && memcmp(key, "shape", 5) == 0)
            seen = &seen_shape;
        else
            return NPY_ERR(c, SIMDEPTH_EFORMAT, "unexpected key '%.*s' in the .npy header",
                           (int)(klen > 40 ? 40 : klen), key);
        if (*seen)
            return NPY_ERR(c, SIMDEPTH_EFORMAT, "key '%.*s' appears twice in the .npy header",
                           (int)klen, key);
        *seen = 1;
        if (seen == &seen_descr) {
            st = parse_descr(&p, end, h, c);
            if (st != SIMDEPTH_OK)
                return st;
        } else if (seen == &seen_shape) {
            st = parse_shape(&p, end, h, c);
            if (st != SIMDEPTH_OK)
                return st;
        } else if (end - p >= 4 && memcmp(p, "True", 4) == 0) {
            h->fortran = 1;
            p += 4;
        } else if (end - p >= 5 && memcmp(p, "False", 5) == 0) {
            h->fortran = 0;
            p += 5;
        } else {
            return NPY_ERR(c, SIMDEPTH_EFORMAT, "'fortran_order' is not True or False");
        }
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if (p < end && *p == '}')
            break;
        return NPY_ERR(c, SIMDEPTH_EFORMAT, "expected ',' or '}' in the .npy header");
    }
    /* p is at the closing brace; only padding may follow. */
    p = skip_ws(p + 1, end);
    if (p != end)
        return NPY_ERR(c, SIMDEPTH_EFORMAT,
                       "unexpected bytes after the dict in the .npy header; expected "
                       "space padding and '\\n'");
    if (!seen_descr || !seen_fortran || !seen_shape)
        return NPY_ERR(c, SIMDEPTH_EFORMAT,
                       "header lacks %s; expected 'descr', 'fortran_order' and 'shape'",
                       !seen_descr ? "'descr'" : !seen_fortran ? "'fortran_order'" : "'shape'");
    return SIMDEPTH_OK;
}

/* Preamble, header and data size of the .npy file @buf (@len bytes). */
static simdepth_status parse_npy(const char *path, const unsigned char *buf, size_t len,
                                 npy_header *h, simdepth_error *err)
{
    npy_ctx c;
    size_t hlen, hsize, count = 1, nbytes, have, k;
    char shape[200];
    int major, minor;
    simdepth_status st;

    memset(h, 0, sizeof *h);
    c.path = path;
    c.err = err;
    c.base = 0;
    if (len < 6 || memcmp(buf, "\x93NUMPY", 6) != 0)
        return NPY_ERR(&c, SIMDEPTH_EFORMAT, "not a .npy file (expected the magic \\x93NUMPY)");
    if (len < 8)
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, (long long)len,
                                    "file ends inside the .npy preamble (expected the "
                                    "2-byte format version at byte 6)");
    major = buf[6];
    minor = buf[7];
    if (major < 1 || major > 3 || minor != 0)
        return simdepth_i_error_set(err, SIMDEPTH_EUNSUPPORTED, path, 0, 0, 6,
                                    ".npy format version %d.%d; expected 1.0, 2.0 or 3.0",
                                    major, minor);
    hsize = major == 1 ? 2 : 4;
    if (len - 8 < hsize)
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, (long long)len,
                                    "file ends inside the .npy preamble (expected a %zu-byte "
                                    "header length at byte 8)",
                                    hsize);
    hlen = 0;
    for (k = 0; k < hsize; k++)
        hlen |= (size_t)buf[8 + k] << (8 * k);
    h->hstart = 8 + hsize;
    if (hlen > len - h->hstart)
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, 8,
                                    "header length %zu runs past the end of the %zu-byte file",
                                    hlen, len);
    if (hlen > NPY_MAX_HEADER)
        return simdepth_i_error_set(err, SIMDEPTH_EUNSUPPORTED, path, 0, 0, 8,
                                    "header length %zu is more than the %u bytes accepted",
                                    hlen, NPY_MAX_HEADER);
    c.base = (long long)h->hstart;
    st = parse_header((const char *)buf + h->hstart, (const char *)buf + h->hstart + hlen, h,
                      &c);
    if (st != SIMDEPTH_OK)
        return st;
    format_shape(shape, sizeof shape, h->shape, h->ndim);
    for (k = 0; k < (size_t)h->ndim; k++) {
        if (simdepth_i_mul_overflows(count, h->shape[k]))
            return NPY_ERR(&c, SIMDEPTH_EFORMAT, "shape %s overflows the address space", shape);
        count *= h->shape[k];
    }
    if (simdepth_i_mul_overflows(count, simdepth_tensor_dtype_size(h->dtype)))
        return NPY_ERR(&c, SIMDEPTH_EFORMAT, "shape %s of %s overflows the address space",
                       shape, simdepth_tensor_dtype_name(h->dtype));
    nbytes = count * simdepth_tensor_dtype_size(h->dtype);
    h->data_at = h->hstart + hlen;
    have = len - h->data_at;
    if (nbytes != have)
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, (long long)h->data_at,
                                    "shape %s needs %zu data bytes but the file has %zu%s",
                                    shape, nbytes, have,
                                    nbytes < have ? " (trailing bytes)" : " (truncated)");
    return SIMDEPTH_OK;
}

/* Parse and add the array to @f as the tensor "". */
static simdepth_status load_npy(simdepth_tensor_file *f, const unsigned char *buf, size_t len,
                                npy_header *h, simdepth_error *err)
{
    int64_t strides[SIMDEPTH_TENSOR_MAX_DIMS] = {0};
    simdepth_status st;
    int k;

    st = parse_npy(f->path, buf, len, h, err);
    if (st != SIMDEPTH_OK)
        return st;
    if (h->fortran) {
        /* Column-major: the first index varies fastest. The running product
         * stays below the element count, which parse_npy bounded by the
         * file size; with a zero dimension no element is reached at all. */
        size_t s = 1;
        for (k = 0; k < h->ndim; k++) {
            strides[k] = (int64_t)s;
            if (simdepth_i_mul_overflows(s, h->shape[k]))
                s = 0;
            else
                s *= h->shape[k];
        }
    }
    return simdepth_i_tensor_file_add(f, "", h->dtype, h->ndim, h->shape,
                                      h->fortran ? strides : NULL, buf + h->data_at,
                                      len - h->data_at, h->big_endian, err);
}

simdepth_status simdepth_i_npy_parse(simdepth_tensor_file *f, unsigned char *buf, size_t len,
                                     simdepth_error *err)
{
    npy_header h;

    return load_npy(f, buf, len, &h, err);
}

/* 1 if this machine stores numbers little-endian. */
static int host_little_endian(void)
{
    const uint16_t one = 1;

    return *(const unsigned char *)&one == 1;
}

/* The common case read straight into the matrix: a C-order 2-D float32 or
 * float64 array in this machine's byte order. Reading the whole file and
 * copying would touch twice the memory (two 1.9 GB blocks for a 21,843-
 * class confusion matrix). *handled is 0 when the file is not such an
 * array (or cannot be opened): the caller then takes the general path,
 * which also gives the precise messages. */
static simdepth_status npy_read_direct(const char *path, simdepth_matrix **out, int *handled,
                                       simdepth_error *err)
{
    unsigned char head[12 + NPY_MAX_HEADER];
    simdepth_matrix *m = NULL;
    simdepth_status st;
    npy_header h;
    FILE *f;
    long long size;
    size_t got, nbytes;

    *handled = 0;
    f = fopen(path, "rb");
    if (f == NULL)
        return SIMDEPTH_OK;
    if (fseeko(f, 0, SEEK_END) != 0 || (size = (long long)ftello(f)) < 0 ||
        fseeko(f, 0, SEEK_SET) != 0 || (unsigned long long)size > NPY_MAX_FILE) {
        fclose(f);
        return SIMDEPTH_OK;
    }
    got = fread(head, 1, sizeof head, f);
    if (got < sizeof head && got != (size_t)size) {
        fclose(f);
        return SIMDEPTH_OK;
    }
    /* parse_npy reads no further than the header, which fits in head, and
     * checks the sizes against the whole file. */
    if (parse_npy(path, head, (size_t)size, &h, NULL) != SIMDEPTH_OK || h.ndim != 2 ||
        h.fortran || h.big_endian == host_little_endian() ||
        (h.dtype != SIMDEPTH_TENSOR_F32 && h.dtype != SIMDEPTH_TENSOR_F64)) {
        fclose(f);
        return SIMDEPTH_OK;
    }
    *handled = 1;
    st = simdepth_matrix_new(h.shape[0], h.shape[1],
                             h.dtype == SIMDEPTH_TENSOR_F32 ? SIMDEPTH_F32 : SIMDEPTH_F64, &m,
                             err);
    if (st != SIMDEPTH_OK) {
        fclose(f);
        return st;
    }
    nbytes = (size_t)size - h.data_at;
    if (fseeko(f, (off_t)h.data_at, SEEK_SET) != 0 ||
        (nbytes > 0 && fread(simdepth_matrix_data(m), 1, nbytes, f) != nbytes)) {
        st = simdepth_i_error_set(err, SIMDEPTH_EIO, path, 0, 0, (long long)h.data_at,
                                  "read failed in the %zu data bytes: %s", nbytes,
                                  ferror(f) ? strerror(errno) : "the file shrank");
        fclose(f);
        simdepth_matrix_free(m);
        return st;
    }
    fclose(f);
    *out = m;
    return SIMDEPTH_OK;
}

/* The public matrix reader shares the tensor-file parser and decoder, but
 * opens the file as .npy only (simdepth_tensor_file_open would also accept
 * safetensors or a pickle under a .npy name) and reports rank errors at the
 * header. */
simdepth_status simdepth_npy_read(const char *path, simdepth_matrix **out,
                                  simdepth_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    simdepth_tensor_file *f = NULL;
    npy_header h;
    simdepth_status st;
    int handled;

    st = npy_read_direct(path, out, &handled, err);
    if (handled || st != SIMDEPTH_OK)
        return st;
    st = simdepth_i_read_file(path, NPY_MAX_FILE, &buf, &len, err);
    if (st != SIMDEPTH_OK)
        return st;
    st = simdepth_i_tensor_file_new(path, "npy", &f, err);
    if (st != SIMDEPTH_OK) {
        free(buf);
        return st;
    }
    st = simdepth_i_tensor_file_adopt(f, buf, err);
    if (st != SIMDEPTH_OK)
        goto out;
    st = load_npy(f, (const unsigned char *)buf, len, &h, err);
    if (st != SIMDEPTH_OK)
        goto out;
    if (h.ndim > 2) {
        st = simdepth_i_error_set(err, SIMDEPTH_EUNSUPPORTED, path, 0, 0, (long long)h.hstart,
                                  "array has more than 2 dimensions (%d); expected a 2-D matrix",
                                  h.ndim);
        goto out;
    }
    if (h.ndim < 2) {
        st = simdepth_i_error_set(err, SIMDEPTH_EUNSUPPORTED, path, 0, 0, (long long)h.hstart,
                                  "array has %d dimension%s; expected a 2-D matrix", h.ndim,
                                  h.ndim == 1 ? "" : "s");
        goto out;
    }
    st = simdepth_tensor_file_read(f, 0, out, err);
out:
    simdepth_tensor_file_free(f);
    return st;
}

simdepth_status simdepth_npy_fwrite(FILE *f, const simdepth_matrix *m, simdepth_error *err)
{
    char header[128];
    int n;
    size_t total, rows = simdepth_matrix_rows(m), cols = simdepth_matrix_cols(m);
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0};
    int is32 = simdepth_matrix_dtype(m) == SIMDEPTH_F32;

    n = snprintf(header, sizeof header,
                 "{'descr': '%s', 'fortran_order': False, 'shape': (%zu, %zu), }",
                 is32 ? "<f4" : "<f8", rows, cols);
    /* Pad with spaces so that data starts on a 64-byte boundary. */
    total = 10 + (size_t)n + 1;
    while (total % 64 != 0 && (size_t)n < sizeof header - 2) {
        header[n++] = ' ';
        total++;
    }
    header[n++] = '\n';
    pre[8] = (unsigned char)(n & 0xff);
    pre[9] = (unsigned char)(n >> 8);
    /* Little-endian hosts only write the buffer as it is. */
    if (fwrite(pre, 1, 10, f) != 10 || fwrite(header, 1, (size_t)n, f) != (size_t)n ||
        fwrite(simdepth_matrix_cdata(m), is32 ? 4 : 8, rows * cols, f) != rows * cols)
        return simdepth_i_error_set(err, SIMDEPTH_EIO, NULL, 0, 0, -1, "write failed: %s",
                                    strerror(errno));
    return SIMDEPTH_OK;
}

simdepth_status simdepth_npy_write(const char *path, const simdepth_matrix *m,
                                   simdepth_error *err)
{
    FILE *f;
    simdepth_status st;

    f = fopen(path, "wb");
    if (f == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EIO, path, 0, 0, -1,
                                    "cannot create: %s", strerror(errno));
    st = simdepth_npy_fwrite(f, m, err);
    if (st != SIMDEPTH_OK && err != NULL)
        snprintf(err->file, sizeof err->file, "%s", path);
    if (fclose(f) != 0 && st == SIMDEPTH_OK)
        st = simdepth_i_error_set(err, SIMDEPTH_EIO, path, 0, 0, -1,
                                  "write failed: %s", strerror(errno));
    return st;
}
