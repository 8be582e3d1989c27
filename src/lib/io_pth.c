/* simdepth — PyTorch checkpoints written by torch.save().
 *
 * Two layouts exist:
 *
 * - zip (PyTorch >= 1.6): entries <prefix>/data.pkl (the pickled object),
 *   <prefix>/data/<key> (one raw storage per key), <prefix>/version and,
 *   since PyTorch 2, <prefix>/byteorder ("little" or "big"). The prefix is
 *   the directory that holds data.pkl ("archive" or the file's stem).
 *   Entries are normally stored; deflated ones are accepted within limits.
 *
 * - legacy (_use_new_zipfile_serialization=False): a sequence of pickles —
 *   the magic number 0x1950a86a20f9469cfc6c, the protocol version 1001, a
 *   sys_info dict, the object, the list of storage keys — followed, for
 *   each key in that order, by an 8-byte little-endian element count and
 *   the storage's bytes (always little-endian).
 *
 * The pickles are decoded by the restricted unpickler in pickle.c, which
 * executes nothing. The decoded object is then walked: a checkpoint that
 * wraps its weights ({"state_dict": ...}, {"model": ...}, ...) is
 * unwrapped, nested dicts are flattened into dotted names, tensors are
 * added with their strides and storage offsets, and anything else (epochs,
 * optimizer settings, strings) is skipped.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "internal.h"
#include "pickle_i.h"
#include "tensor_i.h"

/* Largest zip entry we decompress, and the largest compression ratio we
 * believe (deflate cannot exceed about 1032:1; real storages come nowhere
 * near it). */
#define PTH_MAX_ENTRY ((uint64_t)64 << 30)
#define PTH_MAX_RATIO 1000u
/* Deflated entries are read in growing chunks, so that a lying header
 * cannot make us allocate more than twice what the stream really holds. */
#define PTH_FIRST_CHUNK ((size_t)1 << 20)
/* Limits of the walk over the decoded object. */
#define PTH_MAX_TENSORS ((size_t)1 << 20)
#define PTH_MAX_DEPTH 64
#define PTH_MAX_NAME 4096
/* All tensor names together: shared sub-dicts (memo references) would
 * otherwise let a few kilobytes of pickle spell out gigabytes of paths. */
#define PTH_MAX_NAME_BYTES ((size_t)64 << 20)
#define PTH_WALK_BUDGET ((size_t)1 << 25)

/* The torch magic number as a 16-byte little-endian integer. */
static const unsigned char torch_magic[16] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8,
                                              0x50, 0x19, 0, 0, 0, 0, 0, 0};
#define TORCH_LEGACY_PROTOCOL 1001

/* Zero-sized storages point here. */
static const unsigned char empty_storage[1];

/* One distinct storage (root key) referenced by the pickle. */
typedef struct pth_storage {
    const char *key;             /* not NUL-terminated; points into the pickle */
    size_t key_len;
    simdepth_tensor_dtype dtype;
    uint64_t numel;
    size_t nbytes;
    const unsigned char *data;   /* NULL until located or loaded */
    zip_uint64_t entry;          /* zip: index of <prefix>/data/<key> */
} pth_storage;

/* A zip entry under <prefix>/data/. */
typedef struct pth_entry {
    const char *key;             /* the name after "<prefix>/data/" */
    zip_uint64_t index;
} pth_entry;

typedef struct pth_ctx {
    simdepth_tensor_file *f;
    simdepth_error *err;
    pth_storage *st;
    size_t n_st;
    int big_endian;
    /* zip only */
    zip_t *za;
    const char *prefix;
    size_t prefix_len;
    size_t len;                  /* size of the whole file */
    /* the walk */
    size_t budget, n_tensors, name_bytes;
    char name[PTH_MAX_NAME];
} pth_ctx;

/* Key text for messages: at most 60 printable bytes. */
static void show_key(char *dst, size_t size, const char *key, size_t len)
{
    size_t i, k = 0;

    for (i = 0; i < len && k + 4 < size && i < 60; i++) {
        unsigned char ch = (unsigned char)key[i];
        dst[k++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
    }
    if (i < len && k + 4 <= size) {
        memcpy(dst + k, "...", 3);
        k += 3;
    }
    dst[k] = '\0';
}

static int key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int r = memcmp(a, b, alen < blen ? alen : blen);

    if (r != 0)
        return r;
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

static int storage_cmp(const void *a, const void *b)
{
    const pth_storage *x = a, *y = b;

    return key_cmp(x->key, x->key_len, y->key, y->key_len);
}

static pth_storage *find_storage(pth_ctx *c, const char *key, size_t len)
{
    size_t lo = 0, hi = c->n_st;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = key_cmp(key, len, c->st[mid].key, c->st[mid].key_len);
        if (r == 0)
            return &c->st[mid];
        if (r < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* Gather the storages the pickle references, one per key. A key declared
 * twice must agree on type and size. @where names the pickle. */
static simdepth_status collect_storages(pth_ctx *c, const simdepth_i_pickle *pk,
                                        const char *where)
{
    size_t n = simdepth_i_pickle_n_storages(pk), i, k = 0;

    if (n == 0)
        return SIMDEPTH_OK;
    c->st = simdepth_i_calloc(n, sizeof *c->st);
    if (c->st == NULL)
        return simdepth_i_enomem(c->err, "the storage table");
    for (i = 0; i < n; i++) {
        const simdepth_i_pstorage *s = simdepth_i_pickle_storage(pk, i);
        pth_storage *t = &c->st[i];
        size_t es = simdepth_tensor_dtype_size(s->dtype);
        t->key = s->key;
        t->key_len = s->key_len;
        t->dtype = s->dtype;
        t->numel = s->numel;
        if (s->numel > SIZE_MAX / es)
            return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0, -1,
                                        "%s declares a storage of %llu elements, which "
                                        "overflows the address space",
                                        where, (unsigned long long)s->numel);
        t->nbytes = (size_t)s->numel * es;
    }
    qsort(c->st, n, sizeof *c->st, storage_cmp);
    for (i = 0; i < n; i++) {
        if (k > 0 && storage_cmp(&c->st[k - 1], &c->st[i]) == 0) {
            if (c->st[k - 1].dtype != c->st[i].dtype || c->st[k - 1].numel != c->st[i].numel) {
                char key[80];
                show_key(key, sizeof key, c->st[i].key, c->st[i].key_len);
                return simdepth_i_error_set(
                    c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0, -1,
                    "%s declares storage '%s' twice, as %llu x %s and as %llu x %s", where, key,
                    (unsigned long long)c->st[k - 1].numel,
                    simdepth_tensor_dtype_name(c->st[k - 1].dtype),
                    (unsigned long long)c->st[i].numel,
                    simdepth_tensor_dtype_name(c->st[i].dtype));
            }
            continue;
        }
        c->st[k++] = c->st[i];
    }
    c->n_st = k;
    return SIMDEPTH_OK;
}

/* ---- zip entries ---- */

static simdepth_status zip_fail(pth_ctx *c, simdepth_status st, const char *entry,
                                const char *what, const char *detail)
{
    return simdepth_i_error_set(c->err, st, c->f->path, 0, 0, -1, "zip entry '%s': %s%s%s",
                                entry, what, detail ? ": " : "", detail ? detail : "");
}

/* Read zip entry @index (named @name) whole into a malloc'd buffer. The
 * sizes the archive declares are checked before anything is allocated,
 * and the bytes actually read must equal them. */
static simdepth_status zip_read_entry(pth_ctx *c, zip_uint64_t index, const char *name,
                                      unsigned char **out, size_t *out_len)
{
    zip_stat_t sb;
    zip_file_t *zf = NULL;
    unsigned char *buf = NULL, extra;
    size_t size, cap, got = 0;
    simdepth_status st = SIMDEPTH_OK;
    zip_int64_t n;
    char msg[160];

    zip_stat_init(&sb);
    if (zip_stat_index(c->za, index, 0, &sb) != 0)
        return zip_fail(c, SIMDEPTH_EFORMAT, name, "cannot stat", zip_strerror(c->za));
    if ((sb.valid & (ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD)) !=
        (ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD))
        return zip_fail(c, SIMDEPTH_EFORMAT, name, "sizes or compression method unknown", NULL);
    if ((sb.valid & ZIP_STAT_ENCRYPTION_METHOD) && sb.encryption_method != ZIP_EM_NONE)
        return zip_fail(c, SIMDEPTH_EUNSUPPORTED, name, "is encrypted", NULL);
    if (sb.comp_method != ZIP_CM_STORE && sb.comp_method != ZIP_CM_DEFLATE) {
        snprintf(msg, sizeof msg, "compression method %u is not supported (only stored or "
                                  "deflated)",
                 (unsigned)sb.comp_method);
        return zip_fail(c, SIMDEPTH_EUNSUPPORTED, name, msg, NULL);
    }
    if (sb.comp_size > c->len) {
        snprintf(msg, sizeof msg, "declares %llu compressed bytes in a file of %zu bytes",
                 (unsigned long long)sb.comp_size, c->len);
        return zip_fail(c, SIMDEPTH_EFORMAT, name, msg, NULL);
    }
    if (sb.comp_method == ZIP_CM_STORE && sb.size != sb.comp_size) {
        snprintf(msg, sizeof msg, "is stored but declares %llu bytes uncompressed and %llu "
                                  "compressed",
                 (unsigned long long)sb.size, (unsigned long long)sb.comp_size);
        return zip_fail(c, SIMDEPTH_EFORMAT, name, msg, NULL);
    }
    if (sb.size > PTH_MAX_ENTRY || sb.size > SIZE_MAX - 1) {
        snprintf(msg, sizeof msg, "declares %llu bytes uncompressed, more than the %llu "
                                  "accepted",
                 (unsigned long long)sb.size, (unsigned long long)PTH_MAX_ENTRY);
        return zip_fail(c, SIMDEPTH_EUNSUPPORTED, name, msg, NULL);
    }
    if (sb.comp_method == ZIP_CM_DEFLATE &&
        (sb.comp_size > UINT64_MAX / PTH_MAX_RATIO || sb.size > sb.comp_size * PTH_MAX_RATIO)) {
        snprintf(msg, sizeof msg, "declares %llu bytes deflated into %llu, a ratio above "
                                  "%u:1 (a zip bomb?); refused",
                 (unsigned long long)sb.size, (unsigned long long)sb.comp_size, PTH_MAX_RATIO);
        return zip_fail(c, SIMDEPTH_EUNSUPPORTED, name, msg, NULL);
    }
    size = (size_t)sb.size;
    cap = (sb.comp_method == ZIP_CM_STORE || size < PTH_FIRST_CHUNK) ? size : PTH_FIRST_CHUNK;
    buf = simdepth_i_malloc(cap);
    if (buf == NULL)
        return simdepth_i_enomem(c->err, "a zip entry");
    zf = zip_fopen_index(c->za, index, 0);
    if (zf == NULL) {
        st = zip_fail(c, SIMDEPTH_EFORMAT, name, "cannot open", zip_strerror(c->za));
        goto out;
    }
    while (got < size) {
        if (got == cap) {
            size_t ncap = cap > size / 2 ? size : 2 * cap;
            unsigned char *nb = simdepth_i_realloc_array(buf, ncap, 1);
            if (nb == NULL) {
                st = simdepth_i_enomem(c->err, "a zip entry");
                goto out;
            }
            buf = nb;
            cap = ncap;
        }
        n = zip_fread(zf, buf + got, cap - got);
        if (n < 0) {
            st = zip_fail(c, SIMDEPTH_EFORMAT, name, "cannot read", zip_file_strerror(zf));
            goto out;
        }
        if (n == 0) {
            snprintf(msg, sizeof msg, "holds only %zu of the %zu bytes it declares", got, size);
            st = zip_fail(c, SIMDEPTH_EFORMAT, name, msg, NULL);
            goto out;
        }
        got += (size_t)n;
    }
    /* The stream must end where the header says it does. */
    n = zip_fread(zf, &extra, 1);
    if (n != 0) {
        if (n < 0)
            st = zip_fail(c, SIMDEPTH_EFORMAT, name, "cannot read", zip_file_strerror(zf));
        else {
            snprintf(msg, sizeof msg, "holds more than the %zu bytes it declares", size);
            st = zip_fail(c, SIMDEPTH_EFORMAT, name, msg, NULL);
        }
        goto out;
    }
    *out = buf;
    *out_len = size;
    buf = NULL;
out:
    if (zf != NULL)
        zip_fclose(zf);
    free(buf);
    return st;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const pth_entry *)a)->key, ((const pth_entry *)b)->key);
}

static int entry_key_cmp(const char *key, size_t len, const char *name)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (name[i] == '\0')
            return 1;
        if (key[i] != name[i])
            return (unsigned char)key[i] < (unsigned char)name[i] ? -1 : 1;
    }
    return name[len] == '\0' ? 0 : -1;
}

/* Match every storage the pickle references with its entry
 * <prefix>/data/<key> and check the entry's size against numel * element
 * size. Nothing is read yet. */
static simdepth_status zip_locate_storages(pth_ctx *c, zip_int64_t n_entries)
{
    pth_entry *e = NULL;
    size_t n_e = 0, i;
    zip_int64_t j;
    simdepth_status st = SIMDEPTH_OK;
    char key[80];

    if (c->n_st == 0)
        return SIMDEPTH_OK;
    e = simdepth_i_malloc_array((size_t)n_entries, sizeof *e);
    if (e == NULL)
        return simdepth_i_enomem(c->err, "the zip entry table");
    for (j = 0; j < n_entries; j++) {
        const char *nm = zip_get_name(c->za, (zip_uint64_t)j, ZIP_FL_ENC_RAW);
        if (nm != NULL && strncmp(nm, c->prefix, c->prefix_len) == 0 &&
            strncmp(nm + c->prefix_len, "/data/", 6) == 0) {
            e[n_e].key = nm + c->prefix_len + 6;
            e[n_e].index = (zip_uint64_t)j;
            n_e++;
        }
    }
    qsort(e, n_e, sizeof *e, entry_cmp);
    for (i = 1; i < n_e; i++)
        if (strcmp(e[i - 1].key, e[i].key) == 0) {
            st = simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0, -1,
                                      "zip entry '%.*s/data/%s' appears twice",
                                      (int)c->prefix_len, c->prefix, e[i].key);
            goto out;
        }
    for (i = 0; i < c->n_st; i++) {
        pth_storage *s = &c->st[i];
        size_t lo = 0, hi = n_e;
        const pth_entry *hit = NULL;
        zip_stat_t sb;

        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int r = entry_key_cmp(s->key, s->key_len, e[mid].key);
            if (r == 0) {
                hit = &e[mid];
                break;
            }
            if (r < 0)
                hi = mid;
            else
                lo = mid + 1;
        }
        show_key(key, sizeof key, s->key, s->key_len);
        if (hit == NULL) {
            st = simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0, -1,
                                      "storage '%s' referenced by %.*s/data.pkl is missing: "
                                      "no zip entry '%.*s/data/%s'",
                                      key, (int)c->prefix_len, c->prefix, (int)c->prefix_len,
                                      c->prefix, key);
            goto out;
        }
        zip_stat_init(&sb);
        if (zip_stat_index(c->za, hit->index, 0, &sb) != 0 || !(sb.valid & ZIP_STAT_SIZE)) {
            st = simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0, -1,
                                      "zip entry '%.*s/data/%s': cannot stat: %s",
                                      (int)c->prefix_len, c->prefix, key, zip_strerror(c->za));
            goto out;
        }
        if (sb.size != (zip_uint64_t)s->nbytes) {
            st = simdepth_i_error_set(
                c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0, -1,
                "zip entry '%.*s/data/%s' holds %llu bytes but data.pkl declares %llu "
                "elements of %s (%zu bytes)",
                (int)c->prefix_len, c->prefix, key, (unsigned long long)sb.size,
                (unsigned long long)s->numel, simdepth_tensor_dtype_name(s->dtype), s->nbytes);
            goto out;
        }
        s->entry = hit->index;
    }
out:
    free(e);
    return st;
}

/* Read storage @s from the zip unless done already; the buffer goes to
 * the tensor file. */
static simdepth_status zip_load_storage(pth_ctx *c, pth_storage *s)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    char key[80], name[200];
    simdepth_status st;

    if (s->data != NULL)
        return SIMDEPTH_OK;
    if (s->nbytes == 0) {
        s->data = empty_storage;
        return SIMDEPTH_OK;
    }
    show_key(key, sizeof key, s->key, s->key_len);
    snprintf(name, sizeof name, "%.*s/data/%s", (int)c->prefix_len, c->prefix, key);
    st = zip_read_entry(c, s->entry, name, &buf, &len);
    if (st != SIMDEPTH_OK)
        return st;
    if (len != s->nbytes) { /* the entry changed size between stat and read */
        free(buf);
        return zip_fail(c, SIMDEPTH_EFORMAT, name, "size differs from its declaration", NULL);
    }
    st = simdepth_i_tensor_file_adopt(c->f, buf, c->err);
    if (st != SIMDEPTH_OK)
        return st;
    s->data = buf;
    return SIMDEPTH_OK;
}

/* ---- the walk ---- */

static simdepth_status add_tensor(pth_ctx *c, const char *name, const simdepth_i_ptensor *t)
{
    const simdepth_i_pstorage *ps = t->storage->u.storage;
    pth_storage *s = find_storage(c, ps->key, ps->key_len);
    size_t shape[SIMDEPTH_TENSOR_MAX_DIMS], es = simdepth_tensor_dtype_size(ps->dtype);
    uint64_t first;
    simdepth_status st;
    int k;

    if (s == NULL) /* cannot happen: every storage was collected */
        return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0, -1,
                                    "tensor '%s' has no storage", name);
    if (c->n_tensors >= PTH_MAX_TENSORS)
        return simdepth_i_error_set(c->err, SIMDEPTH_EUNSUPPORTED, c->f->path, 0, 0, -1,
                                    "the checkpoint holds more than %zu tensors; refusing it",
                                    PTH_MAX_TENSORS);
    if (t->offset > ps->view_numel)
        return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0, -1,
                                    "tensor '%s': storage offset %llu lies beyond its storage "
                                    "of %llu elements",
                                    name, (unsigned long long)t->offset,
                                    (unsigned long long)ps->view_numel);
    for (k = 0; k < t->ndim; k++) {
        if (t->shape[k] > SIZE_MAX)
            return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0, -1,
                                        "tensor '%s': shape overflows the address space", name);
        shape[k] = (size_t)t->shape[k];
    }
    if (c->za != NULL) {
        st = zip_load_storage(c, s);
        if (st != SIMDEPTH_OK)
            return st;
    }
    /* view_offset + view_numel <= numel and numel * es fits: no overflow */
    first = ps->view_offset + t->offset;
    st = simdepth_i_tensor_file_add(c->f, name, ps->dtype, t->ndim, shape, t->stride,
                                    s->data + first * es,
                                    (size_t)(ps->view_numel - t->offset) * es, c->big_endian,
                                    c->err);
    if (st == SIMDEPTH_OK)
        c->n_tensors++;
    return st;
}

static simdepth_status walk_budget(pth_ctx *c)
{
    if (c->budget == 0)
        return simdepth_i_error_set(c->err, SIMDEPTH_EUNSUPPORTED, c->f->path, 0, 0, -1,
                                    "the checkpoint's dicts hold more than %zu entries in "
                                    "all (shared or repeated sub-dicts?); refusing it",
                                    PTH_WALK_BUDGET);
    c->budget--;
    return SIMDEPTH_OK;
}

/* 1 if @d holds a tensor, directly or in nested dicts. */
static int has_tensor(pth_ctx *c, const simdepth_i_pobj *d, int depth)
{
    size_t i;

    if (depth > PTH_MAX_DEPTH)
        return 0;
    for (i = 0; i + 1 < d->u.seq.n; i += 2) {
        const simdepth_i_pobj *v = d->u.seq.v[i + 1];
        if (c->budget == 0)
            return 0;
        c->budget--;
        if (v->kind == SIMDEPTH_I_PK_TENSOR ||
            (v->kind == SIMDEPTH_I_PK_DICT && has_tensor(c, v, depth + 1)))
            return 1;
    }
    return 0;
}

/* Add the tensors of dict @d under the name prefix c->name[0..len). */
static simdepth_status flatten(pth_ctx *c, const simdepth_i_pobj *d, size_t len, int depth)
{
    size_t i;
    simdepth_status st;

    if (depth > PTH_MAX_DEPTH)
        return simdepth_i_error_set(c->err, SIMDEPTH_EUNSUPPORTED, c->f->path, 0, 0, -1,
                                    "the checkpoint nests dicts deeper than %d levels (or "
                                    "contains a cycle); refusing it",
                                    PTH_MAX_DEPTH);
    for (i = 0; i + 1 < d->u.seq.n; i += 2) {
        const simdepth_i_pobj *k = d->u.seq.v[i], *v = d->u.seq.v[i + 1];
        size_t klen, end;
        char num[32];
        const char *ktext;

        st = walk_budget(c);
        if (st != SIMDEPTH_OK)
            return st;
        if (v->kind != SIMDEPTH_I_PK_TENSOR && v->kind != SIMDEPTH_I_PK_DICT)
            continue;
        if (k->kind == SIMDEPTH_I_PK_STR) {
            ktext = k->u.s.p;
            klen = k->u.s.len;
            if (memchr(ktext, '\0', klen) != NULL)
                return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0, -1,
                                            "a checkpoint key contains a NUL byte");
        } else if (k->kind == SIMDEPTH_I_PK_INT) { /* optimizer state is keyed by index */
            snprintf(num, sizeof num, "%lld", (long long)k->u.i);
            ktext = num;
            klen = strlen(num);
        } else {
            continue;
        }
        if (klen >= PTH_MAX_NAME - len - 1)
            return simdepth_i_error_set(c->err, SIMDEPTH_EUNSUPPORTED, c->f->path, 0, 0, -1,
                                        "a tensor name is longer than %d bytes",
                                        PTH_MAX_NAME - 2);
        memcpy(c->name + len, ktext, klen);
        end = len + klen;
        c->name[end] = '\0';
        if (v->kind == SIMDEPTH_I_PK_TENSOR) {
            c->name_bytes += end + 1;
            if (c->name_bytes > PTH_MAX_NAME_BYTES)
                return simdepth_i_error_set(c->err, SIMDEPTH_EUNSUPPORTED, c->f->path, 0, 0, -1,
                                            "the checkpoint's tensor names add up to more than "
                                            "%zu MiB (shared sub-dicts?); refusing it",
                                            PTH_MAX_NAME_BYTES >> 20);
            st = add_tensor(c, c->name, v->u.tensor);
        } else {
            c->name[end] = '.';
            c->name[end + 1] = '\0';
            st = flatten(c, v, end + 1, depth + 1);
        }
        if (st != SIMDEPTH_OK)
            return st;
        c->name[len] = '\0';
    }
    return SIMDEPTH_OK;
}

/* Keys under which training scripts nest the weights, in order of
 * preference. */
static const char *const wrapper_keys[] = {"state_dict", "model_state_dict", "model", "net",
                                           "module"};

static simdepth_status walk_root(pth_ctx *c, const simdepth_i_pobj *root)
{
    int level;
    size_t i;

    c->budget = PTH_WALK_BUDGET;
    c->name[0] = '\0';
    for (level = 0; level < PTH_MAX_DEPTH && root->kind == SIMDEPTH_I_PK_DICT; level++) {
        const simdepth_i_pobj *inner = NULL;
        for (i = 0; i < sizeof wrapper_keys / sizeof wrapper_keys[0] && inner == NULL; i++) {
            const simdepth_i_pobj *v = simdepth_i_pickle_dict_get(root, wrapper_keys[i]);
            if (v != NULL && v->kind == SIMDEPTH_I_PK_DICT && has_tensor(c, v, 0))
                inner = v;
        }
        if (inner == NULL)
            break;
        root = inner;
    }
    if (root->kind == SIMDEPTH_I_PK_TENSOR) /* torch.save(tensor) */
        return add_tensor(c, "", root->u.tensor);
    if (root->kind != SIMDEPTH_I_PK_DICT)
        return simdepth_i_error_set(c->err, SIMDEPTH_EUNSUPPORTED, c->f->path, 0, 0, -1,
                                    "the checkpoint holds a %s; expected a dict of tensors "
                                    "(a state_dict) or a tensor",
                                    simdepth_i_pickle_kind_name(root));
    return flatten(c, root, 0, 0);
}

/* ---- zip layout ---- */

/* Find the one entry "<dir>/data.pkl" (dir non-empty, without '/'). */
static simdepth_status zip_find_pickle(pth_ctx *c, zip_int64_t n_entries, zip_uint64_t *index)
{
    zip_int64_t j;
    const char *found = NULL;

    for (j = 0; j < n_entries; j++) {
        const char *nm = zip_get_name(c->za, (zip_uint64_t)j, ZIP_FL_ENC_RAW);
        const char *slash;
        if (nm == NULL)
            continue;
        slash = strchr(nm, '/');
        if (slash == NULL || slash == nm || strcmp(slash, "/data.pkl") != 0)
            continue;
        if (found != NULL)
            return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0, -1,
                                        "ambiguous checkpoint: both '%s' and '%s' are in the "
                                        "zip archive",
                                        found, nm);
        found = nm;
        *index = (zip_uint64_t)j;
        c->prefix = nm;
        c->prefix_len = (size_t)(slash - nm);
    }
    if (found == NULL)
        return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0, -1,
                                    "zip archive has no '<dir>/data.pkl' entry; not a "
                                    "checkpoint written by torch.save");
    return SIMDEPTH_OK;
}

/* <prefix>/byteorder, when present, says how storages are laid out. */
static simdepth_status zip_byteorder(pth_ctx *c, zip_int64_t n_entries)
{
    zip_int64_t j, hit = -1;
    unsigned char *buf = NULL;
    size_t len = 0;
    char name[300];
    simdepth_status st;

    for (j = 0; j < n_entries; j++) {
        const char *nm = zip_get_name(c->za, (zip_uint64_t)j, ZIP_FL_ENC_RAW);
        if (nm != NULL && strncmp(nm, c->prefix, c->prefix_len) == 0 &&
            strcmp(nm + c->prefix_len, "/byteorder") == 0) {
            if (hit >= 0)
                return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0, -1,
                                            "zip entry '%s' appears twice", nm);
            hit = j;
        }
    }
    c->big_endian = 0;
    if (hit < 0)
        return SIMDEPTH_OK;
    snprintf(name, sizeof name, "%.*s/byteorder", (int)c->prefix_len, c->prefix);
    st = zip_read_entry(c, (zip_uint64_t)hit, name, &buf, &len);
    if (st != SIMDEPTH_OK)
        return st;
    if (len == 6 && memcmp(buf, "little", 6) == 0)
        c->big_endian = 0;
    else if (len == 3 && memcmp(buf, "big", 3) == 0)
        c->big_endian = 1;
    else
        st = zip_fail(c, SIMDEPTH_EFORMAT, name, "is neither \"little\" nor \"big\"", NULL);
    free(buf);
    return st;
}

simdepth_status simdepth_i_pth_zip_parse(simdepth_tensor_file *f, unsigned char *buf,
                                         size_t len, simdepth_error *err)
{
    pth_ctx *c = NULL;
    zip_error_t zerr;
    zip_source_t *src = NULL;
    simdepth_i_pickle *pk = NULL;
    unsigned char *pkl = NULL;
    size_t pkl_len = 0, used = 0;
    zip_int64_t n_entries;
    zip_uint64_t pkl_index = 0;
    const simdepth_i_pobj *root;
    char where[300];
    simdepth_status st;

    zip_error_init(&zerr);
    c = simdepth_i_calloc(1, sizeof *c);
    if (c == NULL) {
        st = simdepth_i_enomem(err, "a checkpoint reader");
        goto out;
    }
    c->f = f;
    c->err = err;
    c->len = len;
    src = zip_source_buffer_create(buf, len, 0, &zerr);
    if (src == NULL) {
        st = simdepth_i_enomem(err, "a zip source");
        goto out;
    }
    c->za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
    if (c->za == NULL) {
        zip_source_free(src);
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, f->path, 0, 0, -1,
                                  "not a readable zip archive: %s", zip_error_strerror(&zerr));
        goto out;
    }
    n_entries = zip_get_num_entries(c->za, 0);
    if (n_entries < 0 || (uint64_t)n_entries > len) {
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, f->path, 0, 0, -1,
                                  "zip archive declares an impossible number of entries");
        goto out;
    }
    st = zip_find_pickle(c, n_entries, &pkl_index);
    if (st != SIMDEPTH_OK)
        goto out;
    st = zip_byteorder(c, n_entries);
    if (st != SIMDEPTH_OK)
        goto out;
    snprintf(where, sizeof where, "%.*s/data.pkl", (int)c->prefix_len, c->prefix);
    st = zip_read_entry(c, pkl_index, where, &pkl, &pkl_len);
    if (st != SIMDEPTH_OK)
        goto out;
    st = simdepth_i_pickle_new(f->path, &pk, err);
    if (st != SIMDEPTH_OK)
        goto out;
    st = simdepth_i_pickle_load(pk, pkl, pkl_len, where, 0, &root, &used, err);
    if (st != SIMDEPTH_OK)
        goto out;
    if (used != pkl_len) {
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, f->path, 0, 0, -1,
                                  "%s: %zu bytes follow the pickle's STOP opcode", where,
                                  pkl_len - used);
        goto out;
    }
    st = collect_storages(c, pk, where);
    if (st != SIMDEPTH_OK)
        goto out;
    st = zip_locate_storages(c, n_entries);
    if (st != SIMDEPTH_OK)
        goto out;
    st = walk_root(c, root);
out:
    simdepth_i_pickle_free(pk);
    free(pkl);
    if (c != NULL) {
        if (c->za != NULL)
            zip_discard(c->za);
        free(c->st);
        free(c);
    }
    zip_error_fini(&zerr);
    return st;
}

/* ---- legacy layout ---- */

/* Decode the next pickle at *pos. */
static simdepth_status legacy_pickle(pth_ctx *c, simdepth_i_pickle *pk, const unsigned char *buf,
                                     size_t len, size_t *pos, const simdepth_i_pobj **out)
{
    size_t used = 0;
    simdepth_status st;

    if (*pos >= len)
        return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0, (long long)*pos,
                                    "truncated checkpoint: a pickle was expected");
    st = simdepth_i_pickle_load(pk, buf + *pos, len - *pos, NULL, (long long)*pos, out, &used,
                                c->err);
    if (st == SIMDEPTH_OK)
        *pos += used;
    return st;
}

/* The storage section: for each key, an 8-byte count and the bytes. */
static simdepth_status legacy_storages(pth_ctx *c, const simdepth_i_pobj *keys,
                                       const unsigned char *buf, size_t len, size_t *pos)
{
    size_t i;
    char key[80];

    for (i = 0; i < keys->u.seq.n; i++) {
        const simdepth_i_pobj *k = keys->u.seq.v[i];
        pth_storage *s;
        uint64_t count = 0;
        int b;

        if (k->kind != SIMDEPTH_I_PK_STR)
            return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0,
                                        (long long)*pos,
                                        "storage key %zu is a %s, expected a str", i,
                                        simdepth_i_pickle_kind_name(k));
        show_key(key, sizeof key, k->u.s.p, k->u.s.len);
        s = find_storage(c, k->u.s.p, k->u.s.len);
        if (s == NULL)
            return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0,
                                        (long long)*pos,
                                        "storage '%s' is listed but no tensor uses it", key);
        if (s->data != NULL)
            return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0,
                                        (long long)*pos, "storage '%s' is listed twice", key);
        if (len - *pos < 8)
            return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0,
                                        (long long)*pos,
                                        "truncated checkpoint: storage '%s' has no element "
                                        "count",
                                        key);
        for (b = 0; b < 8; b++)
            count |= (uint64_t)buf[*pos + (size_t)b] << (8 * b);
        if (count != s->numel)
            return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0,
                                        (long long)*pos,
                                        "storage '%s' holds %llu elements but the pickle "
                                        "declares %llu",
                                        key, (unsigned long long)count,
                                        (unsigned long long)s->numel);
        *pos += 8;
        if (len - *pos < s->nbytes)
            return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0,
                                        (long long)*pos,
                                        "truncated checkpoint: storage '%s' needs %zu bytes "
                                        "but only %zu remain",
                                        key, s->nbytes, len - *pos);
        s->data = s->nbytes ? buf + *pos : empty_storage;
        *pos += s->nbytes;
    }
    for (i = 0; i < c->n_st; i++)
        if (c->st[i].data == NULL) {
            show_key(key, sizeof key, c->st[i].key, c->st[i].key_len);
            return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0,
                                        (long long)*pos,
                                        "storage '%s' referenced by the pickle is missing from "
                                        "the file",
                                        key);
        }
    if (*pos != len)
        return simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->f->path, 0, 0, (long long)*pos,
                                    "%zu trailing bytes after the last storage", len - *pos);
    return SIMDEPTH_OK;
}

simdepth_status simdepth_i_pth_legacy_parse(simdepth_tensor_file *f, unsigned char *buf,
                                            size_t len, simdepth_error *err)
{
    pth_ctx *c = NULL;
    simdepth_i_pickle *pk = NULL;
    const simdepth_i_pobj *magic, *proto, *sys_info, *root, *keys;
    size_t pos = 0, at;
    simdepth_status st;

    c = simdepth_i_calloc(1, sizeof *c);
    if (c == NULL)
        return simdepth_i_enomem(err, "a checkpoint reader");
    c->f = f;
    c->err = err;
    c->len = len;
    st = simdepth_i_pickle_new(f->path, &pk, err);
    if (st != SIMDEPTH_OK)
        goto out;
    st = legacy_pickle(c, pk, buf, len, &pos, &magic);
    if (st != SIMDEPTH_OK)
        goto out;
    if (magic->kind != SIMDEPTH_I_PK_BIGINT || magic->u.big.huge ||
        memcmp(magic->u.big.le, torch_magic, 16) != 0) {
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, f->path, 0, 0, 0,
                                  "not a PyTorch checkpoint: the file starts with a pickled "
                                  "%s, not the torch magic number",
                                  simdepth_i_pickle_kind_name(magic));
        goto out;
    }
    at = pos;
    st = legacy_pickle(c, pk, buf, len, &pos, &proto);
    if (st != SIMDEPTH_OK)
        goto out;
    if (proto->kind != SIMDEPTH_I_PK_INT || proto->u.i != TORCH_LEGACY_PROTOCOL) {
        st = simdepth_i_error_set(err, SIMDEPTH_EUNSUPPORTED, f->path, 0, 0, (long long)at,
                                  "legacy checkpoint protocol is not %d", TORCH_LEGACY_PROTOCOL);
        goto out;
    }
    at = pos;
    st = legacy_pickle(c, pk, buf, len, &pos, &sys_info);
    if (st != SIMDEPTH_OK)
        goto out;
    if (sys_info->kind != SIMDEPTH_I_PK_DICT) {
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, f->path, 0, 0, (long long)at,
                                  "legacy checkpoint: sys_info is a %s, expected a dict",
                                  simdepth_i_pickle_kind_name(sys_info));
        goto out;
    }
    st = legacy_pickle(c, pk, buf, len, &pos, &root);
    if (st != SIMDEPTH_OK)
        goto out;
    at = pos;
    st = legacy_pickle(c, pk, buf, len, &pos, &keys);
    if (st != SIMDEPTH_OK)
        goto out;
    if (keys->kind != SIMDEPTH_I_PK_LIST) {
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, f->path, 0, 0, (long long)at,
                                  "legacy checkpoint: the storage keys are a %s, expected a "
                                  "list",
                                  simdepth_i_pickle_kind_name(keys));
        goto out;
    }
    st = collect_storages(c, pk, "the pickle");
    if (st != SIMDEPTH_OK)
        goto out;
    st = legacy_storages(c, keys, buf, len, &pos);
    if (st != SIMDEPTH_OK)
        goto out;
    st = walk_root(c, root);
out:
    simdepth_i_pickle_free(pk);
    free(c->st);
    free(c);
    return st;
}
