/* simdepth — model specs and track manifests (see simdepth/manifest.h). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/manifest.h"
#include "internal.h"
#include "textio.h"

#define MANIFEST_MAX_BYTES ((size_t)64 << 20)

enum { KEY_WEIGHTS, KEY_SIMILARITY, KEY_CONFUSION, KEY_LABELS, KEY_NAME, KEY_ACCURACY,
       KEY_EPOCH, N_KEYS };

static const char *const key_names[N_KEYS] = {"weights", "similarity", "confusion", "labels",
                                              "name",    "accuracy",   "epoch"};

/* Where a spec's text comes from, for messages and relative paths. */
typedef struct spec_ctx {
    const char *source;  /* name in messages */
    long line;           /* 0 for a single spec */
    long col0;           /* column of the text's first byte, minus 1 */
    const char *dir;     /* prefix for relative paths, or NULL */
    size_t dirlen;
    int manifest;        /* accuracy= and epoch= allowed */
} spec_ctx;

static simdepth_status fail(simdepth_error *err, const spec_ctx *c, size_t pos,
                            const char *fmt, ...) SIMDEPTH_I_PRINTF(4, 5);

static simdepth_status fail(simdepth_error *err, const spec_ctx *c, size_t pos,
                            const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, c->source, c->line,
                                c->col0 + (long)pos + 1, -1, "%s", msg);
}

static void spec_clear(simdepth_model_spec *s)
{
    free(s->weights);
    free(s->similarity);
    free(s->confusion);
    free(s->labels);
    free(s->name);
    memset(s, 0, sizeof *s);
}

char *simdepth_model_spec_default_name(const char *file, char *buf, size_t size)
{
    const char *slash, *base, *end, *dot, *colon;
    size_t n;

    if (size == 0)
        return buf;
    slash = strrchr(file, '/');
    base = slash ? slash + 1 : file;
    end = base + strlen(base);
    /* "ep10.pth:fc.weight": the tensor part follows the last ':' after a
     * '.': drop it when what precedes it has an extension. */
    colon = strrchr(base, ':');
    if (colon != NULL && memchr(base, '.', (size_t)(colon - base)) != NULL)
        end = colon;
    dot = NULL;
    for (const char *p = base; p < end; p++)
        if (*p == '.')
            dot = p;
    if (dot != NULL && dot != base)
        end = dot;
    n = (size_t)(end - base);
    if (n >= size)
        n = size - 1;
    memcpy(buf, base, n);
    buf[n] = '\0';
    return buf;
}

/* A value with escapes removed, and for file keys the directory prefixed
 * when the name is relative. */
static char *make_value(const char *v, size_t len, const spec_ctx *c, int is_file)
{
    size_t prefix = is_file && c->dir != NULL && c->dirlen > 0 && v[0] != '/' ? c->dirlen : 0;
    char *s = simdepth_i_malloc(prefix + len + 1), *q;

    if (s == NULL)
        return NULL;
    memcpy(s, c->dir ? c->dir : "", prefix);
    q = s + prefix;
    for (size_t i = 0; i < len; i++) {
        if (v[i] == '\\' && i + 1 < len)
            i++;
        *q++ = v[i];
    }
    *q = '\0';
    return s;
}

static int parse_number(const char *s, double *v)
{
    char *end;

    errno = 0;
    *v = strtod(s, &end);
    return errno == 0 && end != s && *end == '\0' && isfinite(*v) ? 0 : -1;
}

/* Parse the @len bytes of @t (no line break, no comment) into @s. */
static simdepth_status parse_fields(const char *t, size_t len, const spec_ctx *c,
                                    simdepth_model_spec *s, simdepth_error *err)
{
    char **slot[N_KEYS] = {&s->weights, &s->similarity, &s->confusion, &s->labels, &s->name,
                           NULL, NULL};
    size_t key_pos[N_KEYS];
    int seen[N_KEYS] = {0};
    size_t i = 0;
    char namebuf[256];

    memset(s, 0, sizeof *s);
    s->accuracy = NAN;
    s->epoch = NAN;
    s->line = (size_t)c->line;
    for (;;) {
        size_t ks, ke, vs, ve, k;
        char keybuf[16];
        int key = -1;

        while (i < len && (t[i] == ' ' || t[i] == '\t'))
            i++;
        ks = i;
        while (i < len && t[i] != '=' && t[i] != ',' && t[i] != '\\')
            i++;
        ke = i;
        while (ke > ks && (t[ke - 1] == ' ' || t[ke - 1] == '\t'))
            ke--;
        if (i >= len || t[i] != '=') {
            char fb[48];
            size_t n = 0, j = ks;
            if (ke == ks)
                return fail(err, c, ks, "expected a KEY=VALUE field (weights=FILE[:TENSOR] "
                                        "or similarity=FILE, then ,KEY=VALUE)");
            while (j < len && t[j] != ',' && n < sizeof fb - 4) {
                unsigned char ch = (unsigned char)t[j++];
                fb[n++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
            }
            if (j < len && t[j] != ',') /* shortened: say so */
                memcpy(fb + n, "...", 3), n += 3;
            fb[n] = '\0';
            return fail(err, c, ks, "field '%s' has no '='; expected KEY=VALUE (weights=FILE"
                                    "[:TENSOR] or similarity=FILE, then ,KEY=VALUE)", fb);
        }
        if (ke == ks)
            return fail(err, c, ks, "expected a key before '='");
        for (k = 0; k < N_KEYS; k++)
            if (strlen(key_names[k]) == ke - ks && memcmp(key_names[k], t + ks, ke - ks) == 0)
                key = (int)k;
        if (key < 0) {
            char kb[64];
            size_t n = ke - ks < sizeof kb - 1 ? ke - ks : sizeof kb - 1;
            memcpy(kb, t + ks, n);
            kb[n] = '\0';
            for (size_t j = 0; j < n; j++)
                if ((unsigned char)kb[j] < 0x20 || (unsigned char)kb[j] == 0x7f)
                    kb[j] = '?';
            return fail(err, c, ks,
                        c->manifest ? "unknown key '%s'; expected weights, similarity, confusion, "
                                      "labels, name, accuracy or epoch"
                                    : "unknown key '%s'; expected weights, similarity, "
                                      "confusion, labels or name",
                        kb);
        }
        snprintf(keybuf, sizeof keybuf, "%s", key_names[key]);
        if (!c->manifest && (key == KEY_ACCURACY || key == KEY_EPOCH))
            return fail(err, c, ks, "'%s=' belongs in a track manifest, not in a model spec",
                        keybuf);
        if (seen[key])
            return fail(err, c, ks, "key '%s' given twice; expected each key at most once",
                        keybuf);
        seen[key] = 1;
        key_pos[key] = ks;
        i++; /* '=' */
        while (i < len && (t[i] == ' ' || t[i] == '\t'))
            i++;
        vs = i;
        while (i < len && t[i] != ',') {
            if (t[i] == '\\') {
                if (i + 1 >= len)
                    return fail(err, c, i, "a backslash ends the field; expected a character "
                                           "after it (\\, \\# \\\\ \\=)");
                i++;
            }
            i++;
        }
        ve = i;
        while (ve > vs && (t[ve - 1] == ' ' || t[ve - 1] == '\t') &&
               !(ve - vs >= 2 && t[ve - 2] == '\\'))
            ve--;
        if (ve == vs)
            return fail(err, c, vs, "empty value of '%s'; expected %s", keybuf,
                        key == KEY_NAME       ? "a model name"
                        : key == KEY_ACCURACY ? "a number"
                        : key == KEY_EPOCH    ? "a number"
                                              : "a file name");
        if (key == KEY_ACCURACY || key == KEY_EPOCH) {
            char nb[64];
            double v;
            size_t n = ve - vs;
            if (n >= sizeof nb || memchr(t + vs, '\\', n) != NULL)
                return fail(err, c, vs, "bad value of '%s'; expected a finite number", keybuf);
            memcpy(nb, t + vs, n);
            nb[n] = '\0';
            if (parse_number(nb, &v) != 0)
                return fail(err, c, vs, "bad value of '%s'; expected a finite number", keybuf);
            if (key == KEY_ACCURACY)
                s->accuracy = v;
            else
                s->epoch = v;
        } else {
            *slot[key] = make_value(t + vs, ve - vs, c, key != KEY_NAME);
            if (*slot[key] == NULL)
                return simdepth_i_error_set(err, SIMDEPTH_ENOMEM, c->source, c->line, 0, -1,
                                            "out of memory");
        }
        if (i >= len)
            break;
        i++; /* ',' */
        {
            size_t j = i;
            while (j < len && (t[j] == ' ' || t[j] == '\t'))
                j++;
            if (j >= len)
                return fail(err, c, j, "the line ends after ','; expected another KEY=VALUE "
                                       "field");
        }
    }
    if (seen[KEY_WEIGHTS] && seen[KEY_SIMILARITY])
        return fail(err, c, key_pos[KEY_SIMILARITY],
                    "both weights= and similarity=; expected exactly one of them");
    if (!seen[KEY_WEIGHTS] && !seen[KEY_SIMILARITY])
        return fail(err, c, 0, "no weights= or similarity=; expected exactly one of them");
    s->name_given = seen[KEY_NAME];
    if (!s->name_given) {
        const char *f = s->weights ? s->weights : s->similarity;
        simdepth_model_spec_default_name(f, namebuf, sizeof namebuf);
        if (namebuf[0] == '\0')
            return fail(err, c, 0, "no model name can be made from the file name; expected "
                                   "name=NAME");
        s->name = simdepth_i_strdup(namebuf);
        if (s->name == NULL)
            return simdepth_i_error_set(err, SIMDEPTH_ENOMEM, c->source, c->line, 0, -1,
                                        "out of memory");
    }
    return SIMDEPTH_OK;
}

static simdepth_status check_nul(const char *t, size_t len, const spec_ctx *c,
                                 simdepth_error *err)
{
    const char *z = memchr(t, '\0', len);

    if (z != NULL)
        return fail(err, c, (size_t)(z - t), "a NUL byte; expected text");
    return SIMDEPTH_OK;
}

simdepth_status simdepth_model_spec_parse(const char *text, size_t len, const char *source,
                                          simdepth_model_spec **out, simdepth_error *err)
{
    spec_ctx c;
    simdepth_model_spec *s = NULL;
    simdepth_status st;

    simdepth_error_clear(err);
    memset(&c, 0, sizeof c);
    c.source = source ? source : "model spec";
    if (text == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, c.source, 0, 0, -1, "no spec text");
    st = check_nul(text, len, &c, err);
    if (st != SIMDEPTH_OK)
        return st;
    {
        const char *nl = memchr(text, '\n', len);
        if (nl != NULL)
            return fail(err, &c, (size_t)(nl - text), "a line break; expected one line");
    }
    s = simdepth_i_calloc(1, sizeof *s);
    if (s == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_ENOMEM, c.source, 0, 0, -1, "out of memory");
    st = parse_fields(text, len, &c, s, err);
    if (st != SIMDEPTH_OK) {
        spec_clear(s);
        free(s);
        return st;
    }
    *out = s;
    return SIMDEPTH_OK;
}

void simdepth_model_spec_free(simdepth_model_spec *s)
{
    if (s == NULL)
        return;
    spec_clear(s);
    free(s);
}

/* Length of the line's content before a comment: '#' at the start or
 * after a blank, unless escaped. */
static size_t strip_comment(const char *t, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (t[i] == '\\') {
            i++;
            continue;
        }
        if (t[i] == '#' && (i == 0 || t[i - 1] == ' ' || t[i - 1] == '\t'))
            return i;
    }
    return len;
}

typedef struct name_ref {
    const char *name;
    size_t index;
} name_ref;

static int cmp_name_ref(const void *x, const void *y)
{
    const name_ref *a = x, *b = y;
    int c = strcmp(a->name, b->name);

    return c != 0 ? c : a->index < b->index ? -1 : a->index > b->index;
}

void simdepth_manifest_free(simdepth_manifest *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n_models; i++)
        spec_clear(&m->models[i]);
    free(m->models);
    free(m);
}

simdepth_status simdepth_manifest_parse(const char *text, size_t len, const char *source,
                                        simdepth_manifest **out, simdepth_error *err)
{
    spec_ctx c;
    simdepth_manifest *m = NULL;
    name_ref *refs = NULL;
    size_t cap = 0, lineno = 0;
    const char *p, *end, *slash;
    simdepth_status st = SIMDEPTH_OK;

    simdepth_error_clear(err);
    memset(&c, 0, sizeof c);
    c.source = source ? source : "manifest";
    c.manifest = 1;
    if (source != NULL && (slash = strrchr(source, '/')) != NULL) {
        c.dir = source;
        c.dirlen = (size_t)(slash - source) + 1;
    }
    if (text == NULL && len > 0)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, c.source, 0, 0, -1, "no text");
    m = simdepth_i_calloc(1, sizeof *m);
    if (m == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_ENOMEM, c.source, 0, 0, -1, "out of memory");
    p = text ? text : "";
    end = p + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), ws = 0, ce;

        lineno++;
        c.line = (long)lineno;
        c.col0 = 0;
        if (n > 0 && p[n - 1] == '\r')
            n--;
        st = check_nul(p, n, &c, err);
        if (st != SIMDEPTH_OK)
            goto out;
        ce = strip_comment(p, n);
        while (ws < ce && (p[ws] == ' ' || p[ws] == '\t'))
            ws++;
        while (ce > ws && (p[ce - 1] == ' ' || p[ce - 1] == '\t') &&
               !(ce >= 2 && p[ce - 2] == '\\'))
            ce--;
        if (ce > ws) {
            if (m->n_models == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                simdepth_model_spec *nm =
                    simdepth_i_realloc_array(m->models, ncap, sizeof *nm);
                if (nm == NULL) {
                    st = simdepth_i_error_set(err, SIMDEPTH_ENOMEM, c.source, c.line, 0, -1,
                                              "out of memory");
                    goto out;
                }
                m->models = nm;
                cap = ncap;
            }
            c.col0 = (long)ws;
            st = parse_fields(p + ws, ce - ws, &c, &m->models[m->n_models], err);
            if (st != SIMDEPTH_OK) {
                spec_clear(&m->models[m->n_models]);
                goto out;
            }
            m->n_models++;
        }
        p = nl ? nl + 1 : end;
    }
    if (m->n_models == 0) {
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, c.source, 0, 0, -1,
                                  "no models; expected one model spec per line "
                                  "(weights=FILE or similarity=FILE, then ,KEY=VALUE fields)");
        goto out;
    }
    refs = simdepth_i_malloc_array(m->n_models, sizeof *refs);
    if (refs == NULL) {
        st = simdepth_i_error_set(err, SIMDEPTH_ENOMEM, c.source, 0, 0, -1, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < m->n_models; i++) {
        refs[i].name = m->models[i].name;
        refs[i].index = i;
    }
    qsort(refs, m->n_models, sizeof *refs, cmp_name_ref);
    {
        /* of all repeated names, report the one whose repetition comes first */
        size_t best = 0;
        for (size_t i = 1; i < m->n_models; i++)
            if (strcmp(refs[i].name, refs[i - 1].name) == 0 &&
                (best == 0 || refs[i].index < refs[best].index))
                best = i;
        if (best > 0) {
            const simdepth_model_spec *second = &m->models[refs[best].index];
            size_t first = best - 1;
            while (first > 0 && strcmp(refs[first - 1].name, second->name) == 0)
                first--;
            st = simdepth_i_error_set(
                err, SIMDEPTH_EFORMAT, c.source, (long)second->line, 1, -1,
                "model name '%.200s' was already used on line %zu; expected a unique name "
                "(add name=NAME)",
                second->name, m->models[refs[first].index].line);
            goto out;
        }
    }
out:
    free(refs);
    if (st != SIMDEPTH_OK) {
        simdepth_manifest_free(m);
        return st;
    }
    *out = m;
    return SIMDEPTH_OK;
}

simdepth_status simdepth_manifest_read(const char *path, simdepth_manifest **out,
                                       simdepth_error *err)
{
    char *text = NULL;
    size_t len = 0;
    simdepth_status st;

    simdepth_error_clear(err);
    st = simdepth_i_read_file(path, MANIFEST_MAX_BYTES, &text, &len, err);
    if (st != SIMDEPTH_OK)
        return st;
    st = simdepth_manifest_parse(text, len, path, out, err);
    free(text);
    return st;
}
