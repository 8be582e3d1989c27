/* simdepth — class names to WordNet noun synsets (see wnmap.h).
 *
 * The map keeps its own copy of index.noun (every lemma with its synsets in
 * sense order) and noun.exc, because the taxonomy only knows each lemma's
 * first sense. Both files are read whole and split in place: lemmas are
 * NUL-terminated inside the buffer and sorted for bsearch. Synset names and
 * glosses come from the taxonomy (simdepth_wordnet_open), so they are the
 * same strings every other command prints.
 *
 * Morphology follows NLTK 3.8's WordNetCorpusReader._morphy for nouns, not
 * WordNet's C morph.c: NLTK adds "ves" -> "f" and does not split
 * collocations into words. Class-name expectations in the tests come from
 * NLTK, so NLTK is the reference.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "simdepth/labels.h"
#include "simdepth/wnmap.h"
#include "simdepth/wordnet.h"
#include "internal.h"

#define WM_MAX_WORD 255
/* Bound on the forms one morphy step may produce; real words make a few. */
#define WM_MAX_FORMS 1024

typedef struct wm_entry {
    const char *word;  /* NUL-terminated inside the file buffer */
    uint32_t first;    /* index into nodes[] (index.noun) or bases[] (exc) */
    uint32_t count;
} wm_entry;

typedef struct wm_table {
    char *buf;          /* the whole file, split in place */
    wm_entry *entry;
    size_t n, cap;
    void *items;        /* uint32_t nodes (index) or const char * (exc) */
    size_t n_items, cap_items;
} wm_table;

struct simdepth_wnmap {
    simdepth_taxonomy *tax;
    wm_table index;     /* lemma -> taxonomy nodes, in sense order */
    wm_table exc;       /* inflected form -> base forms */
};

typedef struct wm_word {
    char s[WM_MAX_WORD + 1];
} wm_word;

/* ------------------------------------------------------------ utilities */

static char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    size_t cap2;
    void *q;

    if (need <= *cap)
        return 0;
    cap2 = *cap ? *cap : 64;
    while (cap2 < need) {
        if (cap2 > SIZE_MAX / 2)
            return -1;
        cap2 *= 2;
    }
    q = simdepth_i_realloc_array(*p, cap2, size);
    if (q == NULL)
        return -1;
    *p = q;
    *cap = cap2;
    return 0;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const wm_entry *)a)->word, ((const wm_entry *)b)->word);
}

static const wm_entry *table_find(const wm_table *t, const char *word)
{
    wm_entry key;

    if (t->n == 0)
        return NULL;
    key.word = word;
    return bsearch(&key, t->entry, t->n, sizeof *t->entry, cmp_entry);
}

static void table_free(wm_table *t)
{
    free(t->buf);
    free(t->entry);
    free(t->items);
    memset(t, 0, sizeof *t);
}

/* Read @dir/@name whole into a NUL-terminated heap buffer. */
static simdepth_status slurp(const char *dir, const char *name, char *path,
                             size_t path_size, char **out,
                             simdepth_error *err)
{
    FILE *f = NULL;
    struct stat sb;
    char *buf = NULL;
    size_t len;
    simdepth_status st = SIMDEPTH_OK;

    if ((size_t)snprintf(path, path_size, "%s/%s", dir, name) >= path_size)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "WordNet path '%s/%s' is too long", dir,
                                    name);
    f = fopen(path, "rb");
    if (f == NULL)
        return simdepth_i_error_set(
            err, SIMDEPTH_EIO, path, 0, 0, -1,
            "cannot open WordNet file '%s': %s; install the Debian package "
            "wordnet-base or pass --wordnet-dir / set WNSEARCHDIR",
            path, strerror(errno));
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) ||
        (unsigned long long)sb.st_size >= 0xffffffffull) {
        st = simdepth_i_error_set(err, SIMDEPTH_EIO, path, 0, 0, -1,
                                  "WordNet file '%s' is not a regular file "
                                  "of a plausible size", path);
        goto out;
    }
    len = (size_t)sb.st_size;
    buf = simdepth_i_malloc(len + 1);
    if (buf == NULL) {
        st = simdepth_i_enomem(err, "a WordNet file");
        goto out;
    }
    if (fread(buf, 1, len, f) != len) {
        st = simdepth_i_error_set(err, SIMDEPTH_EIO, path, 0, 0, -1,
                                  "cannot read WordNet file '%s'", path);
        goto out;
    }
    buf[len] = '\0';
    if (memchr(buf, '\0', len) != NULL) {
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, -1,
                                  "NUL byte in a WordNet text file");
        goto out;
    }
    *out = buf;
    buf = NULL;
out:
    free(buf);
    fclose(f);
    return st;
}

/* Next space-separated token of the line [*p, end): NUL-terminates it in
 * place (the separator is overwritten) and returns it, or NULL at the end. */
static char *next_token(char **p, char *end)
{
    char *b = *p, *e;

    while (b < end && *b == ' ')
        b++;
    if (b >= end)
        return NULL;
    for (e = b; e < end && *e != ' '; e++)
        ;
    *p = e < end ? e + 1 : e;
    *e = '\0';
    return b;
}

static int parse_count(const char *tok, int base, long max, long *v)
{
    char *endp;

    if (tok == NULL || tok[0] == '\0' || tok[0] == '-' || tok[0] == '+')
        return -1;
    errno = 0;
    *v = strtol(tok, &endp, base);
    return (errno != 0 || *endp != '\0' || *v > max) ? -1 : 0;
}

/* -------------------------------------------------------- file parsing */

static simdepth_status format_error(simdepth_error *err, const char *path,
                                    long line, const char *what)
{
    return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, line, 0, -1,
                                "malformed line: expected %s", what);
}

/* index.noun: lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt
 * tagsense_cnt synset_offset... ; header lines start with a space. */
static simdepth_status read_index(const char *dir, const simdepth_taxonomy *t,
                                  wm_table *x, simdepth_error *err)
{
    char path[4096], *p, *end, *eol;
    long line = 0;
    simdepth_status st;

    if ((st = slurp(dir, "index.noun", path, sizeof path, &x->buf, err)))
        return st;
    end = x->buf + strlen(x->buf);
    for (p = x->buf; p < end; p = eol + 1) {
        char *word, *tok, *q;
        long n_syn, n_ptr, k, off;

        eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL)
            eol = end;
        line++;
        if (eol > p && eol[-1] == '\r')
            eol[-1] = ' ';
        if (p == eol || *p == ' ')
            continue;
        q = p;
        word = next_token(&q, eol);
        tok = next_token(&q, eol);
        if (tok == NULL || strcmp(tok, "n") != 0)
            return format_error(err, path, line, "a lemma and pos 'n'");
        if (strlen(word) > WM_MAX_WORD)
            return format_error(err, path, line, "a lemma of at most 255 bytes");
        if (parse_count(next_token(&q, eol), 10, 100000, &n_syn) != 0 ||
            n_syn < 1 || parse_count(next_token(&q, eol), 10, 1000, &n_ptr))
            return format_error(err, path, line, "synset_cnt and p_cnt");
        for (k = 0; k < n_ptr + 2; k++) {
            if (next_token(&q, eol) == NULL)
                return format_error(err, path, line,
                                    "p_cnt pointer symbols, sense_cnt and "
                                    "tagsense_cnt");
        }
        if (grow((void **)&x->entry, &x->cap, x->n + 1, sizeof *x->entry) ||
            grow(&x->items, &x->cap_items, x->n_items + (size_t)n_syn,
                 sizeof(uint32_t)))
            return simdepth_i_enomem(err, "the WordNet lemma index");
        x->entry[x->n].word = word;
        x->entry[x->n].first = (uint32_t)x->n_items;
        x->entry[x->n].count = (uint32_t)n_syn;
        for (k = 0; k < n_syn; k++) {
            char id[16];
            size_t node;

            tok = next_token(&q, eol);
            if (tok == NULL || strlen(tok) != 8 ||
                parse_count(tok, 10, 99999999, &off) != 0)
                return format_error(err, path, line,
                                    "synset_cnt 8-digit synset offsets");
            snprintf(id, sizeof id, "n%08ld", off);
            if (simdepth_taxonomy_find_id(t, id, &node, NULL) != SIMDEPTH_OK)
                return simdepth_i_error_set(
                    err, SIMDEPTH_EFORMAT, path, line, 0, -1,
                    "lemma '%s' lists synset %s, which is not in data.noun",
                    word, id + 1);
            ((uint32_t *)x->items)[x->n_items++] = (uint32_t)node;
        }
        x->n++;
    }
    qsort(x->entry, x->n, sizeof *x->entry, cmp_entry);
    return SIMDEPTH_OK;
}

/* noun.exc: inflected base... (one line each). */
static simdepth_status read_exc(const char *dir, wm_table *x,
                                simdepth_error *err)
{
    char path[4096], *p, *end, *eol;
    long line = 0;
    simdepth_status st;

    if ((st = slurp(dir, "noun.exc", path, sizeof path, &x->buf, err)))
        return st;
    end = x->buf + strlen(x->buf);
    for (p = x->buf; p < end; p = eol + 1) {
        char *word, *tok, *q;

        eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL)
            eol = end;
        line++;
        for (q = p; q < eol; q++) {
            if (*q == '\t' || *q == '\r')
                *q = ' ';
        }
        q = p;
        word = next_token(&q, eol);
        if (word == NULL)
            continue;
        if (strlen(word) > WM_MAX_WORD)
            return format_error(err, path, line, "a word of at most 255 bytes");
        if (grow((void **)&x->entry, &x->cap, x->n + 1, sizeof *x->entry))
            return simdepth_i_enomem(err, "the WordNet exception list");
        x->entry[x->n].word = word;
        x->entry[x->n].first = (uint32_t)x->n_items;
        x->entry[x->n].count = 0;
        while ((tok = next_token(&q, eol)) != NULL) {
            if (grow(&x->items, &x->cap_items, x->n_items + 1,
                     sizeof(const char *)))
                return simdepth_i_enomem(err, "the WordNet exception list");
            ((const char **)x->items)[x->n_items++] = tok;
            x->entry[x->n].count++;
        }
        x->n++;
    }
    /* NLTK keeps the last line for a repeated word; a stable choice is
     * enough here, and WordNet 3.0 repeats none. */
    qsort(x->entry, x->n, sizeof *x->entry, cmp_entry);
    return SIMDEPTH_OK;
}

simdepth_status simdepth_wnmap_open(const char *dir, simdepth_wnmap **out,
                                    simdepth_error *err)
{
    simdepth_wnmap *m = NULL;
    simdepth_status st;

    if (out == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "simdepth_wnmap_open needs an output");
    if (dir == NULL || dir[0] == '\0') {
        dir = getenv("WNSEARCHDIR");
        if (dir == NULL || dir[0] == '\0')
            dir = SIMDEPTH_WORDNET_DEFAULT_DIR;
    }
    m = simdepth_i_calloc(1, sizeof *m);
    if (m == NULL)
        return simdepth_i_enomem(err, "a WordNet name map");
    if ((st = simdepth_wordnet_open(dir, &m->tax, err)) != SIMDEPTH_OK ||
        (st = read_index(dir, m->tax, &m->index, err)) != SIMDEPTH_OK ||
        (st = read_exc(dir, &m->exc, err)) != SIMDEPTH_OK)
        goto out;
    *out = m;
    m = NULL;
out:
    simdepth_wnmap_free(m);
    return st;
}

void simdepth_wnmap_free(simdepth_wnmap *m)
{
    if (m == NULL)
        return;
    simdepth_taxonomy_free(m->tax);
    table_free(&m->index);
    table_free(&m->exc);
    free(m);
}

const simdepth_taxonomy *simdepth_wnmap_taxonomy(const simdepth_wnmap *m)
{
    return m != NULL ? m->tax : NULL;
}

size_t simdepth_wnmap_key(const char *name, char *buf, size_t size)
{
    const char *b = name, *e = name + strlen(name);
    size_t n = 0;

    while (b < e && is_space(*b))
        b++;
    while (e > b && is_space(e[-1]))
        e--;
    while (b < e) {
        char c;

        if (is_space(*b)) {
            while (b < e && is_space(*b))
                b++;
            c = '_';
        } else {
            c = ascii_lower(*b++);
        }
        if (n + 1 < size)
            buf[n] = c;
        n++;
    }
    if (size > 0)
        buf[n < size ? n : size - 1] = '\0';
    return n;
}

/* ------------------------------------------------------------- morphy */

typedef struct wm_forms {
    wm_word *w;
    size_t n, cap;
} wm_forms;

static const struct {
    const char *old, *new_;
} noun_rules[] = {{"s", ""},     {"ses", "s"},   {"ves", "f"},
                  {"xes", "x"},  {"zes", "z"},   {"ches", "ch"},
                  {"shes", "sh"}, {"men", "man"}, {"ies", "y"}};

static int forms_add(wm_forms *f, const char *s, size_t len)
{
    if (f->n >= WM_MAX_FORMS)
        return 0; /* pathological input: stop growing, stay correct */
    if (grow((void **)&f->w, &f->cap, f->n + 1, sizeof *f->w))
        return -1;
    memcpy(f->w[f->n].s, s, len);
    f->w[f->n].s[len] = '\0';
    f->n++;
    return 0;
}

/* NLTK's apply_rules: every rule whose suffix each form ends with. */
static int apply_rules(const wm_forms *in, wm_forms *out)
{
    size_t i, r;

    out->n = 0;
    for (i = 0; i < in->n; i++) {
        const char *s = in->w[i].s;
        size_t len = strlen(s);

        for (r = 0; r < sizeof noun_rules / sizeof noun_rules[0]; r++) {
            size_t lo = strlen(noun_rules[r].old), ln;
            char buf[WM_MAX_WORD + 1];

            if (len < lo || memcmp(s + len - lo, noun_rules[r].old, lo) != 0)
                continue;
            ln = strlen(noun_rules[r].new_);
            memcpy(buf, s, len - lo);
            memcpy(buf + len - lo, noun_rules[r].new_, ln);
            if (forms_add(out, buf, len - lo + ln) != 0)
                return -1;
        }
    }
    return 0;
}

/* NLTK's filter_forms, appended to @hits: forms that are noun lemmas, each
 * once, in order. */
static int filter_forms(const simdepth_wnmap *m, const wm_word *w, size_t n,
                        const wm_entry **hits, size_t *n_hits)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        const wm_entry *e = table_find(&m->index, w[i].s);

        if (e == NULL)
            continue;
        for (j = 0; j < *n_hits && hits[j] != e; j++)
            ;
        if (j == *n_hits && *n_hits < WM_MAX_FORMS)
            hits[(*n_hits)++] = e;
    }
    return *n_hits > 0;
}

/* The index.noun lemmas @form reduces to (NLTK _morphy, pos 'n'). */
static int morphy(const simdepth_wnmap *m, const char *form,
                  const wm_entry **hits, size_t *n_hits)
{
    wm_forms a = {NULL, 0, 0}, b = {NULL, 0, 0}, tmp;
    const wm_entry *x = table_find(&m->exc, form);
    int rc = -1;
    size_t k;

    *n_hits = 0;
    if (forms_add(&a, form, strlen(form)) != 0)
        goto out;
    if (x != NULL) {
        for (k = 0; k < x->count; k++) {
            const char *base = ((const char *const *)m->exc.items)[x->first + k];

            if (strlen(base) <= WM_MAX_WORD &&
                forms_add(&a, base, strlen(base)) != 0)
                goto out;
        }
        filter_forms(m, a.w, a.n, hits, n_hits);
        rc = 0;
        goto out;
    }
    if (apply_rules(&a, &b) != 0)
        goto out;
    for (k = 0; k < b.n; k++) {
        if (forms_add(&a, b.w[k].s, strlen(b.w[k].s)) != 0)
            goto out;
    }
    if (filter_forms(m, a.w, a.n, hits, n_hits)) {
        rc = 0;
        goto out;
    }
    while (b.n > 0) {
        if (apply_rules(&b, &a) != 0)
            goto out;
        tmp = a;
        a = b;
        b = tmp;
        if (filter_forms(m, b.w, b.n, hits, n_hits))
            break;
    }
    rc = 0;
out:
    free(a.w);
    free(b.w);
    return rc;
}

/* ------------------------------------------------------------- lookups */

static void sense_of(const simdepth_wnmap *m, size_t node, const char *lemma,
                     simdepth_wnmap_sense *s)
{
    s->wnid = simdepth_taxonomy_id(m->tax, node);
    s->name = simdepth_taxonomy_name(m->tax, node);
    s->lemma = lemma != NULL ? lemma : simdepth_taxonomy_label(m->tax, node);
    s->gloss = simdepth_taxonomy_gloss(m->tax, node);
}

void simdepth_wnmap_result_clear(simdepth_wnmap_result *r)
{
    if (r == NULL)
        return;
    free(r->senses);
    memset(r, 0, sizeof *r);
}

/* Collect the senses of @variant into @out; 0 with out->n possibly 0, or -1
 * on memory exhaustion. */
static int lookup_variant(const simdepth_wnmap *m, const char *variant,
                          simdepth_wnmap_result *out)
{
    const wm_entry **hits;
    size_t n_hits = 0, h, k, j, total = 0;
    uint32_t *seen = NULL;
    int rc = -1;

    hits = simdepth_i_malloc_array(WM_MAX_FORMS, sizeof *hits);
    if (hits == NULL || morphy(m, variant, hits, &n_hits) != 0)
        goto out;
    for (h = 0; h < n_hits; h++)
        total += hits[h]->count;
    if (total == 0) {
        rc = 0;
        goto out;
    }
    out->senses = simdepth_i_malloc_array(total, sizeof *out->senses);
    seen = simdepth_i_malloc_array(total, sizeof *seen);
    if (out->senses == NULL || seen == NULL)
        goto out;
    for (h = 0; h < n_hits; h++) {
        for (k = 0; k < hits[h]->count; k++) {
            uint32_t node = ((const uint32_t *)m->index.items)[hits[h]->first + k];

            for (j = 0; j < out->n && seen[j] != node; j++)
                ;
            if (j < out->n)
                continue;
            seen[out->n] = node;
            sense_of(m, node, hits[h]->word, &out->senses[out->n]);
            out->n++;
        }
    }
    snprintf(out->form, sizeof out->form, "%s", variant);
    rc = 0;
out:
    free(hits);
    free(seen);
    return rc;
}

simdepth_status simdepth_wnmap_lookup(const simdepth_wnmap *m,
                                      const char *name,
                                      simdepth_wnmap_result *out,
                                      simdepth_error *err)
{
    char key[WM_MAX_WORD + 1], variant[3][WM_MAX_WORD + 1];
    size_t len, i, v, n_var = 1;

    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (m == NULL || name == NULL || out == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "simdepth_wnmap_lookup needs a map, a "
                                    "name and an output");
    len = simdepth_wnmap_key(name, key, sizeof key);
    if (len == 0)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "empty class name");
    if (len > WM_MAX_WORD)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "class name '%.40s...' is longer than "
                                    "%d bytes", key, WM_MAX_WORD);
    memcpy(variant[0], key, len + 1);
    if (strchr(key, '-') != NULL) {
        for (i = 0; i <= len; i++)
            variant[n_var][i] = key[i] == '-' ? '_' : key[i];
        n_var++;
    }
    if (strchr(key, '_') != NULL) {
        for (i = 0; i <= len; i++)
            variant[n_var][i] = key[i] == '_' ? '-' : key[i];
        n_var++;
    }
    for (v = 0; v < n_var; v++) {
        if (lookup_variant(m, variant[v], out) != 0) {
            simdepth_wnmap_result_clear(out);
            return simdepth_i_enomem(err, "the senses of a class name");
        }
        if (out->n > 0)
            return SIMDEPTH_OK;
        simdepth_wnmap_result_clear(out);
    }
    return simdepth_i_error_set(err, SIMDEPTH_ENOTFOUND, NULL, 0, 0, -1,
                                "no WordNet noun synset for '%s'", name);
}

/* 1 if @s looks like "lemma.n.NN". */
static int is_synset_name(const char *s)
{
    const char *dot = strstr(s, ".n.");

    if (dot == NULL)
        dot = strstr(s, ".N.");
    const char *p;

    if (dot == NULL || dot == s)
        return 0;
    while (strstr(dot + 1, ".n.") != NULL || strstr(dot + 1, ".N.") != NULL)
        dot = strstr(dot + 1, ".n.") != NULL ? strstr(dot + 1, ".n.")
                                             : strstr(dot + 1, ".N.");
    p = dot + 3;
    if (*p == '\0')
        return 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
    }
    return 1;
}

simdepth_status simdepth_wnmap_synset(const simdepth_wnmap *m,
                                      const char *spec,
                                      simdepth_wnmap_sense *out,
                                      simdepth_error *err)
{
    size_t node;
    simdepth_status st;

    if (m == NULL || spec == NULL || out == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "simdepth_wnmap_synset needs a map, a "
                                    "synset and an output");
    if (simdepth_is_wnid(spec))
        st = simdepth_taxonomy_find_id(m->tax, spec, &node, NULL);
    else if (is_synset_name(spec)) {
        char key[WM_MAX_WORD + 1];

        if (simdepth_wnmap_key(spec, key, sizeof key) >= sizeof key)
            return simdepth_i_error_set(err, SIMDEPTH_ENOTFOUND, NULL, 0, 0,
                                        -1, "no WordNet noun synset '%.40s...'",
                                        spec);
        st = simdepth_taxonomy_find_name(m->tax, key, &node, NULL);
    } else
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "'%s' is neither a WordNet id "
                                    "(n02084071) nor a synset name "
                                    "(dog.n.01)", spec);
    if (st != SIMDEPTH_OK)
        return simdepth_i_error_set(err, SIMDEPTH_ENOTFOUND, NULL, 0, 0, -1,
                                    "no WordNet noun synset '%s'", spec);
    sense_of(m, node, NULL, out);
    return SIMDEPTH_OK;
}
