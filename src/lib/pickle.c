/* simdepth — a restricted unpickler for PyTorch checkpoints (see pickle_i.h).
 *
 * The decoder is a loop over opcodes with a bounded cursor: every operand
 * is length-checked against the bytes that remain before it is read, and
 * multi-byte operands are decoded explicitly (little-endian, except
 * BINFLOAT, which is big-endian). Nothing the pickle names is ever looked
 * up or called: globals resolve against a static allow-list to tags, and
 * REDUCE on a tag runs the C function that builds the corresponding value.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pickle_i.h"

#define POOL_CHUNK 1024

typedef struct pool_chunk {
    struct pool_chunk *next;
    size_t n;
    simdepth_i_pobj obj[POOL_CHUNK];
} pool_chunk;

struct simdepth_i_pickle {
    char *path;
    pool_chunk *chunks;          /* newest first */
    size_t n_objects;            /* objects handed out, for the cap */
    size_t n_slots;              /* container capacity handed out */
    void **owned;                /* decoded strings, storages, tensors */
    size_t n_owned, cap_owned;
    simdepth_i_pstorage **storages;
    size_t n_storages, cap_storages;
    simdepth_i_pobj none, yes, no;
};

/* Per-load state: the cursor, the stacks and the memo. */
typedef struct vm {
    simdepth_i_pickle *pk;
    const unsigned char *buf;
    size_t len, pos, op_pos;
    const char *entry;
    long long base;
    simdepth_error *err;
    simdepth_i_pobj **stack;
    size_t sp, stack_cap;
    size_t *marks;
    size_t n_marks, marks_cap;
    simdepth_i_pobj **memo;
    size_t memo_cap, memo_count;
} vm;

/* ---- the allow-list ---- */

typedef struct allowed_global {
    const char *module, *name, *qualname;
    simdepth_i_pglobal which;
    simdepth_tensor_dtype dtype;
} allowed_global;

static const allowed_global allow_list[] = {
    {"collections", "OrderedDict", "collections.OrderedDict", SIMDEPTH_I_PG_ORDERED_DICT, 0},
    {"torch._utils", "_rebuild_tensor_v2", "torch._utils._rebuild_tensor_v2",
     SIMDEPTH_I_PG_REBUILD_TENSOR_V2, 0},
    {"torch._utils", "_rebuild_tensor", "torch._utils._rebuild_tensor",
     SIMDEPTH_I_PG_REBUILD_TENSOR, 0},
    {"torch._utils", "_rebuild_parameter", "torch._utils._rebuild_parameter",
     SIMDEPTH_I_PG_REBUILD_PARAMETER, 0},
    {"torch._utils", "_rebuild_parameter_with_state",
     "torch._utils._rebuild_parameter_with_state",
     SIMDEPTH_I_PG_REBUILD_PARAMETER_WITH_STATE, 0},
    {"_codecs", "encode", "_codecs.encode", SIMDEPTH_I_PG_CODECS_ENCODE, 0},
    {"torch", "FloatStorage", "torch.FloatStorage", SIMDEPTH_I_PG_STORAGE_TYPE,
     SIMDEPTH_TENSOR_F32},
    {"torch", "HalfStorage", "torch.HalfStorage", SIMDEPTH_I_PG_STORAGE_TYPE,
     SIMDEPTH_TENSOR_F16},
    {"torch", "BFloat16Storage", "torch.BFloat16Storage", SIMDEPTH_I_PG_STORAGE_TYPE,
     SIMDEPTH_TENSOR_BF16},
    {"torch", "DoubleStorage", "torch.DoubleStorage", SIMDEPTH_I_PG_STORAGE_TYPE,
     SIMDEPTH_TENSOR_F64},
    {"torch", "LongStorage", "torch.LongStorage", SIMDEPTH_I_PG_STORAGE_TYPE,
     SIMDEPTH_TENSOR_I64},
    {"torch", "IntStorage", "torch.IntStorage", SIMDEPTH_I_PG_STORAGE_TYPE,
     SIMDEPTH_TENSOR_I32},
    {"torch", "ShortStorage", "torch.ShortStorage", SIMDEPTH_I_PG_STORAGE_TYPE,
     SIMDEPTH_TENSOR_I16},
    {"torch", "CharStorage", "torch.CharStorage", SIMDEPTH_I_PG_STORAGE_TYPE,
     SIMDEPTH_TENSOR_I8},
    {"torch", "ByteStorage", "torch.ByteStorage", SIMDEPTH_I_PG_STORAGE_TYPE,
     SIMDEPTH_TENSOR_U8},
    {"torch", "BoolStorage", "torch.BoolStorage", SIMDEPTH_I_PG_STORAGE_TYPE,
     SIMDEPTH_TENSOR_BOOL},
};

/* ---- errors ---- */

static simdepth_status vm_fail(vm *m, simdepth_status st, const char *fmt, ...)
    SIMDEPTH_I_PRINTF(3, 4);

static simdepth_status vm_fail(vm *m, simdepth_status st, const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (m->entry != NULL)
        return simdepth_i_error_set(m->err, st, m->pk->path, 0, 0, -1, "%s, byte %zu: %s",
                                    m->entry, m->op_pos, msg);
    return simdepth_i_error_set(m->err, st, m->pk->path, 0, 0, m->base + (long long)m->op_pos,
                                "%s", msg);
}

static simdepth_status vm_enomem(vm *m)
{
    return vm_fail(m, SIMDEPTH_ENOMEM, "out of memory while decoding the pickle");
}

static simdepth_status vm_truncated(vm *m, const char *what, size_t need)
{
    return vm_fail(m, SIMDEPTH_EFORMAT,
                   "truncated pickle: %s needs %zu bytes but only %zu remain", what, need,
                   m->len - m->pos);
}

/* Copy at most 80 bytes of a name for a message, replacing bytes that are
 * not printable ASCII. */
static void printable(char *dst, size_t size, const char *s, size_t n)
{
    size_t i, k = 0;

    for (i = 0; i < n && k + 4 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        dst[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
        if (i == 80) {
            dst[k++] = '.';
            dst[k++] = '.';
            dst[k++] = '.';
            break;
        }
    }
    dst[k] = '\0';
}

/* ---- the pool ---- */

simdepth_status simdepth_i_pickle_new(const char *path, simdepth_i_pickle **out,
                                      simdepth_error *err)
{
    simdepth_i_pickle *pk = simdepth_i_calloc(1, sizeof *pk);

    if (pk == NULL)
        return simdepth_i_enomem(err, "a pickle decoder");
    pk->path = simdepth_i_strdup(path ? path : "");
    if (pk->path == NULL) {
        free(pk);
        return simdepth_i_enomem(err, "a pickle decoder");
    }
    pk->none.kind = SIMDEPTH_I_PK_NONE;
    pk->yes.kind = SIMDEPTH_I_PK_BOOL;
    pk->yes.u.b = 1;
    pk->no.kind = SIMDEPTH_I_PK_BOOL;
    pk->no.u.b = 0;
    *out = pk;
    return SIMDEPTH_OK;
}

void simdepth_i_pickle_free(simdepth_i_pickle *pk)
{
    pool_chunk *c, *next;
    size_t i;

    if (pk == NULL)
        return;
    for (c = pk->chunks; c != NULL; c = next) {
        next = c->next;
        for (i = 0; i < c->n; i++) {
            simdepth_i_pkind k = c->obj[i].kind;
            if (k == SIMDEPTH_I_PK_TUPLE || k == SIMDEPTH_I_PK_LIST || k == SIMDEPTH_I_PK_DICT)
                free(c->obj[i].u.seq.v);
        }
        free(c);
    }
    for (i = 0; i < pk->n_owned; i++)
        free(pk->owned[i]);
    free(pk->owned);
    free(pk->storages);
    free(pk->path);
    free(pk);
}

/* Record @p as owned by the pool; frees it on failure. */
static simdepth_status own(vm *m, void *p)
{
    simdepth_i_pickle *pk = m->pk;

    if (pk->n_owned == pk->cap_owned) {
        size_t cap = pk->cap_owned ? 2 * pk->cap_owned : 64;
        void **o = simdepth_i_realloc_array(pk->owned, cap, sizeof *o);
        if (o == NULL) {
            free(p);
            return vm_enomem(m);
        }
        pk->owned = o;
        pk->cap_owned = cap;
    }
    pk->owned[pk->n_owned++] = p;
    return SIMDEPTH_OK;
}

static simdepth_status new_obj(vm *m, simdepth_i_pkind kind, simdepth_i_pobj **out)
{
    simdepth_i_pickle *pk = m->pk;
    pool_chunk *c = pk->chunks;
    simdepth_i_pobj *o;

    if (pk->n_objects >= SIMDEPTH_I_PICKLE_MAX_OBJECTS)
        return vm_fail(m, SIMDEPTH_EUNSUPPORTED,
                       "the pickle creates more than %zu objects; refusing it",
                       SIMDEPTH_I_PICKLE_MAX_OBJECTS);
    if (c == NULL || c->n == POOL_CHUNK) {
        c = simdepth_i_malloc(sizeof *c);
        if (c == NULL)
            return vm_enomem(m);
        c->n = 0;
        c->next = pk->chunks;
        pk->chunks = c;
    }
    o = &c->obj[c->n++];
    memset(o, 0, sizeof *o);
    o->kind = kind;
    pk->n_objects++;
    *out = o;
    return SIMDEPTH_OK;
}

/* Make room for @extra more elements in container @o. */
static simdepth_status seq_reserve(vm *m, simdepth_i_pobj *o, size_t extra)
{
    size_t need, cap;
    simdepth_i_pobj **v;

    if (extra > SIMDEPTH_I_PICKLE_MAX_SLOTS || o->u.seq.n > SIMDEPTH_I_PICKLE_MAX_SLOTS - extra)
        goto too_many;
    need = o->u.seq.n + extra;
    if (need <= o->u.seq.cap)
        return SIMDEPTH_OK;
    cap = o->u.seq.cap ? 2 * o->u.seq.cap : 4;
    if (cap < need)
        cap = need;
    if (m->pk->n_slots + (cap - o->u.seq.cap) > SIMDEPTH_I_PICKLE_MAX_SLOTS) {
        cap = need;
        if (m->pk->n_slots + (cap - o->u.seq.cap) > SIMDEPTH_I_PICKLE_MAX_SLOTS)
            goto too_many;
    }
    v = simdepth_i_realloc_array(o->u.seq.v, cap, sizeof *v);
    if (v == NULL)
        return vm_enomem(m);
    m->pk->n_slots += cap - o->u.seq.cap;
    o->u.seq.v = v;
    o->u.seq.cap = cap;
    return SIMDEPTH_OK;
too_many:
    return vm_fail(m, SIMDEPTH_EUNSUPPORTED,
                   "the pickle's containers hold more than %zu elements; refusing it",
                   SIMDEPTH_I_PICKLE_MAX_SLOTS);
}

/* A new container holding @n items copied from @items. */
static simdepth_status new_seq(vm *m, simdepth_i_pkind kind, simdepth_i_pobj *const *items,
                               size_t n, simdepth_i_pobj **out)
{
    simdepth_i_pobj *o;
    simdepth_status st = new_obj(m, kind, &o);

    if (st != SIMDEPTH_OK)
        return st;
    if (n > 0) {
        st = seq_reserve(m, o, n);
        if (st != SIMDEPTH_OK)
            return st;
        memcpy(o->u.seq.v, items, n * sizeof *items);
        o->u.seq.n = n;
    }
    *out = o;
    return SIMDEPTH_OK;
}

/* ---- stacks and memo ---- */

static size_t frame_base(const vm *m)
{
    return m->n_marks ? m->marks[m->n_marks - 1] : 0;
}

static simdepth_status push(vm *m, simdepth_i_pobj *o)
{
    if (m->sp == m->stack_cap) {
        size_t cap = m->stack_cap ? 2 * m->stack_cap : 64;
        simdepth_i_pobj **s;
        if (m->sp >= SIMDEPTH_I_PICKLE_MAX_STACK)
            return vm_fail(m, SIMDEPTH_EUNSUPPORTED,
                           "the pickle's value stack grows beyond %zu entries; refusing it",
                           SIMDEPTH_I_PICKLE_MAX_STACK);
        s = simdepth_i_realloc_array(m->stack, cap, sizeof *s);
        if (s == NULL)
            return vm_enomem(m);
        m->stack = s;
        m->stack_cap = cap;
    }
    m->stack[m->sp++] = o;
    return SIMDEPTH_OK;
}

static simdepth_status pop(vm *m, simdepth_i_pobj **out)
{
    if (m->sp <= frame_base(m))
        return vm_fail(m, SIMDEPTH_EFORMAT, "pickle stack underflow");
    *out = m->stack[--m->sp];
    return SIMDEPTH_OK;
}

static simdepth_status top(vm *m, simdepth_i_pobj **out)
{
    if (m->sp <= frame_base(m))
        return vm_fail(m, SIMDEPTH_EFORMAT, "pickle stack underflow");
    *out = m->stack[m->sp - 1];
    return SIMDEPTH_OK;
}

static simdepth_status push_mark(vm *m)
{
    if (m->n_marks >= SIMDEPTH_I_PICKLE_MAX_NESTING)
        return vm_fail(m, SIMDEPTH_EUNSUPPORTED,
                       "the pickle nests deeper than %d levels (MARK); refusing it",
                       SIMDEPTH_I_PICKLE_MAX_NESTING);
    if (m->n_marks == m->marks_cap) {
        size_t cap = m->marks_cap ? 2 * m->marks_cap : 32;
        size_t *s = simdepth_i_realloc_array(m->marks, cap, sizeof *s);
        if (s == NULL)
            return vm_enomem(m);
        m->marks = s;
        m->marks_cap = cap;
    }
    m->marks[m->n_marks++] = m->sp;
    return SIMDEPTH_OK;
}

/* Remove everything above the last MARK: *items points at them (valid
 * until the next push) and *n is their number. */
static simdepth_status pop_mark(vm *m, simdepth_i_pobj ***items, size_t *n)
{
    size_t base;

    if (m->n_marks == 0)
        return vm_fail(m, SIMDEPTH_EFORMAT, "pickle opcode needs a MARK but none is open");
    base = m->marks[--m->n_marks];
    /* Before the first push the stack is not allocated: no pointer
     * arithmetic on NULL (found by fuzzing, tests/fuzz/crashers). */
    *items = m->sp > base ? m->stack + base : NULL;
    *n = m->sp - base;
    m->sp = base;
    return SIMDEPTH_OK;
}

static simdepth_status memo_put(vm *m, uint64_t idx)
{
    simdepth_i_pobj *o;
    simdepth_status st = top(m, &o);

    if (st != SIMDEPTH_OK)
        return st;
    /* Picklers number memo entries 0, 1, 2, ...: each needs an opcode, so an
     * index cannot exceed the bytes read so far. This bounds the memo by the
     * pickle's size before anything is allocated. */
    if (idx > m->pos || idx >= SIMDEPTH_I_PICKLE_MAX_OBJECTS)
        return vm_fail(m, SIMDEPTH_EUNSUPPORTED,
                       "memo index %llu is larger than a pickle of this size can use; "
                       "refusing it",
                       (unsigned long long)idx);
    if (idx >= m->memo_cap) {
        size_t cap = m->memo_cap ? m->memo_cap : 64, i;
        simdepth_i_pobj **nm;
        while (cap <= idx)
            cap *= 2;
        nm = simdepth_i_realloc_array(m->memo, cap, sizeof *nm);
        if (nm == NULL)
            return vm_enomem(m);
        for (i = m->memo_cap; i < cap; i++)
            nm[i] = NULL;
        m->memo = nm;
        m->memo_cap = cap;
    }
    if (m->memo[idx] == NULL)
        m->memo_count++;
    m->memo[idx] = o;
    return SIMDEPTH_OK;
}

static simdepth_status memo_get(vm *m, uint64_t idx)
{
    if (idx >= m->memo_cap || m->memo[idx] == NULL)
        return vm_fail(m, SIMDEPTH_EFORMAT, "memo entry %llu is read before it is written",
                       (unsigned long long)idx);
    return push(m, m->memo[idx]);
}

/* ---- operands ---- */

static uint64_t le_uint(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    size_t i;

    for (i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Read an n-byte little-endian unsigned operand. */
static simdepth_status read_uint(vm *m, size_t n, const char *what, uint64_t *v)
{
    if (m->len - m->pos < n)
        return vm_truncated(m, what, n);
    *v = le_uint(m->buf + m->pos, n);
    m->pos += n;
    return SIMDEPTH_OK;
}

/* Read @n raw bytes. */
static simdepth_status read_bytes(vm *m, uint64_t n, const char *what,
                                  const unsigned char **p)
{
    if ((uint64_t)(m->len - m->pos) < n)
        return vm_fail(m, SIMDEPTH_EFORMAT,
                       "truncated pickle: %s claims %llu bytes but only %zu remain", what,
                       (unsigned long long)n, m->len - m->pos);
    *p = m->buf + m->pos;
    m->pos += (size_t)n;
    return SIMDEPTH_OK;
}

/* Read a text operand up to '\n' (not included). */
static simdepth_status read_line(vm *m, const char *what, const char **s, size_t *n)
{
    const unsigned char *start = m->buf + m->pos;
    const unsigned char *nl = memchr(start, '\n', m->len - m->pos);

    if (nl == NULL)
        return vm_fail(m, SIMDEPTH_EFORMAT, "truncated pickle: %s has no end of line", what);
    *s = (const char *)start;
    *n = (size_t)(nl - start);
    m->pos += *n + 1;
    return SIMDEPTH_OK;
}

/* Python decodes str operands with 'surrogatepass', so encoded surrogates
 * are accepted; everything else must be well-formed UTF-8. */
static int utf8_valid(const unsigned char *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = p[i];
        size_t k, extra;
        uint32_t cp, min;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            extra = 1;
            cp = c & 0x1f;
            min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            extra = 2;
            cp = c & 0x0f;
            min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            extra = 3;
            cp = c & 0x07;
            min = 0x10000;
        } else {
            return 0;
        }
        if (n - i <= extra)
            return 0;
        for (k = 1; k <= extra; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff)
            return 0;
        i += extra + 1;
    }
    return 1;
}

static simdepth_status push_str(vm *m, simdepth_i_pkind kind, const unsigned char *p,
                                size_t n)
{
    simdepth_i_pobj *o;
    simdepth_status st;

    if (kind == SIMDEPTH_I_PK_STR && !utf8_valid(p, n))
        return vm_fail(m, SIMDEPTH_EFORMAT, "string operand is not valid UTF-8");
    st = new_obj(m, kind, &o);
    if (st != SIMDEPTH_OK)
        return st;
    o->u.s.p = (const char *)p;
    o->u.s.len = n;
    return push(m, o);
}

/* Normalise a 16-byte two's complement integer: an INT when it fits in
 * int64, else a BIGINT. */
static simdepth_status push_int16(vm *m, const unsigned char le[16], int huge)
{
    simdepth_i_pobj *o;
    simdepth_status st;
    int i, fits = !huge;
    unsigned char sign = (le[7] & 0x80) ? 0xff : 0x00;

    for (i = 8; i < 16 && fits; i++)
        fits = le[i] == sign;
    st = new_obj(m, fits ? SIMDEPTH_I_PK_INT : SIMDEPTH_I_PK_BIGINT, &o);
    if (st != SIMDEPTH_OK)
        return st;
    if (fits) {
        uint64_t u = le_uint(le, 8);
        memcpy(&o->u.i, &u, 8);
    } else {
        o->u.big.huge = huge;
        if (!huge)
            memcpy(o->u.big.le, le, 16);
    }
    return push(m, o);
}

static simdepth_status push_int64(vm *m, int64_t v)
{
    simdepth_i_pobj *o;
    simdepth_status st = new_obj(m, SIMDEPTH_I_PK_INT, &o);

    if (st != SIMDEPTH_OK)
        return st;
    o->u.i = v;
    return push(m, o);
}

/* LONG1 / LONG4 operand: n bytes of little-endian two's complement. */
static simdepth_status push_long_bytes(vm *m, const unsigned char *p, size_t n)
{
    unsigned char le[16];
    unsigned char sign = (n > 0 && (p[n - 1] & 0x80)) ? 0xff : 0x00;
    size_t i;
    int huge = 0;

    for (i = 0; i < 16; i++)
        le[i] = i < n ? p[i] : sign;
    /* Wider operands fit when the extra bytes only repeat the sign. */
    for (i = 16; i < n && !huge; i++)
        huge = p[i] != sign;
    if (!huge && n > 16 && (le[15] & 0x80) != (sign & 0x80))
        huge = 1;
    return push_int16(m, le, huge);
}

/* Decimal text (INT, LONG): optional sign, digits, optional trailing 'L'. */
static simdepth_status push_decimal(vm *m, const char *s, size_t n, const char *what)
{
    unsigned char le[16];
    size_t i = 0;
    int neg = 0, huge = 0, digits = 0;

    memset(le, 0, sizeof le);
    if (n > 0 && s[n - 1] == 'L')
        n--;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    for (; i < n; i++) {
        unsigned carry;
        int k;
        if (s[i] < '0' || s[i] > '9')
            return vm_fail(m, SIMDEPTH_EFORMAT, "%s operand is not a decimal integer", what);
        carry = (unsigned)(s[i] - '0');
        for (k = 0; k < 16; k++) {
            unsigned v = le[k] * 10u + carry;
            le[k] = (unsigned char)(v & 0xff);
            carry = v >> 8;
        }
        if (carry != 0 || (le[15] & 0x80))
            huge = 1;
        digits++;
        if (huge)
            break;
    }
    if (digits == 0)
        return vm_fail(m, SIMDEPTH_EFORMAT, "%s operand is not a decimal integer", what);
    if (neg && !huge) {
        int k;
        unsigned carry = 1;
        for (k = 0; k < 16; k++) {
            unsigned v = (unsigned)(unsigned char)~le[k] + carry;
            le[k] = (unsigned char)(v & 0xff);
            carry = v >> 8;
        }
    }
    return push_int16(m, le, huge);
}

/* Decimal text operand of PUT/GET. */
static simdepth_status parse_index(vm *m, const char *s, size_t n, uint64_t *idx)
{
    uint64_t v = 0;
    size_t i;

    if (n == 0 || n > 19)
        return vm_fail(m, SIMDEPTH_EFORMAT, "memo index is not a decimal number");
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return vm_fail(m, SIMDEPTH_EFORMAT, "memo index is not a decimal number");
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *idx = v;
    return SIMDEPTH_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static size_t put_utf8(unsigned char *d, uint32_t cp)
{
    if (cp < 0x80) {
        d[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (unsigned char)(0xc0 | (cp >> 6));
        d[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (unsigned char)(0xe0 | (cp >> 12));
        d[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        d[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    d[0] = (unsigned char)(0xf0 | (cp >> 18));
    d[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
    d[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    d[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

/* UNICODE (protocol 0): raw-unicode-escape, i.e. latin-1 bytes with
 * \uXXXX and \UXXXXXXXX escapes. Decoded to UTF-8 in pool memory. */
static simdepth_status push_raw_unicode(vm *m, const char *s, size_t n)
{
    unsigned char *d;
    size_t i = 0, k = 0;
    simdepth_status st;

    if (simdepth_i_mul_overflows(n, 2))
        return vm_enomem(m);
    d = simdepth_i_malloc(2 * n + 1);
    if (d == NULL)
        return vm_enomem(m);
    st = own(m, d);
    if (st != SIMDEPTH_OK)
        return st;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\' && i + 1 < n && (s[i + 1] == 'u' || s[i + 1] == 'U')) {
            size_t w = s[i + 1] == 'u' ? 4 : 8, j;
            uint32_t cp = 0;
            if (n - i - 2 < w)
                return vm_fail(m, SIMDEPTH_EFORMAT, "truncated \\u escape in a UNICODE operand");
            for (j = 0; j < w; j++) {
                int h = hexval(s[i + 2 + j]);
                if (h < 0)
                    return vm_fail(m, SIMDEPTH_EFORMAT, "bad \\u escape in a UNICODE operand");
                cp = (cp << 4) | (uint32_t)h;
            }
            if (cp > 0x10ffff)
                return vm_fail(m, SIMDEPTH_EFORMAT, "bad \\U escape in a UNICODE operand");
            k += put_utf8(d + k, cp);
            i += 2 + w;
        } else {
            k += put_utf8(d + k, c);
            i++;
        }
    }
    return push_str(m, SIMDEPTH_I_PK_STR, d, k);
}

/* ---- globals ---- */

static simdepth_status find_global(vm *m, const char *mod, size_t mlen, const char *name,
                                   size_t nlen, simdepth_i_pobj **out)
{
    char pm[100], pn[100];
    const char *hint = "";
    size_t i;
    simdepth_i_pobj *o;
    simdepth_status st;

    for (i = 0; i < sizeof allow_list / sizeof allow_list[0]; i++) {
        const allowed_global *a = &allow_list[i];
        if (strlen(a->module) == mlen && memcmp(a->module, mod, mlen) == 0 &&
            strlen(a->name) == nlen && memcmp(a->name, name, nlen) == 0) {
            st = new_obj(m, SIMDEPTH_I_PK_GLOBAL, &o);
            if (st != SIMDEPTH_OK)
                return st;
            o->u.g.which = a->which;
            o->u.g.dtype = a->dtype;
            o->u.g.name = a->qualname;
            *out = o;
            return SIMDEPTH_OK;
        }
    }
    printable(pm, sizeof pm, mod, mlen);
    printable(pn, sizeof pn, name, nlen);
    if (strncmp(pm, "torch.nn.", 9) == 0 || strcmp(pm, "__main__") == 0)
        hint = " (a pickled model object? save model.state_dict() instead)";
    else if (strcmp(pm, "torch") == 0 && strcmp(pn, "UntypedStorage") == 0)
        hint = " (untyped storages, written by PyTorch 2 for some dtypes, are not supported)";
    else if (strncmp(pm, "numpy", 5) == 0)
        hint = " (NumPy objects in the checkpoint; save only the state_dict)";
    return vm_fail(m, SIMDEPTH_EUNSUPPORTED,
                   "refused pickle global '%s.%s'%s: only tensors and plain data are "
                   "decoded and nothing in a checkpoint is executed",
                   pm, pn, hint);
}

/* ---- the allow-listed callables ---- */

static int is_str(const simdepth_i_pobj *o, const char *s)
{
    return o->kind == SIMDEPTH_I_PK_STR && o->u.s.len == strlen(s) &&
           memcmp(o->u.s.p, s, o->u.s.len) == 0;
}

/* A size or stride tuple of at most SIMDEPTH_TENSOR_MAX_DIMS ints >= 0. */
static simdepth_status int_tuple(vm *m, const simdepth_i_pobj *t, const char *what,
                                 int64_t *v, int *n)
{
    size_t i;

    if (t->kind != SIMDEPTH_I_PK_TUPLE && t->kind != SIMDEPTH_I_PK_LIST)
        return vm_fail(m, SIMDEPTH_EFORMAT, "tensor %s is a %s, expected a tuple", what,
                       simdepth_i_pickle_kind_name(t));
    if (t->u.seq.n > SIMDEPTH_TENSOR_MAX_DIMS)
        return vm_fail(m, SIMDEPTH_EUNSUPPORTED,
                       "tensor has %zu dimensions; at most %d are supported", t->u.seq.n,
                       SIMDEPTH_TENSOR_MAX_DIMS);
    for (i = 0; i < t->u.seq.n; i++) {
        const simdepth_i_pobj *e = t->u.seq.v[i];
        if (e->kind != SIMDEPTH_I_PK_INT || e->u.i < 0)
            return vm_fail(m, SIMDEPTH_EFORMAT, "tensor %s holds %s, expected integers >= 0",
                           what, e->kind == SIMDEPTH_I_PK_INT ? "a negative integer"
                                                              : simdepth_i_pickle_kind_name(e));
        v[i] = e->u.i;
    }
    *n = (int)t->u.seq.n;
    return SIMDEPTH_OK;
}

/* _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
 * backward_hooks[, metadata]) and _rebuild_tensor(storage, storage_offset,
 * size, stride). Only the first four arguments describe the data; the
 * others are checked for type and dropped. */
static simdepth_status rebuild_tensor(vm *m, const simdepth_i_pobj *g,
                                      const simdepth_i_pobj *args, simdepth_i_pobj **out)
{
    simdepth_i_pobj *const *a = args->u.seq.v;
    size_t n = args->u.seq.n;
    int v2 = g->u.g.which == SIMDEPTH_I_PG_REBUILD_TENSOR_V2, nsize, nstride, k;
    int64_t size[SIMDEPTH_TENSOR_MAX_DIMS], stride[SIMDEPTH_TENSOR_MAX_DIMS];
    simdepth_i_ptensor *t;
    simdepth_i_pobj *o;
    simdepth_status st;

    if (v2 ? (n != 6 && n != 7) : n != 4)
        return vm_fail(m, SIMDEPTH_EFORMAT, "%s called with %zu arguments, expected %s",
                       g->u.g.name, n, v2 ? "6 or 7" : "4");
    if (a[0]->kind != SIMDEPTH_I_PK_STORAGE)
        return vm_fail(m, SIMDEPTH_EFORMAT, "%s: argument 1 is a %s, expected a storage",
                       g->u.g.name, simdepth_i_pickle_kind_name(a[0]));
    if (a[1]->kind != SIMDEPTH_I_PK_INT || a[1]->u.i < 0)
        return vm_fail(m, SIMDEPTH_EFORMAT,
                       "%s: the storage offset is not an integer >= 0", g->u.g.name);
    st = int_tuple(m, a[2], "size", size, &nsize);
    if (st != SIMDEPTH_OK)
        return st;
    st = int_tuple(m, a[3], "stride", stride, &nstride);
    if (st != SIMDEPTH_OK)
        return st;
    if (nsize != nstride)
        return vm_fail(m, SIMDEPTH_EFORMAT, "%s: %d sizes but %d strides", g->u.g.name, nsize,
                       nstride);
    if (v2) {
        if (a[4]->kind != SIMDEPTH_I_PK_BOOL && a[4]->kind != SIMDEPTH_I_PK_INT)
            return vm_fail(m, SIMDEPTH_EFORMAT, "%s: requires_grad is a %s, expected a bool",
                           g->u.g.name, simdepth_i_pickle_kind_name(a[4]));
        if (a[5]->kind != SIMDEPTH_I_PK_DICT && a[5]->kind != SIMDEPTH_I_PK_NONE)
            return vm_fail(m, SIMDEPTH_EFORMAT,
                           "%s: backward_hooks is a %s, expected a dict", g->u.g.name,
                           simdepth_i_pickle_kind_name(a[5]));
        if (n == 7 && a[6]->kind != SIMDEPTH_I_PK_DICT && a[6]->kind != SIMDEPTH_I_PK_NONE)
            return vm_fail(m, SIMDEPTH_EFORMAT, "%s: metadata is a %s, expected a dict",
                           g->u.g.name, simdepth_i_pickle_kind_name(a[6]));
    }
    t = simdepth_i_calloc(1, sizeof *t);
    if (t == NULL)
        return vm_enomem(m);
    st = own(m, t);
    if (st != SIMDEPTH_OK)
        return st;
    t->storage = a[0];
    t->offset = (uint64_t)a[1]->u.i;
    t->ndim = nsize;
    for (k = 0; k < nsize; k++) {
        t->shape[k] = (uint64_t)size[k];
        t->stride[k] = stride[k];
    }
    t->pos = m->op_pos;
    st = new_obj(m, SIMDEPTH_I_PK_TENSOR, &o);
    if (st != SIMDEPTH_OK)
        return st;
    o->u.tensor = t;
    *out = o;
    return SIMDEPTH_OK;
}

static simdepth_status call_global(vm *m, const simdepth_i_pobj *g,
                                   const simdepth_i_pobj *args, simdepth_i_pobj **out)
{
    simdepth_i_pobj *const *a = args->u.seq.v;
    size_t n = args->u.seq.n;
    simdepth_status st;

    switch (g->u.g.which) {
    case SIMDEPTH_I_PG_ORDERED_DICT:
        if (n != 0)
            return vm_fail(m, SIMDEPTH_EUNSUPPORTED,
                           "collections.OrderedDict called with arguments; only "
                           "OrderedDict() is supported");
        st = new_obj(m, SIMDEPTH_I_PK_DICT, out);
        if (st == SIMDEPTH_OK)
            (*out)->ordered = 1;
        return st;
    case SIMDEPTH_I_PG_REBUILD_TENSOR_V2:
    case SIMDEPTH_I_PG_REBUILD_TENSOR:
        return rebuild_tensor(m, g, args, out);
    case SIMDEPTH_I_PG_REBUILD_PARAMETER:
    case SIMDEPTH_I_PG_REBUILD_PARAMETER_WITH_STATE:
        /* (data, requires_grad, backward_hooks[, state]): the data is the
         * parameter; the rest only matters for autograd. */
        if (n != (g->u.g.which == SIMDEPTH_I_PG_REBUILD_PARAMETER ? 3u : 4u) ||
            a[0]->kind != SIMDEPTH_I_PK_TENSOR)
            return vm_fail(m, SIMDEPTH_EFORMAT,
                           "%s called with unexpected arguments; expected a tensor first",
                           g->u.g.name);
        *out = a[0];
        return SIMDEPTH_OK;
    case SIMDEPTH_I_PG_CODECS_ENCODE:
        /* Protocol 2 pickles bytes as _codecs.encode(str, 'latin1'). The
         * value is never read, so the text is kept as it is. */
        if (n != 2 || a[0]->kind != SIMDEPTH_I_PK_STR ||
            !(is_str(a[1], "latin1") || is_str(a[1], "latin-1")))
            return vm_fail(m, SIMDEPTH_EUNSUPPORTED,
                           "_codecs.encode is only decoded as encode(str, 'latin1')");
        st = new_obj(m, SIMDEPTH_I_PK_BYTES, out);
        if (st == SIMDEPTH_OK)
            (*out)->u.s = a[0]->u.s;
        return st;
    case SIMDEPTH_I_PG_STORAGE_TYPE:
        break;
    }
    return vm_fail(m, SIMDEPTH_EUNSUPPORTED,
                   "calling %s is not supported; storage types may only appear in "
                   "persistent ids",
                   g->u.g.name);
}

/* BINPERSID: ('storage', storage_type, key, location, numel[, view]) where
 * view is None or (view_key, offset, numel) in legacy files. */
static simdepth_status persistent_load(vm *m, const simdepth_i_pobj *pid,
                                       simdepth_i_pobj **out)
{
    simdepth_i_pobj *const *a;
    simdepth_i_pstorage *s;
    simdepth_i_pobj *o;
    simdepth_status st;
    size_t n;

    if (pid->kind != SIMDEPTH_I_PK_TUPLE || pid->u.seq.n < 1 ||
        !is_str(pid->u.seq.v[0], "storage"))
        return vm_fail(m, SIMDEPTH_EUNSUPPORTED,
                       "persistent id is a %s, expected ('storage', type, key, location, "
                       "size)",
                       simdepth_i_pickle_kind_name(pid));
    a = pid->u.seq.v;
    n = pid->u.seq.n;
    if (n != 5 && n != 6)
        return vm_fail(m, SIMDEPTH_EFORMAT,
                       "storage persistent id has %zu fields, expected 5 or 6", n);
    if (a[1]->kind != SIMDEPTH_I_PK_GLOBAL || a[1]->u.g.which != SIMDEPTH_I_PG_STORAGE_TYPE)
        return vm_fail(m, SIMDEPTH_EFORMAT,
                       "storage persistent id names a %s where a storage type belongs",
                       a[1]->kind == SIMDEPTH_I_PK_GLOBAL ? a[1]->u.g.name
                                                          : simdepth_i_pickle_kind_name(a[1]));
    if (a[2]->kind != SIMDEPTH_I_PK_STR || a[2]->u.s.len == 0)
        return vm_fail(m, SIMDEPTH_EFORMAT, "storage key is not a non-empty string");
    if (a[3]->kind != SIMDEPTH_I_PK_STR)
        return vm_fail(m, SIMDEPTH_EFORMAT, "storage location is not a string");
    if (a[4]->kind != SIMDEPTH_I_PK_INT || a[4]->u.i < 0)
        return vm_fail(m, SIMDEPTH_EFORMAT, "storage size is not an integer >= 0");
    s = simdepth_i_calloc(1, sizeof *s);
    if (s == NULL)
        return vm_enomem(m);
    st = own(m, s);
    if (st != SIMDEPTH_OK)
        return st;
    s->key = a[2]->u.s.p;
    s->key_len = a[2]->u.s.len;
    s->dtype = a[1]->u.g.dtype;
    s->numel = (uint64_t)a[4]->u.i;
    s->view_offset = 0;
    s->view_numel = s->numel;
    s->pos = m->op_pos;
    if (n == 6 && a[5]->kind != SIMDEPTH_I_PK_NONE) {
        simdepth_i_pobj *const *v = a[5]->u.seq.v;
        if (a[5]->kind != SIMDEPTH_I_PK_TUPLE || a[5]->u.seq.n != 3 ||
            v[0]->kind != SIMDEPTH_I_PK_STR || v[1]->kind != SIMDEPTH_I_PK_INT ||
            v[2]->kind != SIMDEPTH_I_PK_INT || v[1]->u.i < 0 || v[2]->u.i < 0)
            return vm_fail(m, SIMDEPTH_EFORMAT,
                           "storage view is not (key, offset, size) with integers >= 0");
        if ((uint64_t)v[1]->u.i > s->numel || (uint64_t)v[2]->u.i > s->numel - (uint64_t)v[1]->u.i)
            return vm_fail(m, SIMDEPTH_EFORMAT,
                           "storage view [%lld, +%lld) lies outside its storage of %llu "
                           "elements",
                           (long long)v[1]->u.i, (long long)v[2]->u.i,
                           (unsigned long long)s->numel);
        s->view_offset = (uint64_t)v[1]->u.i;
        s->view_numel = (uint64_t)v[2]->u.i;
    }
    if (m->pk->n_storages == m->pk->cap_storages) {
        size_t cap = m->pk->cap_storages ? 2 * m->pk->cap_storages : 32;
        simdepth_i_pstorage **ns = simdepth_i_realloc_array(m->pk->storages, cap, sizeof *ns);
        if (ns == NULL)
            return vm_enomem(m);
        m->pk->storages = ns;
        m->pk->cap_storages = cap;
    }
    m->pk->storages[m->pk->n_storages++] = s;
    st = new_obj(m, SIMDEPTH_I_PK_STORAGE, &o);
    if (st != SIMDEPTH_OK)
        return st;
    o->u.storage = s;
    *out = o;
    return SIMDEPTH_OK;
}

/* ---- opcodes ---- */

static simdepth_status op_seq_from_mark(vm *m, simdepth_i_pkind kind)
{
    simdepth_i_pobj **items = NULL, *o;
    size_t n = 0;
    simdepth_status st = pop_mark(m, &items, &n);

    if (st != SIMDEPTH_OK)
        return st;
    if (kind == SIMDEPTH_I_PK_DICT && n % 2 != 0)
        return vm_fail(m, SIMDEPTH_EFORMAT, "DICT has an odd number of items");
    /* items stay valid: the stack is not touched before new_seq copies them */
    st = new_seq(m, kind, items, n, &o);
    if (st != SIMDEPTH_OK)
        return st;
    return push(m, o);
}

static simdepth_status op_tuple_n(vm *m, size_t n)
{
    simdepth_i_pobj *items[3], *o;
    size_t i;
    simdepth_status st;

    for (i = n; i > 0; i--) {
        st = pop(m, &items[i - 1]);
        if (st != SIMDEPTH_OK)
            return st;
    }
    st = new_seq(m, SIMDEPTH_I_PK_TUPLE, items, n, &o);
    if (st != SIMDEPTH_OK)
        return st;
    return push(m, o);
}

static simdepth_status op_empty(vm *m, simdepth_i_pkind kind)
{
    simdepth_i_pobj *o;
    simdepth_status st = new_obj(m, kind, &o);

    if (st != SIMDEPTH_OK)
        return st;
    return push(m, o);
}

/* Append @items to the container on top of the stack (a list, or a dict
 * for pairs). */
static simdepth_status extend_top(vm *m, simdepth_i_pkind kind, simdepth_i_pobj *const *items,
                                  size_t n, const char *opname)
{
    simdepth_i_pobj *c = NULL;
    simdepth_status st = top(m, &c);

    if (st != SIMDEPTH_OK)
        return st;
    if (c->kind != kind)
        return vm_fail(m, SIMDEPTH_EUNSUPPORTED, "%s on a %s; only %s are supported", opname,
                       simdepth_i_pickle_kind_name(c),
                       kind == SIMDEPTH_I_PK_LIST ? "lists" : "dicts");
    if (kind == SIMDEPTH_I_PK_DICT && n % 2 != 0)
        return vm_fail(m, SIMDEPTH_EFORMAT, "%s has an odd number of items", opname);
    st = seq_reserve(m, c, n);
    if (st != SIMDEPTH_OK)
        return st;
    if (n > 0)
        memcpy(c->u.seq.v + c->u.seq.n, items, n * sizeof *items);
    c->u.seq.n += n;
    return SIMDEPTH_OK;
}

static simdepth_status op_append_items(vm *m, simdepth_i_pkind kind, int from_mark,
                                       const char *opname)
{
    simdepth_i_pobj **items = NULL, *pair[2];
    size_t n = 0;
    simdepth_status st;

    if (from_mark) {
        st = pop_mark(m, &items, &n);
        if (st != SIMDEPTH_OK)
            return st;
        /* the popped items sit above the stack top and are not overwritten
         * by extend_top, which pushes nothing */
        return extend_top(m, kind, items, n, opname);
    }
    n = kind == SIMDEPTH_I_PK_DICT ? 2 : 1;
    st = pop(m, &pair[n - 1]);
    if (st == SIMDEPTH_OK && n == 2)
        st = pop(m, &pair[0]);
    if (st != SIMDEPTH_OK)
        return st;
    return extend_top(m, kind, pair, n, opname);
}

static simdepth_status op_reduce(vm *m)
{
    simdepth_i_pobj *args, *callable, *o;
    simdepth_status st = pop(m, &args);

    if (st == SIMDEPTH_OK)
        st = pop(m, &callable);
    if (st != SIMDEPTH_OK)
        return st;
    if (callable->kind != SIMDEPTH_I_PK_GLOBAL)
        return vm_fail(m, SIMDEPTH_EUNSUPPORTED, "REDUCE calls a %s; refusing it",
                       simdepth_i_pickle_kind_name(callable));
    if (args->kind != SIMDEPTH_I_PK_TUPLE)
        return vm_fail(m, SIMDEPTH_EFORMAT, "REDUCE arguments are a %s, expected a tuple",
                       simdepth_i_pickle_kind_name(args));
    st = call_global(m, callable, args, &o);
    if (st != SIMDEPTH_OK)
        return st;
    return push(m, o);
}

/* NEWOBJ / NEWOBJ_EX: cls.__new__(cls, *args) — only OrderedDict(). */
static simdepth_status op_newobj(vm *m, int ex)
{
    simdepth_i_pobj *kwargs = NULL, *args, *cls, *o;
    simdepth_status st = SIMDEPTH_OK;

    if (ex)
        st = pop(m, &kwargs);
    if (st == SIMDEPTH_OK)
        st = pop(m, &args);
    if (st == SIMDEPTH_OK)
        st = pop(m, &cls);
    if (st != SIMDEPTH_OK)
        return st;
    if (cls->kind != SIMDEPTH_I_PK_GLOBAL || cls->u.g.which != SIMDEPTH_I_PG_ORDERED_DICT ||
        args->kind != SIMDEPTH_I_PK_TUPLE || args->u.seq.n != 0 ||
        (kwargs != NULL && (kwargs->kind != SIMDEPTH_I_PK_DICT || kwargs->u.seq.n != 0)))
        return vm_fail(m, SIMDEPTH_EUNSUPPORTED, "NEWOBJ of a %s; only OrderedDict() is supported",
                       cls->kind == SIMDEPTH_I_PK_GLOBAL ? cls->u.g.name
                                                         : simdepth_i_pickle_kind_name(cls));
    st = new_obj(m, SIMDEPTH_I_PK_DICT, &o);
    if (st != SIMDEPTH_OK)
        return st;
    o->ordered = 1;
    return push(m, o);
}

/* BUILD sets an object's state. torch.save uses it only to attach
 * _metadata to an OrderedDict state_dict, which does not matter here. */
static simdepth_status op_build(vm *m)
{
    simdepth_i_pobj *state, *inst;
    simdepth_status st = pop(m, &state);

    if (st == SIMDEPTH_OK)
        st = top(m, &inst);
    if (st != SIMDEPTH_OK)
        return st;
    if (inst->kind != SIMDEPTH_I_PK_DICT || !inst->ordered)
        return vm_fail(m, SIMDEPTH_EUNSUPPORTED,
                       "BUILD (setting object state) on a %s; only OrderedDict is supported",
                       simdepth_i_pickle_kind_name(inst));
    return SIMDEPTH_OK;
}

static simdepth_status op_global(vm *m)
{
    const char *mod, *name;
    size_t mlen, nlen;
    simdepth_i_pobj *o;
    simdepth_status st = read_line(m, "GLOBAL module", &mod, &mlen);

    if (st == SIMDEPTH_OK)
        st = read_line(m, "GLOBAL name", &name, &nlen);
    if (st == SIMDEPTH_OK)
        st = find_global(m, mod, mlen, name, nlen, &o);
    if (st != SIMDEPTH_OK)
        return st;
    return push(m, o);
}

static simdepth_status op_stack_global(vm *m)
{
    simdepth_i_pobj *mod, *name, *o;
    simdepth_status st = pop(m, &name);

    if (st == SIMDEPTH_OK)
        st = pop(m, &mod);
    if (st != SIMDEPTH_OK)
        return st;
    if (mod->kind != SIMDEPTH_I_PK_STR || name->kind != SIMDEPTH_I_PK_STR)
        return vm_fail(m, SIMDEPTH_EFORMAT, "STACK_GLOBAL operands are not strings");
    st = find_global(m, mod->u.s.p, mod->u.s.len, name->u.s.p, name->u.s.len, &o);
    if (st != SIMDEPTH_OK)
        return st;
    return push(m, o);
}

static simdepth_status op_float_text(vm *m)
{
    const char *s;
    size_t n;
    char tmp[64], *endp;
    simdepth_i_pobj *o;
    double d;
    simdepth_status st = read_line(m, "FLOAT", &s, &n);

    if (st != SIMDEPTH_OK)
        return st;
    if (n == 0 || n >= sizeof tmp)
        return vm_fail(m, SIMDEPTH_EFORMAT, "FLOAT operand is not a number");
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    d = strtod(tmp, &endp);
    if (*endp != '\0')
        return vm_fail(m, SIMDEPTH_EFORMAT, "FLOAT operand is not a number");
    st = new_obj(m, SIMDEPTH_I_PK_FLOAT, &o);
    if (st != SIMDEPTH_OK)
        return st;
    o->u.d = d;
    return push(m, o);
}

static simdepth_status op_binfloat(vm *m)
{
    const unsigned char *p = NULL;
    uint64_t bits = 0;
    simdepth_i_pobj *o;
    int i;
    simdepth_status st = read_bytes(m, 8, "BINFLOAT", &p);

    if (st != SIMDEPTH_OK)
        return st;
    for (i = 0; i < 8; i++) /* big-endian */
        bits = (bits << 8) | p[i];
    st = new_obj(m, SIMDEPTH_I_PK_FLOAT, &o);
    if (st != SIMDEPTH_OK)
        return st;
    memcpy(&o->u.d, &bits, 8);
    return push(m, o);
}

/* STRING (protocol 0): a quoted Python 2 literal; escapes are refused. */
static simdepth_status op_string_text(vm *m)
{
    const char *s;
    size_t n;
    simdepth_status st = read_line(m, "STRING", &s, &n);

    if (st != SIMDEPTH_OK)
        return st;
    if (n < 2 || (s[0] != '\'' && s[0] != '"') || s[n - 1] != s[0])
        return vm_fail(m, SIMDEPTH_EFORMAT, "STRING operand is not a quoted string");
    if (memchr(s + 1, '\\', n - 2) != NULL)
        return vm_fail(m, SIMDEPTH_EUNSUPPORTED, "STRING operand with escapes is not supported");
    return push_str(m, SIMDEPTH_I_PK_STR, (const unsigned char *)s + 1, n - 2);
}

static simdepth_status op_int_text(vm *m)
{
    const char *s;
    size_t n;
    simdepth_status st = read_line(m, "INT", &s, &n);

    if (st != SIMDEPTH_OK)
        return st;
    /* Protocols 0 and 1 spell False and True as INT 00 and 01. */
    if (n == 2 && s[0] == '0' && (s[1] == '0' || s[1] == '1'))
        return push(m, s[1] == '1' ? &m->pk->yes : &m->pk->no);
    return push_decimal(m, s, n, "INT");
}

static simdepth_status op_pop(vm *m)
{
    simdepth_i_pobj **items = NULL, *o;
    size_t n = 0;

    /* Python pops the last MARK when the current frame is empty. */
    if (m->sp > frame_base(m))
        return pop(m, &o);
    return pop_mark(m, &items, &n);
}

static const char *refused_opcode(unsigned char op)
{
    switch (op) {
    case 'P': return "PERSID (a protocol 0 persistent id, which PyTorch cannot load either)";
    case 'i': return "INST (class instantiation)";
    case 'o': return "OBJ (class instantiation)";
    case 0x82:
    case 0x83:
    case 0x84: return "EXT (the copyreg extension registry)";
    case 0x8f:
    case 0x90:
    case 0x91: return "set / frozenset";
    case 0x96: return "BYTEARRAY8";
    case 0x97:
    case 0x98: return "out-of-band buffers (protocol 5)";
    }
    return NULL;
}

static simdepth_status step(vm *m, unsigned char op, int *done)
{
    uint64_t v = 0;
    const unsigned char *p = NULL;
    const char *s;
    size_t n;
    simdepth_i_pobj *o;
    simdepth_status st;

    switch (op) {
    case 0x80: /* PROTO */
        st = read_uint(m, 1, "PROTO", &v);
        if (st == SIMDEPTH_OK && v > 5)
            return vm_fail(m, SIMDEPTH_EUNSUPPORTED, "pickle protocol %llu; at most 5 is supported",
                           (unsigned long long)v);
        return st;
    case 0x95: /* FRAME: framing only groups opcodes for I/O */
        st = read_uint(m, 8, "FRAME", &v);
        if (st == SIMDEPTH_OK && v > m->len - m->pos)
            return vm_fail(m, SIMDEPTH_EFORMAT,
                           "truncated pickle: FRAME claims %llu bytes but only %zu remain",
                           (unsigned long long)v, m->len - m->pos);
        return st;
    case '.': /* STOP */
        if (m->n_marks != 0 || m->sp != 1)
            return vm_fail(m, SIMDEPTH_EFORMAT,
                           "STOP with %zu values and %zu open MARKs; expected one value",
                           m->sp, m->n_marks);
        *done = 1;
        return SIMDEPTH_OK;
    case '(': return push_mark(m);
    case '0': return op_pop(m);
    case '1': { /* POP_MARK: drop everything back to the last MARK */
        simdepth_i_pobj **dropped;
        return pop_mark(m, &dropped, &n);
    }
    case '2':
        st = top(m, &o);
        return st == SIMDEPTH_OK ? push(m, o) : st;
    case 'N': return push(m, &m->pk->none);
    case 0x88: return push(m, &m->pk->yes);
    case 0x89: return push(m, &m->pk->no);
    case 'J': /* BININT: signed 32-bit */
        st = read_uint(m, 4, "BININT", &v);
        return st == SIMDEPTH_OK ? push_int64(m, (int64_t)(int32_t)(uint32_t)v) : st;
    case 'K':
        st = read_uint(m, 1, "BININT1", &v);
        return st == SIMDEPTH_OK ? push_int64(m, (int64_t)v) : st;
    case 'M':
        st = read_uint(m, 2, "BININT2", &v);
        return st == SIMDEPTH_OK ? push_int64(m, (int64_t)v) : st;
    case 0x8a: /* LONG1 */
        st = read_uint(m, 1, "LONG1", &v);
        if (st == SIMDEPTH_OK)
            st = read_bytes(m, v, "LONG1", &p);
        return st == SIMDEPTH_OK ? push_long_bytes(m, p, (size_t)v) : st;
    case 0x8b: /* LONG4: signed length */
        st = read_uint(m, 4, "LONG4", &v);
        if (st == SIMDEPTH_OK && (v & 0x80000000u))
            return vm_fail(m, SIMDEPTH_EFORMAT, "LONG4 has a negative length");
        if (st == SIMDEPTH_OK)
            st = read_bytes(m, v, "LONG4", &p);
        return st == SIMDEPTH_OK ? push_long_bytes(m, p, (size_t)v) : st;
    case 'I': return op_int_text(m);
    case 'L':
        st = read_line(m, "LONG", &s, &n);
        return st == SIMDEPTH_OK ? push_decimal(m, s, n, "LONG") : st;
    case 'F': return op_float_text(m);
    case 'G': return op_binfloat(m);
    case 'X': /* BINUNICODE */
    case 0x8c: /* SHORT_BINUNICODE */
    case 0x8d: /* BINUNICODE8 */
    case 'T': /* BINSTRING: Python 2 str, decoded as UTF-8 like torch.load */
    case 'U': /* SHORT_BINSTRING */
    case 'B': /* BINBYTES */
    case 'C': /* SHORT_BINBYTES */
    case 0x8e: { /* BINBYTES8 */
        size_t w = (op == 0x8c || op == 'U' || op == 'C') ? 1 : (op == 0x8d || op == 0x8e) ? 8 : 4;
        simdepth_i_pkind kind = (op == 'B' || op == 'C' || op == 0x8e) ? SIMDEPTH_I_PK_BYTES
                                                                        : SIMDEPTH_I_PK_STR;
        st = read_uint(m, w, "a string length", &v);
        if (st == SIMDEPTH_OK && op == 'T' && (v & 0x80000000u))
            return vm_fail(m, SIMDEPTH_EFORMAT, "BINSTRING has a negative length");
        if (st == SIMDEPTH_OK)
            st = read_bytes(m, v, "a string", &p);
        return st == SIMDEPTH_OK ? push_str(m, kind, p, (size_t)v) : st;
    }
    case 'V':
        st = read_line(m, "UNICODE", &s, &n);
        return st == SIMDEPTH_OK ? push_raw_unicode(m, s, n) : st;
    case 'S': return op_string_text(m);
    case '}': return op_empty(m, SIMDEPTH_I_PK_DICT);
    case ']': return op_empty(m, SIMDEPTH_I_PK_LIST);
    case ')': return op_empty(m, SIMDEPTH_I_PK_TUPLE);
    case 'd': return op_seq_from_mark(m, SIMDEPTH_I_PK_DICT);
    case 'l': return op_seq_from_mark(m, SIMDEPTH_I_PK_LIST);
    case 't': return op_seq_from_mark(m, SIMDEPTH_I_PK_TUPLE);
    case 0x85: return op_tuple_n(m, 1);
    case 0x86: return op_tuple_n(m, 2);
    case 0x87: return op_tuple_n(m, 3);
    case 'a': return op_append_items(m, SIMDEPTH_I_PK_LIST, 0, "APPEND");
    case 'e': return op_append_items(m, SIMDEPTH_I_PK_LIST, 1, "APPENDS");
    case 's': return op_append_items(m, SIMDEPTH_I_PK_DICT, 0, "SETITEM");
    case 'u': return op_append_items(m, SIMDEPTH_I_PK_DICT, 1, "SETITEMS");
    case 'q':
        st = read_uint(m, 1, "BINPUT", &v);
        return st == SIMDEPTH_OK ? memo_put(m, v) : st;
    case 'r':
        st = read_uint(m, 4, "LONG_BINPUT", &v);
        return st == SIMDEPTH_OK ? memo_put(m, v) : st;
    case 0x94: return memo_put(m, m->memo_count); /* MEMOIZE */
    case 'p':
        st = read_line(m, "PUT", &s, &n);
        if (st == SIMDEPTH_OK)
            st = parse_index(m, s, n, &v);
        return st == SIMDEPTH_OK ? memo_put(m, v) : st;
    case 'h':
        st = read_uint(m, 1, "BINGET", &v);
        return st == SIMDEPTH_OK ? memo_get(m, v) : st;
    case 'j':
        st = read_uint(m, 4, "LONG_BINGET", &v);
        return st == SIMDEPTH_OK ? memo_get(m, v) : st;
    case 'g':
        st = read_line(m, "GET", &s, &n);
        if (st == SIMDEPTH_OK)
            st = parse_index(m, s, n, &v);
        return st == SIMDEPTH_OK ? memo_get(m, v) : st;
    case 'c': return op_global(m);
    case 0x93: return op_stack_global(m);
    case 'R': return op_reduce(m);
    case 'b': return op_build(m);
    case 0x81: return op_newobj(m, 0);
    case 0x92: return op_newobj(m, 1);
    case 'Q':
        st = pop(m, &o);
        if (st == SIMDEPTH_OK)
            st = persistent_load(m, o, &o);
        return st == SIMDEPTH_OK ? push(m, o) : st;
    case 'i': /* INST names its class inline: refuse it by name */
        st = read_line(m, "INST module", &s, &n);
        if (st == SIMDEPTH_OK) {
            const char *name;
            size_t nlen;
            st = read_line(m, "INST name", &name, &nlen);
            if (st == SIMDEPTH_OK)
                st = find_global(m, s, n, name, nlen, &o);
        }
        if (st != SIMDEPTH_OK)
            return st;
        break;
    default:
        break;
    }
    s = refused_opcode(op);
    if (s != NULL)
        return vm_fail(m, SIMDEPTH_EUNSUPPORTED, "pickle opcode %s is not supported", s);
    return vm_fail(m, SIMDEPTH_EFORMAT, "unknown pickle opcode 0x%02x", op);
}

simdepth_status simdepth_i_pickle_load(simdepth_i_pickle *pk, const unsigned char *buf,
                                       size_t len, const char *entry, long long base,
                                       const simdepth_i_pobj **out, size_t *used,
                                       simdepth_error *err)
{
    vm m;
    simdepth_status st = SIMDEPTH_OK;
    int done = 0;

    memset(&m, 0, sizeof m);
    m.pk = pk;
    m.buf = buf;
    m.len = len;
    m.entry = entry;
    m.base = base;
    m.err = err;
    while (!done) {
        m.op_pos = m.pos;
        if (m.pos >= m.len) {
            st = vm_fail(&m, SIMDEPTH_EFORMAT, m.pos == 0 ? "empty pickle"
                                                          : "truncated pickle: no STOP opcode");
            break;
        }
        st = step(&m, m.buf[m.pos++], &done);
        if (st != SIMDEPTH_OK)
            break;
    }
    if (st == SIMDEPTH_OK) {
        *out = m.stack[0];
        *used = m.pos;
    }
    free(m.stack);
    free(m.marks);
    free(m.memo);
    return st;
}

/* ---- queries ---- */

size_t simdepth_i_pickle_n_storages(const simdepth_i_pickle *pk)
{
    return pk->n_storages;
}

const simdepth_i_pstorage *simdepth_i_pickle_storage(const simdepth_i_pickle *pk, size_t i)
{
    return i < pk->n_storages ? pk->storages[i] : NULL;
}

const simdepth_i_pobj *simdepth_i_pickle_dict_get(const simdepth_i_pobj *dict, const char *key)
{
    size_t i;

    if (dict->kind != SIMDEPTH_I_PK_DICT)
        return NULL;
    for (i = 0; i + 1 < dict->u.seq.n; i += 2)
        if (is_str(dict->u.seq.v[i], key))
            return dict->u.seq.v[i + 1];
    return NULL;
}

const char *simdepth_i_pickle_kind_name(const simdepth_i_pobj *o)
{
    switch (o->kind) {
    case SIMDEPTH_I_PK_NONE: return "None";
    case SIMDEPTH_I_PK_BOOL: return "bool";
    case SIMDEPTH_I_PK_INT:
    case SIMDEPTH_I_PK_BIGINT: return "int";
    case SIMDEPTH_I_PK_FLOAT: return "float";
    case SIMDEPTH_I_PK_STR: return "str";
    case SIMDEPTH_I_PK_BYTES: return "bytes";
    case SIMDEPTH_I_PK_TUPLE: return "tuple";
    case SIMDEPTH_I_PK_LIST: return "list";
    case SIMDEPTH_I_PK_DICT: return o->ordered ? "OrderedDict" : "dict";
    case SIMDEPTH_I_PK_GLOBAL: return "global";
    case SIMDEPTH_I_PK_STORAGE: return "storage";
    case SIMDEPTH_I_PK_TENSOR: return "tensor";
    }
    return "?";
}
