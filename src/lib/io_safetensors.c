/* simdepth — safetensors reader.
 *
 * Format (https://github.com/huggingface/safetensors): an unsigned 64-bit
 * little-endian header length N, N bytes of UTF-8 JSON, then the data area.
 * The JSON is an object mapping each tensor name to
 *     {"dtype": "F32", "shape": [10, 64], "data_offsets": [begin, end]}
 * with offsets relative to the first byte after the header, plus an
 * optional "__metadata__" object of string values.
 *
 * The file is treated as hostile. Every declared size is checked against
 * the real file size, shapes are overflow-checked, and the tensors' byte
 * ranges must tile the data area exactly, as the reference implementation
 * requires: sorted by offset, each starts where the previous one ends, the
 * first at 0 and the last at the end of the file (no overlap, no hole, no
 * trailing bytes). Tensors keep the header's key order, which jansson
 * preserves.
 */
#include "config.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/tensor.h"
#include "internal.h"
#include "tensor_i.h"

/* The reference implementation's limit on the JSON header. */
#define ST_MAX_HEADER ((uint64_t)100000000)
#define ST_METADATA "__metadata__"

typedef struct st_entry {
    const char *name;   /* borrowed from the JSON tree */
    long long key_at;   /* file offset of the name in the header */
    simdepth_tensor_dtype dtype;
    int ndim;
    size_t shape[SIMDEPTH_TENSOR_MAX_DIMS];
    size_t begin, end;  /* relative to the data area */
    size_t order;       /* position in the header */
} st_entry;

typedef struct st_ctx {
    simdepth_tensor_file *f;
    simdepth_error *err;
    const unsigned char *header; /* the JSON text */
    size_t header_len;
    size_t data_at;              /* file offset of the data area */
    size_t data_len;
} st_ctx;

static uint64_t le64(const unsigned char *p)
{
    uint64_t v = 0;
    int k;

    for (k = 7; k >= 0; k--)
        v = v << 8 | p[k];
    return v;
}

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "a list";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "something else";
}

static int dtype_from_name(const char *s, simdepth_tensor_dtype *dtype)
{
    static const simdepth_tensor_dtype all[] = {
        SIMDEPTH_TENSOR_F16, SIMDEPTH_TENSOR_BF16, SIMDEPTH_TENSOR_F32, SIMDEPTH_TENSOR_F64,
        SIMDEPTH_TENSOR_I8,  SIMDEPTH_TENSOR_U8,   SIMDEPTH_TENSOR_I16, SIMDEPTH_TENSOR_I32,
        SIMDEPTH_TENSOR_I64, SIMDEPTH_TENSOR_BOOL,
    };
    size_t k;

    for (k = 0; k < sizeof all / sizeof all[0]; k++)
        if (strcmp(s, simdepth_tensor_dtype_name(all[k])) == 0) {
            *dtype = all[k];
            return 1;
        }
    return 0;
}

/* "[10, 64]" into @buf. */
static void format_shape(char *buf, size_t size, const size_t *shape, int ndim)
{
    size_t used = (size_t)snprintf(buf, size, "[");
    int k;

    for (k = 0; k < ndim && used < size; k++)
        used += (size_t)snprintf(buf + used, size - used, "%s%zu", k ? ", " : "", shape[k]);
    if (used < size)
        snprintf(buf + used, size - used, "]");
}

/* File offsets of the top-level keys, in text order. jansson has already
 * accepted the text as JSON and keeps keys in insertion order, so the k-th
 * key found here is the k-th one json_object_foreach visits. A key not
 * found (which cannot happen) points at the header start. */
static void top_level_keys(const st_ctx *c, long long *at, size_t n)
{
    const unsigned char *h = c->header;
    size_t i, k = 0;
    int depth = 0, want_key = 0;

    for (i = 0; i < c->header_len && k < n; i++) {
        unsigned char ch = h[i];
        if (ch == '"') {
            size_t start = i;
            for (i++; i < c->header_len && h[i] != '"'; i++)
                if (h[i] == '\\')
                    i++;
            if (depth == 1 && want_key) {
                at[k++] = (long long)(8 + start);
                want_key = 0;
            }
        } else if (ch == '{' || ch == '[') {
            depth++;
            want_key = depth == 1;
        } else if (ch == '}' || ch == ']') {
            depth--;
        } else if (ch == ',' && depth == 1) {
            want_key = 1;
        }
    }
    for (; k < n; k++)
        at[k] = 8;
}

/* jansson reports a duplicate key with the position just past its closing
 * quote; walk back to the opening quote and decode the key so the message
 * can name it. Returns a new JSON string or NULL. */
static json_t *duplicate_key(const st_ctx *c, size_t pos, size_t *start)
{
    size_t q;

    if (pos < 2 || pos > c->header_len || c->header[pos - 1] != '"')
        return NULL;
    for (q = pos - 1; q-- > 0;) {
        size_t bs = 0;
        if (c->header[q] != '"')
            continue;
        while (bs < q && c->header[q - 1 - bs] == '\\')
            bs++;
        if (bs % 2 == 0) {
            *start = q;
            return json_loadb((const char *)c->header + q, pos - q, JSON_DECODE_ANY, NULL);
        }
    }
    return NULL;
}

static simdepth_status json_failure(const st_ctx *c, const json_error_t *jerr)
{
    const char *path = c->f->path;
    size_t pos = jerr->position > 0 ? (size_t)jerr->position : 0;
    simdepth_status st;

    if (pos > c->header_len)
        pos = c->header_len;
    switch (json_error_code(jerr)) {
    case json_error_duplicate_key: {
        size_t start = pos;
        json_t *key = duplicate_key(c, pos, &start);
        if (key != NULL && json_is_string(key))
            st = simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, path, 0, 0,
                                      (long long)(8 + start),
                                      "the JSON header has the name '%s' twice; tensor names "
                                      "and keys must be unique",
                                      json_string_value(key));
        else
            st = simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, path, 0, 0,
                                      (long long)(8 + pos),
                                      "the JSON header has a name twice (%s); tensor names "
                                      "and keys must be unique",
                                      jerr->text);
        json_decref(key);
        return st;
    }
    case json_error_invalid_utf8:
        return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, path, 0, 0, (long long)(8 + pos),
                                    "the JSON header is not valid UTF-8 (%s)", jerr->text);
    default:
        return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, path, 0, 0, (long long)(8 + pos),
                                    "the header is not valid JSON: %s", jerr->text);
    }
}

static simdepth_status check_metadata(const st_ctx *c, json_t *meta, long long at)
{
    const char *key;
    json_t *v;

    if (!json_is_object(meta))
        return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0, at,
                                    "'" ST_METADATA "' is %s; expected an object of strings",
                                    json_kind(meta));
    json_object_foreach(meta, key, v) {
        if (!json_is_string(v))
            return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0, at,
                                        "'" ST_METADATA "' maps '%s' to %s; expected a string",
                                        key, json_kind(v));
    }
    return SIMDEPTH_OK;
}

/* A non-negative JSON integer that fits size_t, else 0. */
static int get_size(const json_t *v, size_t *out)
{
    json_int_t i;

    if (!json_is_integer(v))
        return 0;
    i = json_integer_value(v);
    if (i < 0 || (unsigned long long)i > SIZE_MAX)
        return 0;
    *out = (size_t)i;
    return 1;
}

/* Describe a bad list element for a message: "-1", "2.5", "a string". */
static void describe(const json_t *v, char *buf, size_t size)
{
    if (json_is_integer(v))
        snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else
        snprintf(buf, size, "%s", json_kind(v));
}

#define ENTRY_ERR(c, e, st, ...) \
    simdepth_i_error_set((c)->err, (st), (c)->f->path, 0, 0, (e)->key_at, __VA_ARGS__)

/* Check one tensor entry against itself and the data area's size. */
static simdepth_status parse_entry(const st_ctx *c, json_t *v, st_entry *e)
{
    const char *key, *name = e->name;
    json_t *x, *dtype = NULL, *shape = NULL, *offs = NULL;
    size_t k, count = 1, es, nbytes;
    char sh[200], what[64];

    if (!json_is_object(v))
        return ENTRY_ERR(c, e, SIMDEPTH_EFORMAT,
                         "tensor '%s' is %s; expected an object with 'dtype', 'shape' and "
                         "'data_offsets'",
                         name, json_kind(v));
    json_object_foreach(v, key, x) {
        if (strcmp(key, "dtype") == 0)
            dtype = x;
        else if (strcmp(key, "shape") == 0)
            shape = x;
        else if (strcmp(key, "data_offsets") == 0)
            offs = x;
        else
            return ENTRY_ERR(c, e, SIMDEPTH_EFORMAT,
                             "tensor '%s' has the unexpected key '%s'; expected only "
                             "'dtype', 'shape' and 'data_offsets'",
                             name, key);
    }
    if (dtype == NULL || shape == NULL || offs == NULL)
        return ENTRY_ERR(c, e, SIMDEPTH_EFORMAT, "tensor '%s' lacks '%s'", name,
                         dtype == NULL ? "dtype" : shape == NULL ? "shape" : "data_offsets");

    if (!json_is_string(dtype))
        return ENTRY_ERR(c, e, SIMDEPTH_EFORMAT, "tensor '%s': 'dtype' is %s; expected a string",
                         name, json_kind(dtype));
    if (!dtype_from_name(json_string_value(dtype), &e->dtype))
        return ENTRY_ERR(c, e, SIMDEPTH_EUNSUPPORTED,
                         "tensor '%s' has dtype '%.40s', which is not supported; expected F16, "
                         "BF16, F32, F64, I8, U8, I16, I32, I64 or BOOL",
                         name, json_string_value(dtype));

    if (!json_is_array(shape))
        return ENTRY_ERR(c, e, SIMDEPTH_EFORMAT, "tensor '%s': 'shape' is %s; expected a list",
                         name, json_kind(shape));
    if (json_array_size(shape) > SIMDEPTH_TENSOR_MAX_DIMS)
        return ENTRY_ERR(c, e, SIMDEPTH_EUNSUPPORTED,
                         "tensor '%s' has %zu dimensions; at most %d are supported", name,
                         json_array_size(shape), SIMDEPTH_TENSOR_MAX_DIMS);
    e->ndim = (int)json_array_size(shape);
    for (k = 0; k < json_array_size(shape); k++)
        if (!get_size(json_array_get(shape, k), &e->shape[k])) {
            describe(json_array_get(shape, k), what, sizeof what);
            return ENTRY_ERR(c, e, SIMDEPTH_EFORMAT,
                             "tensor '%s': shape entry %zu is %s; expected a non-negative "
                             "integer",
                             name, k, what);
        }

    if (!json_is_array(offs) || json_array_size(offs) != 2)
        return ENTRY_ERR(c, e, SIMDEPTH_EFORMAT,
                         "tensor '%s': 'data_offsets' is %s; expected a list [begin, end]",
                         name, json_is_array(offs) ? "a list of another length" : json_kind(offs));
    for (k = 0; k < 2; k++)
        if (!get_size(json_array_get(offs, k), k == 0 ? &e->begin : &e->end)) {
            describe(json_array_get(offs, k), what, sizeof what);
            return ENTRY_ERR(c, e, SIMDEPTH_EFORMAT,
                             "tensor '%s': data_offsets %s is %s; expected a non-negative "
                             "integer",
                             name, k == 0 ? "begin" : "end", what);
        }
    if (e->end < e->begin)
        return ENTRY_ERR(c, e, SIMDEPTH_EFORMAT,
                         "tensor '%s': data_offsets [%zu, %zu] end before they begin", name,
                         e->begin, e->end);

    format_shape(sh, sizeof sh, e->shape, e->ndim);
    es = simdepth_tensor_dtype_size(e->dtype);
    for (k = 0; k < (size_t)e->ndim; k++) {
        if (simdepth_i_mul_overflows(count, e->shape[k]))
            return ENTRY_ERR(c, e, SIMDEPTH_EFORMAT,
                             "tensor '%s': shape %s overflows the address space", name, sh);
        count *= e->shape[k];
    }
    if (simdepth_i_mul_overflows(count, es))
        return ENTRY_ERR(c, e, SIMDEPTH_EFORMAT,
                         "tensor '%s': shape %s of %s overflows the address space", name, sh,
                         simdepth_tensor_dtype_name(e->dtype));
    nbytes = count * es;
    if (e->end - e->begin != nbytes)
        return ENTRY_ERR(c, e, SIMDEPTH_EFORMAT,
                         "tensor '%s': shape %s of %s needs %zu bytes but data_offsets "
                         "[%zu, %zu] hold %zu",
                         name, sh, simdepth_tensor_dtype_name(e->dtype), nbytes, e->begin,
                         e->end, e->end - e->begin);
    if (e->end > c->data_len)
        return ENTRY_ERR(c, e, SIMDEPTH_EFORMAT,
                         "tensor '%s': data_offsets [%zu, %zu] run past the end of the "
                         "%zu-byte data area (bytes %zu to %zu of the file)",
                         name, e->begin, e->end, c->data_len, c->data_at,
                         c->data_at + c->data_len);
    return SIMDEPTH_OK;
}

static int by_offset(const void *a, const void *b)
{
    const st_entry *x = *(const st_entry *const *)a, *y = *(const st_entry *const *)b;

    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* The byte ranges must tile the data area: sorted by offset, each begins
 * where the previous one ended, from 0 to the end of the file. */
static simdepth_status check_tiling(const st_ctx *c, st_entry **sorted, size_t n)
{
    const char *path = c->f->path;
    size_t i, at = 0;

    for (i = 0; i < n; i++) {
        const st_entry *e = sorted[i];
        if (e->begin < at) {
            const st_entry *p = sorted[i - 1];
            return simdepth_i_error_set(
                c->err, SIMDEPTH_EFORMAT, path, 0, 0, (long long)(c->data_at + e->begin),
                "tensor '%s' (data_offsets [%zu, %zu]) overlaps tensor '%s' ([%zu, %zu]); "
                "buffers must not overlap",
                e->name, e->begin, e->end, p->name, p->begin, p->end);
        }
        if (e->begin > at)
            return simdepth_i_error_set(
                c->err, SIMDEPTH_EFORMAT, path, 0, 0, (long long)(c->data_at + at),
                "data bytes %zu to %zu belong to no tensor (a hole before tensor '%s' at "
                "[%zu, %zu]); the buffers must cover the data area without holes",
                at, e->begin, e->name, e->begin, e->end);
        at = e->end;
    }
    if (at != c->data_len)
        return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, path, 0, 0,
                                    (long long)(c->data_at + at),
                                    n > 0 ? "%zu trailing bytes after the last tensor's data"
                                          : "%zu trailing bytes after a header that lists no "
                                            "tensors",
                                    c->data_len - at);
    return SIMDEPTH_OK;
}

/* Check every entry of the parsed header @root, then add the tensors. */
static simdepth_status load_entries(const st_ctx *c, json_t *root, const unsigned char *data)
{
    size_t n_keys = json_object_size(root), n = 0, i = 0;
    st_entry *entries = NULL, **sorted = NULL;
    long long *key_at = NULL;
    const char *key;
    json_t *v;
    simdepth_status st = SIMDEPTH_OK;

    entries = simdepth_i_calloc(n_keys ? n_keys : 1, sizeof *entries);
    sorted = simdepth_i_calloc(n_keys ? n_keys : 1, sizeof *sorted);
    key_at = simdepth_i_calloc(n_keys ? n_keys : 1, sizeof *key_at);
    if (entries == NULL || sorted == NULL || key_at == NULL) {
        st = simdepth_i_enomem(c->err, "the safetensors header");
        goto out;
    }
    top_level_keys(c, key_at, n_keys);
    json_object_foreach(root, key, v) {
        long long at = key_at[i++];
        if (strcmp(key, ST_METADATA) == 0) {
            st = check_metadata(c, v, at);
        } else {
            st_entry *e = &entries[n];
            e->name = key;
            e->key_at = at;
            e->order = n;
            st = parse_entry(c, v, e);
            sorted[n++] = e;
        }
        if (st != SIMDEPTH_OK)
            goto out;
    }
    qsort(sorted, n, sizeof *sorted, by_offset);
    st = check_tiling(c, sorted, n);
    for (i = 0; i < n && st == SIMDEPTH_OK; i++) {
        const st_entry *e = &entries[i];
        st = simdepth_i_tensor_file_add(c->f, e->name, e->dtype, e->ndim, e->shape, NULL,
                                        data + e->begin, e->end - e->begin, 0, c->err);
    }
out:
    free(key_at);
    free(sorted);
    free(entries);
    return st;
}

simdepth_status simdepth_i_safetensors_parse(simdepth_tensor_file *f, unsigned char *buf,
                                             size_t len, simdepth_error *err)
{
    st_ctx c;
    uint64_t n;
    json_t *root = NULL;
    json_error_t jerr;
    simdepth_status st;

    memset(&c, 0, sizeof c);
    c.f = f;
    c.err = err;
    if (len < 8)
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, f->path, 0, 0, (long long)len,
                                    "file of %zu bytes ends inside the 8-byte safetensors "
                                    "header length",
                                    len);
    n = le64(buf);
    if (n > len - 8)
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, f->path, 0, 0, 0,
                                    "header length %llu runs past the end of the %zu-byte file",
                                    (unsigned long long)n, len);
    if (n > ST_MAX_HEADER)
        return simdepth_i_error_set(err, SIMDEPTH_EUNSUPPORTED, f->path, 0, 0, 0,
                                    "header length %llu is more than the %llu bytes accepted",
                                    (unsigned long long)n, (unsigned long long)ST_MAX_HEADER);
    c.header = buf + 8;
    c.header_len = (size_t)n;
    c.data_at = 8 + (size_t)n;
    c.data_len = len - c.data_at;
    root = json_loadb((const char *)c.header, c.header_len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return json_failure(&c, &jerr);
    if (!json_is_object(root))
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, f->path, 0, 0, 8,
                                  "the JSON header is %s; expected an object", json_kind(root));
    else
        st = load_entries(&c, root, buf + c.data_at);
    json_decref(root);
    return st;
}
