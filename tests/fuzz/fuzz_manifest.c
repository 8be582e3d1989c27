/* libFuzzer target: simdepth_manifest_parse() and simdepth_model_spec_parse()
 * on the same bytes, then every parsed field. */
#include "fuzz_common.h"
#include "simdepth/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void touch_spec(const simdepth_model_spec *s)
{
    char buf[64];

    /* exactly one input, and a name always */
    if ((s->weights == NULL) == (s->similarity == NULL) || s->name == NULL)
        abort();
    (void)strlen(s->weights ? s->weights : s->similarity);
    if (s->confusion)
        (void)strlen(s->confusion);
    if (s->labels)
        (void)strlen(s->labels);
    (void)simdepth_model_spec_default_name(s->weights ? s->weights : s->similarity, buf,
                                           sizeof buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    simdepth_error err;
    simdepth_manifest *m = NULL;
    simdepth_model_spec *s = NULL;
    /* an exact-size copy, so reading past @size is caught by ASan */
    char *buf = malloc(size ? size : 1);

    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    if (simdepth_manifest_parse(buf, size, "dir/fuzz-manifest", &m, &err) == SIMDEPTH_OK) {
        if (m->n_models == 0)
            abort();
        for (size_t i = 0; i < m->n_models; i++)
            touch_spec(&m->models[i]);
        simdepth_manifest_free(m);
    } else if (m != NULL || err.message[0] == '\0') {
        abort(); /* *out untouched and a message on failure */
    }
    if (simdepth_model_spec_parse(buf, size, NULL, &s, &err) == SIMDEPTH_OK) {
        touch_spec(s);
        simdepth_model_spec_free(s);
    } else if (s != NULL || err.message[0] == '\0') {
        abort();
    }
    free(buf);
    return 0;
}
