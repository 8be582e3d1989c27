/* libFuzzer target: the restricted unpickler alone (src/lib/pickle_i.h).
 * Decodes consecutive pickles from the input, as legacy .pth files hold
 * several, then walks the decoded values. */
#include "fuzz_common.h"
#include "pickle_i.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Memo entries let one value appear many times (a DAG), so a plain walk
 * can be exponential: bound the number of visits per input. */
static size_t budget;

static void walk(const simdepth_i_pobj *o, int depth)
{
    if (!o || depth > 64 || budget == 0)
        return;
    budget--;
    (void)simdepth_i_pickle_kind_name(o);
    switch (o->kind) {
    case SIMDEPTH_I_PK_TUPLE:
    case SIMDEPTH_I_PK_LIST:
    case SIMDEPTH_I_PK_DICT:
        for (size_t i = 0; i < o->u.seq.n && i < 4096; i++)
            walk(o->u.seq.v[i], depth + 1);
        if (o->kind == SIMDEPTH_I_PK_DICT) {
            (void)simdepth_i_pickle_dict_get(o, "state_dict");
            (void)simdepth_i_pickle_dict_get(o, "fc.weight");
        }
        break;
    case SIMDEPTH_I_PK_STR:
    case SIMDEPTH_I_PK_BYTES:
        if (o->u.s.len) {
            volatile char c = o->u.s.p[o->u.s.len - 1];
            (void)c;
        }
        break;
    case SIMDEPTH_I_PK_TENSOR:
        walk(o->u.tensor->storage, depth + 1);
        break;
    case SIMDEPTH_I_PK_STORAGE:
        if (o->u.storage->key_len) {
            volatile char c = o->u.storage->key[o->u.storage->key_len - 1];
            (void)c;
        }
        break;
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    simdepth_error err;
    simdepth_i_pickle *pk = NULL;
    /* Exact-size copy so ASan sees reads past the end. */
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    if (simdepth_i_pickle_new("fuzz-input", &pk, &err) != SIMDEPTH_OK) {
        free(buf);
        return 0;
    }
    size_t pos = 0;
    budget = 100000;
    for (int k = 0; k < 8 && pos < size; k++) {
        const simdepth_i_pobj *o = NULL;
        size_t used = 0;
        if (simdepth_i_pickle_load(pk, buf + pos, size - pos, k & 1 ? "data.pkl" : NULL,
                                   (long long)pos, &o, &used, &err) != SIMDEPTH_OK)
            break;
        walk(o, 0);
        if (used == 0)
            break;
        pos += used;
    }
    size_t ns = simdepth_i_pickle_n_storages(pk);
    for (size_t i = 0; i < ns; i++) {
        const simdepth_i_pstorage *s = simdepth_i_pickle_storage(pk, i);
        if (s && s->key_len) {
            volatile char c = s->key[s->key_len - 1];
            (void)c;
        }
    }
    simdepth_i_pickle_free(pk);
    free(buf);
    return 0;
}
