/* simdepth — a restricted unpickler for PyTorch checkpoints.
 *
 * A pickle is a program for Python's pickle virtual machine; loading one
 * with Python can run any code. This decoder runs none. It interprets the
 * opcodes of protocols 0-5 that plain data and torch.save() use as
 * operations on a stack of plain values (None, bool, int, float, str,
 * bytes, tuple, list, dict) and refuses the rest (sets, INST/OBJ, the
 * extension registry, out-of-band buffers, and protocol 0's text persistent
 * ids, which PyTorch cannot load either). Only an allow-list of globals
 * resolves:
 *
 *   collections.OrderedDict                 an empty dict (REDUCE/NEWOBJ with ())
 *   torch._utils._rebuild_tensor_v2         a tensor descriptor
 *   torch._utils._rebuild_tensor            a tensor descriptor (files from
 *                                           PyTorch < 0.4, e.g. the original
 *                                           torchvision model-zoo weights)
 *   torch._utils._rebuild_parameter         its tensor argument (a saved
 *                                           nn.Parameter)
 *   torch._utils._rebuild_parameter_with_state  the same from PyTorch >= 2.0
 *   torch.{Float,Half,BFloat16,Double,Long,Int,Short,Char,Byte,Bool}Storage
 *                                           storage types in persistent ids
 *   _codecs.encode                          bytes in protocol 2 ((str, 'latin1'))
 *
 * "Calling" one of them is C code that checks the arguments and builds the
 * value; any other global is refused where it appears, naming module.name
 * and the byte offset. Persistent ids ('storage', type, key, location,
 * numel[, view]) become storage references; the caller maps keys to bytes.
 *
 * Decoded values live in a pool owned by the simdepth_i_pickle context and
 * die with it; strings may point into the pickle buffer, which must outlive
 * the context. Resource use is bounded: objects, container slots, stack
 * length, MARK nesting and memo indices all have caps, checked before
 * anything is allocated.
 *
 * Kept apart from io_pth.c so that it can be fuzzed alone.
 */
#ifndef SIMDEPTH_PICKLE_I_H
#define SIMDEPTH_PICKLE_I_H

#include <stddef.h>
#include <stdint.h>

#include "simdepth/error.h"
#include "simdepth/tensor.h"

/* Limits. Real checkpoints stay far below them (a state_dict with 100,000
 * tensors needs about 2 million objects); together they bound the memory a
 * hostile pickle can make us use to a few hundred MB, whatever its size. */
#define SIMDEPTH_I_PICKLE_MAX_OBJECTS ((size_t)1 << 22)  /* values created */
#define SIMDEPTH_I_PICKLE_MAX_SLOTS ((size_t)1 << 24)    /* container elements */
#define SIMDEPTH_I_PICKLE_MAX_STACK ((size_t)1 << 20)    /* value stack length */
#define SIMDEPTH_I_PICKLE_MAX_NESTING 1000               /* open MARKs */

typedef enum simdepth_i_pkind {
    SIMDEPTH_I_PK_NONE = 1,
    SIMDEPTH_I_PK_BOOL,
    SIMDEPTH_I_PK_INT,     /* fits in int64 */
    SIMDEPTH_I_PK_BIGINT,  /* does not; see u.big */
    SIMDEPTH_I_PK_FLOAT,
    SIMDEPTH_I_PK_STR,     /* UTF-8, u.s; may hold NUL bytes */
    SIMDEPTH_I_PK_BYTES,   /* u.s; content not kept for _codecs.encode */
    SIMDEPTH_I_PK_TUPLE,   /* u.seq */
    SIMDEPTH_I_PK_LIST,    /* u.seq */
    SIMDEPTH_I_PK_DICT,    /* u.seq: key0, value0, key1, value1, ... in
                              insertion order; duplicate keys are kept */
    SIMDEPTH_I_PK_GLOBAL,  /* an allow-listed global, u.g */
    SIMDEPTH_I_PK_STORAGE, /* a persistent id, u.storage */
    SIMDEPTH_I_PK_TENSOR   /* a rebuilt tensor, u.tensor */
} simdepth_i_pkind;

typedef enum simdepth_i_pglobal {
    SIMDEPTH_I_PG_ORDERED_DICT = 1,
    SIMDEPTH_I_PG_REBUILD_TENSOR_V2,
    SIMDEPTH_I_PG_REBUILD_TENSOR,
    SIMDEPTH_I_PG_REBUILD_PARAMETER,
    SIMDEPTH_I_PG_REBUILD_PARAMETER_WITH_STATE,
    SIMDEPTH_I_PG_CODECS_ENCODE,
    SIMDEPTH_I_PG_STORAGE_TYPE   /* u.g.dtype says which */
} simdepth_i_pglobal;

typedef struct simdepth_i_pobj simdepth_i_pobj;

/* A storage named by a persistent id. Legacy files may name a view of a
 * root storage: then view_offset/view_numel (elements) select part of it;
 * otherwise they are 0 and numel. */
typedef struct simdepth_i_pstorage {
    const char *key;             /* root storage key, not NUL-terminated */
    size_t key_len;
    simdepth_tensor_dtype dtype;
    uint64_t numel;              /* elements of the root storage */
    uint64_t view_offset, view_numel;
    size_t pos;                  /* offset of the persistent-id opcode */
} simdepth_i_pstorage;

/* A tensor as _rebuild_tensor[_v2] describes it (not yet checked against
 * the storage's real size: the caller does that). */
typedef struct simdepth_i_ptensor {
    const simdepth_i_pobj *storage;  /* SIMDEPTH_I_PK_STORAGE */
    uint64_t offset;                 /* storage offset in elements */
    int ndim;
    uint64_t shape[SIMDEPTH_TENSOR_MAX_DIMS];
    int64_t stride[SIMDEPTH_TENSOR_MAX_DIMS];
    size_t pos;                      /* offset of the REDUCE opcode */
} simdepth_i_ptensor;

struct simdepth_i_pobj {
    simdepth_i_pkind kind;
    int ordered;         /* a dict made by collections.OrderedDict */
    union {
        int b;
        int64_t i;
        struct {
            unsigned char le[16]; /* two's complement, little-endian */
            int huge;             /* wider than 16 bytes: le is not set */
        } big;
        double d;
        struct {
            const char *p;
            size_t len;
        } s;
        struct {
            simdepth_i_pobj **v;
            size_t n, cap;
        } seq;
        struct {
            simdepth_i_pglobal which;
            simdepth_tensor_dtype dtype; /* for storage types */
            const char *name;            /* "module.name", static */
        } g;
        simdepth_i_pstorage *storage;
        simdepth_i_ptensor *tensor;
    } u;
};

/* A decoding context: the object pool and the limits' counters. */
typedef struct simdepth_i_pickle simdepth_i_pickle;

/* Create a context whose errors name @path (copied). On failure *out is
 * untouched. */
simdepth_status simdepth_i_pickle_new(const char *path, simdepth_i_pickle **out,
                                      simdepth_error *err);

/* Release @pk and every value it decoded. Accepts NULL. */
void simdepth_i_pickle_free(simdepth_i_pickle *pk);

/* Decode one pickle from @buf (at most @len bytes; it ends at its STOP
 * opcode) and set *@out to its value, owned by @pk, and *@used to the bytes
 * consumed. Errors name @pk's path and: when @entry is not NULL, the zip
 * entry and the offset inside it (err->offset -1); otherwise the file
 * offset @base + position (err->offset set). Returns SIMDEPTH_OK,
 * SIMDEPTH_EFORMAT (malformed or truncated), SIMDEPTH_EUNSUPPORTED (a
 * refused global or opcode, named), SIMDEPTH_ENOMEM. On failure *out and
 * *used are untouched; values decoded before the failure stay in @pk. May
 * be called again on the same context (legacy files hold several pickles);
 * each call has its own memo. */
simdepth_status simdepth_i_pickle_load(simdepth_i_pickle *pk, const unsigned char *buf,
                                       size_t len, const char *entry, long long base,
                                       const simdepth_i_pobj **out, size_t *used,
                                       simdepth_error *err);

/* Every storage reference decoded so far by @pk, in the order met. */
size_t simdepth_i_pickle_n_storages(const simdepth_i_pickle *pk);
const simdepth_i_pstorage *simdepth_i_pickle_storage(const simdepth_i_pickle *pk, size_t i);

/* The dict value stored under the str key @key in @dict, or NULL. The
 * first match wins. */
const simdepth_i_pobj *simdepth_i_pickle_dict_get(const simdepth_i_pobj *dict,
                                                  const char *key);

/* Python's name for the kind of @o ("dict", "list", "tensor", ...). */
const char *simdepth_i_pickle_kind_name(const simdepth_i_pobj *o);

#endif
