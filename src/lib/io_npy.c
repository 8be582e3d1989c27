/* simdepth — NumPy .npy reader and writer.
 *
 * Format: "\x93NUMPY", major, minor, header length (2 bytes LE in 1.0,
 * 4 bytes LE in 2.0 and 3.0), then a Python dict literal with 'descr',
 * 'fortran_order' and 'shape', padded with spaces and ending in '\n', then
 * the raw data. The file is treated as hostile: every length is checked
 * against the real file size before anything is allocated.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/io.h"
#include "internal.h"
#include "textio.h"

/* Header dicts are short; refuse absurd ones. */
#define NPY_MAX_HEADER 65536u
/* An upper bound on a file we read whole (the data is copied once). */
#define NPY_MAX_FILE ((size_t)1 << 40)

typedef enum { NPY_F4, NPY_F8, NPY_I4, NPY_I8 } npy_kind;

typedef struct npy_header {
    npy_kind kind;
    int fortran;
    int ndim;
    size_t shape[2];
} npy_header;

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* Parse the value of 'descr': a quoted string. */
static simdepth_status parse_descr(const char **pp, const char *end,
                                   npy_kind *kind, const char *path,
                                   long long base, simdepth_error *err)
{
    const char *p = *pp, *q;
    char quote;
    char descr[16];
    size_t n;

    if (p < end && *p == '[')
        return simdepth_i_error_set(err, SIMDEPTH_EUNSUPPORTED, path, 0, 0, base,
                                    "structured 'descr' (a record dtype) is not supported; expected a plain numeric array");
    if (p >= end || (*p != '\'' && *p != '"'))
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, base,
                                    "'descr' is not a string in the .npy header");
    quote = *p++;
    q = memchr(p, quote, (size_t)(end - p));
    if (q == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, base,
                                    "unterminated 'descr' string in the .npy header");
    n = (size_t)(q - p);
    if (n >= sizeof descr)
        n = sizeof descr - 1;
    memcpy(descr, p, n);
    descr[n] = '\0';
    if (strcmp(descr, "<f4") == 0)
        *kind = NPY_F4;
    else if (strcmp(descr, "<f8") == 0)
        *kind = NPY_F8;
    else if (strcmp(descr, "<i4") == 0)
        *kind = NPY_I4;
    else if (strcmp(descr, "<i8") == 0)
        *kind = NPY_I8;
    else if (strcmp(descr, "|O") == 0)
        return simdepth_i_error_set(
            err, SIMDEPTH_EUNSUPPORTED, path, 0, 0, base,
            "object array (dtype '|O') would need pickle to load; refused");
    else
        return simdepth_i_error_set(
            err, SIMDEPTH_EUNSUPPORTED, path, 0, 0, base,
            "dtype '%s' is not supported; expected '<f4', '<f8', '<i4' or '<i8'",
            descr);
    *pp = q + 1;
    return SIMDEPTH_OK;
}

static simdepth_status parse_shape(const char **pp, const char *end,
                                   npy_header *h, const char *path,
                                   long long base, simdepth_error *err)
{
    const char *p = *pp;

    if (p >= end || *p != '(')
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, base,
                                    "'shape' is not a tuple in the .npy header");
    p++;
    h->ndim = 0;
    for (;;) {
        size_t v = 0;
        int digits = 0;

        p = skip_ws(p, end);
        if (p < end && *p == ')') {
            p++;
            break;
        }
        while (p < end && *p >= '0' && *p <= '9') {
            size_t d = (size_t)(*p - '0');
            if (v > (SIZE_MAX - d) / 10)
                return simdepth_i_error_set(
                    err, SIMDEPTH_EFORMAT, path, 0, 0, base,
                    "a dimension in 'shape' overflows the address space");
            v = v * 10 + d;
            p++;
            digits++;
        }
        if (digits == 0)
            return simdepth_i_error_set(
                err, SIMDEPTH_EFORMAT, path, 0, 0, base,
                "'shape' holds something other than non-negative integers");
        if (h->ndim >= 2)
            return simdepth_i_error_set(
                err, SIMDEPTH_EUNSUPPORTED, path, 0, 0, base,
                "array has more than 2 dimensions; expected a 2-D matrix");
        h->shape[h->ndim++] = v;
        p = skip_ws(p, end);
        if (p < end && *p == ',')
            p++;
        else if (p < end && *p == ')') {
            p++;
            break;
        } else
            return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0,
                                        base, "malformed 'shape' tuple");
    }
    *pp = p;
    return SIMDEPTH_OK;
}

static simdepth_status parse_header(const char *p, const char *end,
                                    npy_header *h, const char *path,
                                    long long base, simdepth_error *err)
{
    int seen_descr = 0, seen_fortran = 0, seen_shape = 0;
    simdepth_status st;

    p = skip_ws(p, end);
    if (p >= end || *p != '{')
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, base,
                                    "header is not a dict literal");
    p++;
    for (;;) {
        const char *key, *q;
        size_t klen;
        char quote;

        p = skip_ws(p, end);
        if (p < end && *p == '}')
            break;
        if (p >= end || (*p != '\'' && *p != '"'))
            return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0,
                                        base, "expected a quoted key in the .npy header");
        quote = *p++;
        key = p;
        q = memchr(p, quote, (size_t)(end - p));
        if (q == NULL)
            return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0,
                                        base, "unterminated key in the .npy header");
        klen = (size_t)(q - key);
        p = skip_ws(q + 1, end);
        if (p >= end || *p != ':')
            return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0,
                                        base, "expected ':' after a key in the .npy header");
        p = skip_ws(p + 1, end);
        if (klen == 5 && memcmp(key, "descr", 5) == 0) {
            st = parse_descr(&p, end, &h->kind, path, base, err);
            if (st != SIMDEPTH_OK)
                return st;
            seen_descr = 1;
        } else if (klen == 13 && memcmp(key, "fortran_order", 13) == 0) {
            if (end - p >= 4 && memcmp(p, "True", 4) == 0) {
                h->fortran = 1;
                p += 4;
            } else if (end - p >= 5 && memcmp(p, "False", 5) == 0) {
                h->fortran = 0;
                p += 5;
            } else
                return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0,
                                            base, "'fortran_order' is not True or False");
            seen_fortran = 1;
        } else if (klen == 5 && memcmp(key, "shape", 5) == 0) {
            st = parse_shape(&p, end, h, path, base, err);
            if (st != SIMDEPTH_OK)
                return st;
            seen_shape = 1;
        } else {
            return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0,
                                        base, "unexpected key '%.*s' in the .npy header",
                                        (int)(klen > 40 ? 40 : klen), key);
        }
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if (p < end && *p == '}')
            break;
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, base,
                                    "expected ',' or '}' in the .npy header");
    }
    if (!seen_descr || !seen_fortran || !seen_shape)
        return simdepth_i_error_set(
            err, SIMDEPTH_EFORMAT, path, 0, 0, base,
            "header lacks %s; expected 'descr', 'fortran_order' and 'shape'",
            !seen_descr ? "'descr'" : !seen_fortran ? "'fortran_order'" : "'shape'");
    if (h->fortran)
        return simdepth_i_error_set(err, SIMDEPTH_EUNSUPPORTED, path, 0, 0, base,
                                    "Fortran-order arrays are not supported yet; "
                                    "save with np.ascontiguousarray");
    if (h->ndim != 2)
        return simdepth_i_error_set(err, SIMDEPTH_EUNSUPPORTED, path, 0, 0, base,
                                    "array has %d dimension%s; expected a 2-D matrix",
                                    h->ndim, h->ndim == 1 ? "" : "s");
    return SIMDEPTH_OK;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

simdepth_status simdepth_npy_read(const char *path, simdepth_matrix **out,
                                  simdepth_error *err)
{
    char *buf = NULL;
    size_t len = 0, hlen, hstart, itemsize, count, k;
    const unsigned char *u;
    npy_header h;
    simdepth_matrix *m = NULL;
    simdepth_status st;
    int major;

    st = simdepth_i_read_file(path, NPY_MAX_FILE, &buf, &len, err);
    if (st != SIMDEPTH_OK)
        return st;
    u = (const unsigned char *)buf;
    memset(&h, 0, sizeof h);
    if (len < 6 || memcmp(buf, "\x93NUMPY", 6) != 0) {
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, 0,
                                  "not a .npy file (expected the magic \\x93NUMPY)");
        goto out;
    }
    if (len < 10) {
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, (long long)len,
                                  "file ends inside the .npy preamble");
        goto out;
    }
    major = u[6];
    if (major == 1) {
        hlen = (size_t)u[8] | (size_t)u[9] << 8;
        hstart = 10;
    } else if (major == 2 || major == 3) {
        if (len < 12) {
            st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0,
                                      (long long)len, "file ends inside the .npy preamble");
            goto out;
        }
        hlen = le32(u + 8);
        hstart = 12;
    } else {
        st = simdepth_i_error_set(err, SIMDEPTH_EUNSUPPORTED, path, 0, 0, 6,
                                  ".npy format version %d.%d; expected 1.0, 2.0 or 3.0",
                                  u[6], u[7]);
        goto out;
    }
    if (hlen > NPY_MAX_HEADER || hlen > len - hstart) {
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, 8,
                                  "header length %zu runs past the end of the %zu-byte file",
                                  hlen, len);
        goto out;
    }
    st = parse_header(buf + hstart, buf + hstart + hlen, &h, path,
                      (long long)hstart, err);
    if (st != SIMDEPTH_OK)
        goto out;
    itemsize = (h.kind == NPY_F4 || h.kind == NPY_I4) ? 4 : 8;
    if (simdepth_i_mul_overflows(h.shape[0], h.shape[1]) ||
        simdepth_i_mul_overflows(h.shape[0] * h.shape[1], itemsize)) {
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0,
                                  (long long)hstart,
                                  "shape (%zu, %zu) overflows the address space",
                                  h.shape[0], h.shape[1]);
        goto out;
    }
    count = h.shape[0] * h.shape[1];
    if (count * itemsize != len - hstart - hlen) {
        st = simdepth_i_error_set(
            err, SIMDEPTH_EFORMAT, path, 0, 0, (long long)(hstart + hlen),
            "shape (%zu, %zu) needs %zu data bytes but the file has %zu%s",
            h.shape[0], h.shape[1], count * itemsize, len - hstart - hlen,
            count * itemsize < len - hstart - hlen ? " (trailing bytes)" : " (truncated)");
        goto out;
    }
    st = simdepth_matrix_new(h.shape[0], h.shape[1],
                             h.kind == NPY_F4 ? SIMDEPTH_F32 : SIMDEPTH_F64, &m,
                             err);
    if (st != SIMDEPTH_OK)
        goto out;
    u += hstart + hlen;
    if (h.kind == NPY_F4) {
        float *d = simdepth_matrix_data(m);
        for (k = 0; k < count; k++) {
            uint32_t bits = le32(u + 4 * k);
            memcpy(&d[k], &bits, 4);
        }
    } else {
        double *d = simdepth_matrix_data(m);
        for (k = 0; k < count; k++) {
            if (h.kind == NPY_I4) {
                d[k] = (double)(int32_t)le32(u + 4 * k);
            } else {
                uint64_t bits = le64(u + 8 * k);
                if (h.kind == NPY_F8)
                    memcpy(&d[k], &bits, 8);
                else
                    d[k] = (double)(int64_t)bits;
            }
        }
    }
    *out = m;
    m = NULL;
out:
    simdepth_matrix_free(m);
    free(buf);
    return st;
}

simdepth_status simdepth_npy_write(const char *path, const simdepth_matrix *m,
                                   simdepth_error *err)
{
    char header[128];
    int n;
    size_t total, rows = simdepth_matrix_rows(m), cols = simdepth_matrix_cols(m);
    FILE *f;
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0};
    int is32 = simdepth_matrix_dtype(m) == SIMDEPTH_F32;
    simdepth_status st = SIMDEPTH_OK;

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
    f = fopen(path, "wb");
    if (f == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EIO, path, 0, 0, -1,
                                    "cannot create: %s", strerror(errno));
    /* Little-endian hosts only write the buffer as it is. */
    if (fwrite(pre, 1, 10, f) != 10 || fwrite(header, 1, (size_t)n, f) != (size_t)n ||
        fwrite(simdepth_matrix_cdata(m), is32 ? 4 : 8, rows * cols, f) != rows * cols)
        st = simdepth_i_error_set(err, SIMDEPTH_EIO, path, 0, 0, -1,
                                  "write failed: %s", strerror(errno));
    if (fclose(f) != 0 && st == SIMDEPTH_OK)
        st = simdepth_i_error_set(err, SIMDEPTH_EIO, path, 0, 0, -1,
                                  "write failed: %s", strerror(errno));
    return st;
}
