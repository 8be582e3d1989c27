/* simdepth — the WordNet 3.0 noun hierarchy, read from data.noun and
 * index.noun (the Princeton database format, wndb(5WN)) without libwordnet.
 *
 * Both files are read whole and parsed with a cursor bounded by the line end.
 * Names follow NLTK 3.8's WordNetCorpusReader:
 *
 *   name   first lemma, lower-cased, ".n.", and the 1-based position of the
 *          synset's offset in index.noun's offset list for that lemma (%02d)
 *   gloss  NLTK's definition(): the gloss without its "quoted examples",
 *          stripped of whitespace and then of ';' and ' '
 *   parents  '@' and '@i' pointers to nouns whose source/target is "0000"
 *          (NLTK keeps only those as synset relations)
 *
 * index.noun also gives find_name its aliases: every lemma maps to its first
 * sense.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "simdepth/wordnet.h"
#include "internal.h"
#include "taxonomy_i.h"

/* Pre-faulting the mapping saves most of the load time where page faults are
 * slow; it is a Linux extension, so it is optional. */
#ifdef MAP_POPULATE
#define WN_MAP_POPULATE MAP_POPULATE
#else
#define WN_MAP_POPULATE 0
#endif

#define WN_HINT                                                               \
    "install the Debian package wordnet-base or pass --wordnet-dir / set "    \
    "WNSEARCHDIR"

/* Longest word (lemma) we accept; WordNet 3.0's longest noun lemma has 71
 * characters. */
#define WN_MAX_WORD 255

/* ------------------------------------------------------------ file input */

/* A whole file, read-only: mapped where the system allows it (cheapest: the
 * database is 20 MB and page faults dominate a plain read), else read into
 * the heap. Parsing never relies on a terminating NUL. */
typedef struct wn_file {
    char path[4096];
    const char *buf;
    size_t len;
    void *map;  /* mmap'd region, or NULL */
    char *heap; /* malloc'd copy, or NULL */
} wn_file;

static void wn_release(wn_file *f)
{
    if (f->map != NULL)
        munmap(f->map, f->len);
    free(f->heap);
    f->map = NULL;
    f->heap = NULL;
    f->buf = NULL;
}

static simdepth_status wn_read(wn_file *f, int fd, simdepth_error *err)
{
    size_t got = 0;

    f->heap = simdepth_i_malloc(f->len);
    if (f->heap == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_ENOMEM, f->path, 0, 0, -1,
                                    "out of memory reading '%s' (%zu bytes)",
                                    f->path, f->len);
    while (got < f->len) {
        ssize_t r = read(fd, f->heap + got, f->len - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return simdepth_i_error_set(err, SIMDEPTH_EIO, f->path, 0, 0, -1,
                                        "cannot read WordNet file '%s': %s",
                                        f->path,
                                        r < 0 ? strerror(errno)
                                              : "file shrank while reading");
        got += (size_t)r;
    }
    f->buf = f->heap;
    return SIMDEPTH_OK;
}

static simdepth_status wn_slurp(const char *dir, const char *name,
                                wn_file *f, simdepth_error *err)
{
    int fd = -1;
    struct stat sb;
    const char *nul;
    simdepth_status st = SIMDEPTH_OK;

    if ((size_t)snprintf(f->path, sizeof f->path, "%s/%s", dir, name) >=
        sizeof f->path)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "WordNet path '%s/%s' is too long", dir,
                                    name);
    fd = open(f->path, O_RDONLY);
    if (fd < 0) {
        st = simdepth_i_error_set(err, SIMDEPTH_EIO, f->path, 0, 0, -1,
                                  "cannot open WordNet file '%s': %s; " WN_HINT,
                                  f->path, strerror(errno));
        goto out;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = simdepth_i_error_set(err, SIMDEPTH_EIO, f->path, 0, 0, -1,
                                  "WordNet file '%s' is not a regular file; "
                                  WN_HINT, f->path);
        goto out;
    }
    /* Positions inside the files are kept as 32-bit numbers. */
    if ((unsigned long long)sb.st_size >= 0xffffffffull ||
        (unsigned long long)sb.st_size >= (unsigned long long)SIZE_MAX / 2) {
        st = simdepth_i_error_set(err, SIMDEPTH_ENOMEM, f->path, 0, 0, -1,
                                  "WordNet file '%s' is too large", f->path);
        goto out;
    }
    f->len = (size_t)sb.st_size;
    f->buf = "";
    if (f->len == 0)
        goto out;
    f->map = mmap(NULL, f->len, PROT_READ, MAP_PRIVATE | WN_MAP_POPULATE, fd,
                  0);
    if (f->map == MAP_FAILED) {
        f->map = NULL;
        if ((st = wn_read(f, fd, err)) != SIMDEPTH_OK)
            goto out;
    } else {
        f->buf = f->map;
    }
    /* A NUL would end a token early once it is copied out as a C string. */
    nul = memchr(f->buf, '\0', f->len);
    if (nul != NULL) {
        long line = 1;
        const char *q;

        for (q = f->buf; q < nul; q++)
            line += *q == '\n';
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, f->path, line, 0,
                                  (long long)(nul - f->buf),
                                  "NUL byte in a WordNet text file");
    }
out:
    if (fd >= 0)
        close(fd);
    return st;
}

/* ---------------------------------------------------------- line cursor */

typedef struct wn_cursor {
    const wn_file *f;
    const char *line; /* start of the current line */
    const char *p;    /* next unread byte */
    const char *end;  /* end of the current line ('\n' or the buffer end) */
    const char *next; /* start of the following line */
    long lineno; /* 1-based */
    long field;  /* 1-based index of the last token read */
} wn_cursor;

static void cur_init(wn_cursor *c, const wn_file *f)
{
    c->f = f;
    c->next = f->buf;
    c->lineno = 0;
}

/* Advance to the next line; 0 at end of file. */
static int cur_next_line(wn_cursor *c)
{
    const char *stop = c->f->buf + c->f->len;
    const char *nl;

    if (c->next >= stop)
        return 0;
    c->line = c->p = c->next;
    nl = memchr(c->line, '\n', (size_t)(stop - c->line));
    c->end = nl != NULL ? nl : stop;
    c->next = nl != NULL ? nl + 1 : stop;
    if (c->end > c->line && c->end[-1] == '\r')
        c->end--;
    c->lineno++;
    c->field = 0;
    return 1;
}

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Next whitespace-separated token of the line: *tok and *len, 0 if none. */
static int cur_token(wn_cursor *c, const char **tok, size_t *len)
{
    const char *s;

    while (c->p < c->end && is_blank(*c->p))
        c->p++;
    if (c->p >= c->end)
        return 0;
    s = c->p;
    while (c->p < c->end && !is_blank(*c->p))
        c->p++;
    *tok = s;
    *len = (size_t)(c->p - s);
    c->field++;
    return 1;
}

static simdepth_status cur_error(const wn_cursor *c, simdepth_error *err,
                                 const char *what, const char *tok, size_t len)
{
    if (tok == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, c->f->path,
                                    c->lineno, c->field + 1, -1,
                                    "line ends before %s", what);
    return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, c->f->path, c->lineno,
                                c->field, -1, "expected %s, found '%.*s'", what,
                                len > 40 ? 40 : (int)len, tok);
}

static int digit_value(char ch, int base)
{
    int v;

    if (ch >= '0' && ch <= '9')
        v = ch - '0';
    else if (ch >= 'a' && ch <= 'f')
        v = ch - 'a' + 10;
    else if (ch >= 'A' && ch <= 'F')
        v = ch - 'A' + 10;
    else
        return -1;
    return v < base ? v : -1;
}

/* Read a token that is an unsigned number in @base of 1..@max_digits
 * digits (max_digits <= 9, so it fits in a long). */
static simdepth_status cur_number(wn_cursor *c, int base, size_t max_digits,
                                  const char *what, long *value,
                                  simdepth_error *err)
{
    const char *tok = NULL;
    size_t len = 0, i;
    long v = 0;

    if (!cur_token(c, &tok, &len))
        return cur_error(c, err, what, NULL, 0);
    if (len > max_digits)
        return cur_error(c, err, what, tok, len);
    for (i = 0; i < len; i++) {
        int d = digit_value(tok[i], base);

        if (d < 0)
            return cur_error(c, err, what, tok, len);
        v = v * base + d;
    }
    *value = v;
    return SIMDEPTH_OK;
}

/* Read a token that must be exactly @want. */
static simdepth_status cur_literal(wn_cursor *c, const char *want,
                                   const char *what, simdepth_error *err)
{
    const char *tok = NULL;
    size_t len = 0;

    if (!cur_token(c, &tok, &len))
        return cur_error(c, err, what, NULL, 0);
    if (len != strlen(want) || memcmp(tok, want, len) != 0)
        return cur_error(c, err, what, tok, len);
    return SIMDEPTH_OK;
}

static simdepth_status cur_end(wn_cursor *c, simdepth_error *err)
{
    const char *tok = NULL;
    size_t len = 0;

    if (cur_token(c, &tok, &len))
        return cur_error(c, err, "the end of the line", tok, len);
    return SIMDEPTH_OK;
}

/* 1-based line of byte @pos of @f (error paths only). */
static long line_of(const wn_file *f, size_t pos)
{
    const char *p = f->buf, *end = f->buf + pos;
    long line = 1;

    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        line++;
        p++;
    }
    return line;
}

/* Lines of the licence header start with two spaces (wndb(5WN)). */
static int is_header(const wn_cursor *c)
{
    return c->end - c->line >= 1 && c->line[0] == ' ';
}

/* ------------------------------------------------------------ index.noun */

/* 16 bytes per lemma: the table is large (117,798 entries), and on a cold
 * start every page touched is a page fault. */
typedef struct wn_lemma {
    uint32_t pos;   /* byte offset of the lemma in index.noun */
    uint32_t len;
    uint32_t first; /* into wn_index.offsets */
    uint32_t count;
} wn_lemma;

typedef struct wn_index {
    const char *base; /* index.noun's text */
    wn_lemma *lemma;
    size_t n;
    size_t cap;
    uint32_t *offsets;
    size_t n_off;
    size_t cap_off;
} wn_index;

static void index_free(wn_index *x)
{
    free(x->lemma);
    free(x->offsets);
}

static uint32_t hash_bytes(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

static char ascii_lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* hash_bytes() of the lower-cased @s. */
static uint32_t hash_lower(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < len; i++) {
        h ^= (unsigned char)ascii_lower(s[i]);
        h *= 16777619u;
    }
    return h;
}

static int grow_array(void **p, size_t *cap, size_t need, size_t size)
{
    size_t c = *cap == 0 ? 1024 : *cap;
    void *q;

    while (c < need) {
        if (c > SIZE_MAX / 2)
            return -1;
        c *= 2;
    }
    if (c == *cap)
        return 0;
    q = simdepth_i_realloc_array(*p, c, size);
    if (q == NULL)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt
 * synset_offset... */
static simdepth_status index_parse_line(wn_cursor *c, wn_index *x,
                                        simdepth_error *err)
{
    const char *lemma = NULL;
    size_t lemma_len = 0;
    long n_synsets, n_ptrs, n_senses, tagged, k;
    simdepth_status st;

    if (!cur_token(c, &lemma, &lemma_len))
        return cur_error(c, err, "a lemma", NULL, 0);
    if (lemma_len > WN_MAX_WORD)
        return cur_error(c, err, "a lemma of at most 255 bytes", lemma,
                         lemma_len);
    if ((st = cur_literal(c, "n", "part of speech 'n'", err)) != SIMDEPTH_OK)
        return st;
    if ((st = cur_number(c, 10, 6, "a decimal synset_cnt", &n_synsets, err)))
        return st;
    if (n_synsets < 1)
        return cur_error(c, err, "a synset_cnt of at least 1", "0", 1);
    if ((st = cur_number(c, 10, 4, "a decimal p_cnt", &n_ptrs, err)))
        return st;
    for (k = 0; k < n_ptrs; k++) {
        const char *tok = NULL;
        size_t len = 0;

        if (!cur_token(c, &tok, &len))
            return cur_error(c, err, "a pointer symbol (p_cnt too large?)",
                             NULL, 0);
    }
    if ((st = cur_number(c, 10, 6, "a decimal sense_cnt", &n_senses, err)))
        return st;
    if (n_senses != n_synsets)
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, c->f->path,
                                    c->lineno, c->field, -1,
                                    "sense_cnt %ld differs from synset_cnt %ld",
                                    n_senses, n_synsets);
    if ((st = cur_number(c, 10, 6, "a decimal tagsense_cnt", &tagged, err)))
        return st;
    if (grow_array((void **)&x->offsets, &x->cap_off,
                   x->n_off + (size_t)n_synsets, sizeof *x->offsets) != 0 ||
        grow_array((void **)&x->lemma, &x->cap, x->n + 1, sizeof *x->lemma))
        return simdepth_i_enomem(err, "the WordNet index");
    for (k = 0; k < n_synsets; k++) {
        long off;

        if ((st = cur_number(c, 10, 9, "an 8-digit synset_offset", &off, err)))
            return st;
        x->offsets[x->n_off + (size_t)k] = (uint32_t)off;
    }
    if ((st = cur_end(c, err)) != SIMDEPTH_OK)
        return st;
    x->lemma[x->n].pos = (uint32_t)(lemma - x->base);
    x->lemma[x->n].len = (uint32_t)lemma_len;
    x->lemma[x->n].first = (uint32_t)x->n_off;
    x->lemma[x->n].count = (uint32_t)n_synsets;
    x->n_off += (size_t)n_synsets;
    x->n++;
    return SIMDEPTH_OK;
}

static int lemma_cmp(const wn_index *x, const wn_lemma *a, const wn_lemma *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(x->base + a->pos, x->base + b->pos, n);

    if (c != 0)
        return c;
    return (a->len > b->len) - (a->len < b->len);
}

static simdepth_status duplicate_lemma(const wn_file *f, const wn_index *x,
                                       const wn_lemma *dup,
                                       const wn_lemma *first,
                                       simdepth_error *err)
{
    return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, f->path,
                                line_of(f, dup->pos), 1, -1,
                                "lemma '%.*s' is listed twice (first on line "
                                "%ld)",
                                (int)dup->len, x->base + dup->pos,
                                line_of(f, first->pos));
}

/* Reject a lemma listed twice (NLTK would silently keep the last line).
 * index.noun is sorted, so neighbours suffice; only an unsorted file pays
 * for a hash set. */
static simdepth_status index_check_unique(const wn_file *f, const wn_index *x,
                                          simdepth_error *err)
{
    uint32_t *slot;
    size_t cap = 16, e, mask;
    simdepth_status st = SIMDEPTH_OK;

    for (e = 1; e < x->n; e++) {
        int c = lemma_cmp(x, &x->lemma[e - 1], &x->lemma[e]);

        if (c == 0)
            return duplicate_lemma(f, x, &x->lemma[e], &x->lemma[e - 1], err);
        if (c > 0)
            break;
    }
    if (e >= x->n)
        return SIMDEPTH_OK;
    while (cap < 2 * x->n)
        cap *= 2;
    slot = simdepth_i_calloc(cap, sizeof *slot);
    if (slot == NULL)
        return simdepth_i_enomem(err, "the WordNet lemma set");
    mask = cap - 1;
    for (e = 0; e < x->n && st == SIMDEPTH_OK; e++) {
        const wn_lemma *le = &x->lemma[e];
        size_t i;

        for (i = hash_bytes(x->base + le->pos, le->len) & mask; slot[i] != 0;
             i = (i + 1) & mask) {
            if (lemma_cmp(x, &x->lemma[slot[i] - 1], le) == 0) {
                st = duplicate_lemma(f, x, le, &x->lemma[slot[i] - 1], err);
                break;
            }
        }
        slot[i] = (uint32_t)e + 1;
    }
    free(slot);
    return st;
}

static simdepth_status index_parse(const wn_file *f, wn_index *x,
                                   simdepth_error *err)
{
    wn_cursor c;
    simdepth_status st;

    x->base = f->buf;
    cur_init(&c, f);
    while (cur_next_line(&c)) {
        if (is_header(&c))
            continue;
        if ((st = index_parse_line(&c, x, err)) != SIMDEPTH_OK)
            return st;
    }
    if (x->n == 0)
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, f->path, 0, 0, -1,
                                    "no lemmas in '%s'", f->path);
    return index_check_unique(f, x, err);
}

/* ------------------------------------------------------------- data.noun */

typedef struct wn_link {
    uint32_t child;  /* node index */
    uint32_t parent; /* synset offset */
    uint32_t line;   /* data.noun line of the child */
} wn_link;

/* What naming needs of each synset's first lemma, kept while index.noun is
 * walked: its hash (lower case) to skip most comparisons, and where it is. */
typedef struct wn_first {
    uint32_t hash;
    uint32_t pos;           /* in data.noun */
    unsigned int len : 8;   /* <= WN_MAX_WORD */
    unsigned int sense : 24; /* 1-based place in the lemma's list, 0 = none */
} wn_first;

typedef struct wn_data {
    wn_link *link;
    size_t n_link;
    size_t cap_link;
    uint32_t *node_off;  /* synset offset of each node; then ascending */
    uint32_t *rank_node; /* node of node_off[i] after sorting, or NULL */
    wn_first *first;     /* per node */
    size_t n_node;
    size_t cap_node;
    size_t cap_first;
    uint32_t *bucket;    /* see data_index_offsets() */
    size_t n_bucket;
    unsigned shift;
    char *gloss;         /* scratch for the definition */
    size_t cap_gloss;
} wn_data;

static void data_free(wn_data *d)
{
    free(d->link);
    free(d->node_off);
    free(d->rank_node);
    free(d->first);
    free(d->bucket);
    free(d->gloss);
}

/* Write @v in decimal, zero-padded to at least @width digits, and a NUL. */
static void put_decimal(char *dst, unsigned long v, int width)
{
    char tmp[24];
    int n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (n < width)
        tmp[n++] = '0';
    while (n > 0)
        *dst++ = tmp[--n];
    *dst = '\0';
}

/* NLTK: re.sub(r'["].*?["]', '', gloss).strip().strip('; ') */
static void make_definition(const char *g, const char *end, char *out)
{
    char *o = out, *b, *e;

    while (g < end) {
        if (*g == '"') {
            const char *q = memchr(g + 1, '"', (size_t)(end - g - 1));

            if (q != NULL) {
                g = q + 1;
                continue;
            }
        }
        *o++ = *g++;
    }
    *o = '\0';
    b = out;
    e = o;
    while (b < e && strchr(" \t\n\r\v\f", *b) != NULL)
        b++;
    while (e > b && strchr(" \t\n\r\v\f", e[-1]) != NULL)
        e--;
    while (b < e && (*b == ';' || *b == ' '))
        b++;
    while (e > b && (e[-1] == ';' || e[-1] == ' '))
        e--;
    memmove(out, b, (size_t)(e - b));
    out[e - b] = '\0';
}

/* synset_offset lex_filenum ss_type w_cnt [word lex_id]... p_cnt
 * [ptr_symbol synset_offset pos source/target]... | gloss
 * The node is added with its id as a provisional name; data_name() names it
 * once index.noun has given the sense numbers. */
static simdepth_status data_parse_line(wn_cursor *c, wn_data *d,
                                       simdepth_taxonomy *t,
                                       simdepth_error *err)
{
    char label[WN_MAX_WORD + 1], id[16];
    const char *tok = NULL, *gloss, *first = NULL;
    size_t len = 0, node;
    long offset, lexfile, n_words, n_ptrs, k;
    simdepth_status st;

    label[0] = '\0';
    if ((st = cur_number(c, 10, 9, "an 8-digit synset_offset", &offset, err)))
        return st;
    if ((st = cur_number(c, 10, 2, "a 2-digit lex_filenum", &lexfile, err)))
        return st;
    if ((st = cur_literal(c, "n", "ss_type 'n'", err)) != SIMDEPTH_OK)
        return st;
    if ((st = cur_number(c, 16, 2, "a 2-digit hexadecimal w_cnt", &n_words,
                         err)))
        return st;
    if (n_words < 1)
        return cur_error(c, err, "a w_cnt of at least 1", "00", 2);
    for (k = 0; k < n_words; k++) {
        long lex_id;

        if (!cur_token(c, &tok, &len))
            return cur_error(c, err, "a word (w_cnt too large?)", NULL, 0);
        if (len > WN_MAX_WORD)
            return cur_error(c, err, "a word of at most 255 bytes", tok, len);
        if (k == 0) {
            memcpy(label, tok, len);
            label[len] = '\0';
            first = tok;
        }
        if ((st = cur_number(c, 16, 1, "a hexadecimal lex_id", &lex_id, err)))
            return st;
    }
    if ((st = cur_number(c, 10, 3, "a 3-digit decimal p_cnt", &n_ptrs, err)))
        return st;
    for (k = 0; k < n_ptrs; k++) {
        const char *sym = NULL, *pos = NULL;
        size_t sym_len = 0, pos_len = 0;
        long target, src_tgt;

        if (!cur_token(c, &sym, &sym_len))
            return cur_error(c, err, "a pointer symbol (p_cnt too large?)",
                             NULL, 0);
        if (sym[0] == '|')
            return cur_error(c, err, "a pointer symbol (p_cnt too large?)",
                             sym, sym_len);
        if ((st = cur_number(c, 10, 9, "an 8-digit pointer offset", &target,
                             err)))
            return st;
        if (!cur_token(c, &pos, &pos_len))
            return cur_error(c, err, "a pointer part of speech", NULL, 0);
        if (pos_len != 1 || strchr("nvasr", pos[0]) == NULL)
            return cur_error(c, err, "a pointer part of speech (n v a s r)",
                             pos, pos_len);
        if ((st = cur_number(c, 16, 4, "a 4-digit hexadecimal source/target",
                             &src_tgt, err)))
            return st;
        if (pos[0] == 'n' && src_tgt == 0 &&
            ((sym_len == 1 && sym[0] == '@') ||
             (sym_len == 2 && sym[0] == '@' && sym[1] == 'i'))) {
            if (grow_array((void **)&d->link, &d->cap_link, d->n_link + 1,
                           sizeof *d->link) != 0)
                return simdepth_i_enomem(err, "WordNet hypernym links");
            d->link[d->n_link].child = (uint32_t)simdepth_taxonomy_size(t);
            d->link[d->n_link].parent = (uint32_t)target;
            d->link[d->n_link].line = (uint32_t)c->lineno;
            d->n_link++;
        }
    }
    if (!cur_token(c, &tok, &len))
        return cur_error(c, err, "'|' and the gloss (p_cnt too small?)", NULL,
                         0);
    if (tok[0] != '|')
        return cur_error(c, err, "'|' and the gloss (p_cnt too small?)", tok,
                         len);
    gloss = tok + 1;

    if ((size_t)(c->end - gloss) + 1 > d->cap_gloss) {
        size_t cap = (size_t)(c->end - gloss) + 1;
        char *g = simdepth_i_realloc_array(d->gloss, cap, 1);

        if (g == NULL)
            return simdepth_i_enomem(err, "a WordNet gloss");
        d->gloss = g;
        d->cap_gloss = cap;
    }
    make_definition(gloss, c->end, d->gloss);

    id[0] = 'n';
    put_decimal(id + 1, (unsigned long)offset, 8);
    st = simdepth_i_taxonomy_add_node(t, id, NULL, label, d->gloss, &node, err);
    if (st != SIMDEPTH_OK) {
        simdepth_i_taxonomy_locate(err, c->f->path, c->lineno);
        return st;
    }
    /* Nodes are numbered in file order, so node == d->n_node here. */
    if (grow_array((void **)&d->node_off, &d->cap_node, node + 1,
                   sizeof *d->node_off) != 0 ||
        grow_array((void **)&d->first, &d->cap_first, node + 1,
                   sizeof *d->first) != 0)
        return simdepth_i_enomem(err, "the WordNet offset table");
    d->node_off[node] = (uint32_t)offset;
    d->first[node].hash = hash_lower(label, strlen(label));
    d->first[node].pos = (uint32_t)(first - c->f->buf);
    d->first[node].len = (unsigned int)strlen(label) & 0xffu;
    d->first[node].sense = 0;
    d->n_node = node + 1;
    return SIMDEPTH_OK;
}

typedef struct wn_pair {
    uint32_t offset;
    uint32_t node;
} wn_pair;

static int cmp_pair(const void *pa, const void *pb)
{
    const wn_pair *a = pa, *b = pb;

    return (a->offset > b->offset) - (a->offset < b->offset);
}

/* Prepare offset -> node lookups. The offsets are put in ascending order
 * (data.noun already is: node == rank and no extra array) and split into
 * buckets of 2^shift offset values, about one node per bucket, so a lookup
 * reads one small bucket table entry and a few adjacent offsets instead of
 * the ~17 scattered probes of a binary search. Offsets are unique: a
 * duplicate was a duplicate id. */
static int data_index_offsets(wn_data *d)
{
    size_t u, b, n_bucket;
    uint32_t max_off;

    for (u = 1; u < d->n_node; u++) {
        if (d->node_off[u - 1] >= d->node_off[u])
            break;
    }
    if (u < d->n_node) {
        wn_pair *pair = simdepth_i_malloc_array(d->n_node, sizeof *pair);

        d->rank_node = simdepth_i_malloc_array(d->n_node, sizeof *d->rank_node);
        if (pair == NULL || d->rank_node == NULL) {
            free(pair);
            return -1;
        }
        for (u = 0; u < d->n_node; u++) {
            pair[u].offset = d->node_off[u];
            pair[u].node = (uint32_t)u;
        }
        qsort(pair, d->n_node, sizeof *pair, cmp_pair);
        for (u = 0; u < d->n_node; u++) {
            d->node_off[u] = pair[u].offset;
            d->rank_node[u] = pair[u].node;
        }
        free(pair);
    }
    max_off = d->node_off[d->n_node - 1];
    d->shift = 0;
    while (d->shift < 31 && ((size_t)max_off >> d->shift) > d->n_node)
        d->shift++;
    n_bucket = ((size_t)max_off >> d->shift) + 2;
    d->bucket = simdepth_i_malloc_array(n_bucket, sizeof *d->bucket);
    if (d->bucket == NULL)
        return -1;
    /* bucket[b] = first rank whose offset >> shift is >= b. */
    for (b = 0, u = 0; b < n_bucket; b++) {
        while (u < d->n_node && (d->node_off[u] >> d->shift) < b)
            u++;
        d->bucket[b] = (uint32_t)u;
    }
    d->n_bucket = n_bucket;
    return 0;
}

/* Node of synset @offset, or -1. */
static long data_find(const wn_data *d, uint32_t offset)
{
    size_t b = offset >> d->shift, u, end;

    if (b + 1 >= d->n_bucket)
        return -1;
    for (u = d->bucket[b], end = d->bucket[b + 1]; u < end; u++) {
        if (d->node_off[u] == offset)
            return (long)(d->rank_node != NULL ? d->rank_node[u] : u);
    }
    return -1;
}

static size_t count_lines(const wn_file *f)
{
    const char *p = f->buf, *end = f->buf + f->len;
    size_t n = 1;

    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

/* 1 if data.noun's word at @pos (@len bytes) lower-cases to @lemma. */
static int same_lemma(const char *word, const char *lemma, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (ascii_lower(word[i]) != lemma[i])
            return 0;
    }
    return 1;
}

/* Walk index.noun once: check that every listed synset exists, give each
 * synset its sense number under its first lemma (NLTK:
 * offsets.index(offset) + 1), and register every lemma as an alias of its
 * first sense. Walking the index in order (instead of looking each
 * synset's lemma up) keeps the memory accesses mostly sequential. */
static simdepth_status index_walk(const wn_file *data_f,
                                  const wn_file *index_f, const wn_index *x,
                                  wn_data *d, simdepth_taxonomy *t,
                                  simdepth_error *err)
{
    size_t i;
    simdepth_status st;

    for (i = 0; i < x->n; i++) {
        const wn_lemma *e = &x->lemma[i];
        const char *text = x->base + e->pos;
        uint32_t h = hash_bytes(text, e->len), k;
        char key[WN_MAX_WORD + 1];
        long first = -1;

        for (k = 0; k < e->count; k++) {
            long node = data_find(d, x->offsets[e->first + k]);
            wn_first *f;

            if (node < 0)
                return simdepth_i_error_set(
                    err, SIMDEPTH_EFORMAT, index_f->path,
                    line_of(index_f, e->pos), 0, -1,
                    "lemma '%.*s' lists synset %08lu, which is not in "
                    "data.noun",
                    (int)e->len, text,
                    (unsigned long)x->offsets[e->first + k]);
            if (k == 0)
                first = node;
            f = &d->first[node];
            /* synset_cnt has at most 6 digits, so k + 1 fits 24 bits. */
            if (f->sense == 0 && f->hash == h && f->len == e->len &&
                same_lemma(data_f->buf + f->pos, text, e->len))
                f->sense = (k + 1) & 0xffffffu;
        }
        memcpy(key, text, e->len);
        key[e->len] = '\0';
        st = simdepth_i_taxonomy_add_alias(t, key, (size_t)first, err);
        if (st != SIMDEPTH_OK)
            return st;
    }
    return SIMDEPTH_OK;
}

/* Give every node NLTK's name: first lemma lower-cased, ".n.", sense. */
static simdepth_status data_name(const wn_file *data_f, const wn_data *d,
                                 simdepth_taxonomy *t, simdepth_error *err)
{
    char name[WN_MAX_WORD + 32];
    size_t u, i;
    simdepth_status st;

    for (u = 0; u < d->n_node; u++) {
        const wn_first *f = &d->first[u];
        const char *word = data_f->buf + f->pos;

        for (i = 0; i < f->len; i++)
            name[i] = ascii_lower(word[i]);
        name[i] = '\0';
        if (f->sense == 0)
            return simdepth_i_error_set(
                err, SIMDEPTH_EFORMAT, data_f->path, line_of(data_f, f->pos),
                5, -1,
                "index.noun does not list synset %08lu under its first lemma "
                "'%s'",
                (unsigned long)d->node_off[u], name);
        memcpy(name + i, ".n.", 3);
        put_decimal(name + i + 3, f->sense, 2);
        st = simdepth_i_taxonomy_set_name(t, u, name, err);
        if (st != SIMDEPTH_OK)
            return st;
    }
    return SIMDEPTH_OK;
}

/* Parse data.noun into @t, name the nodes from index.noun, link parents. */
static simdepth_status build(const wn_file *data_f, const wn_file *index_f,
                             const wn_index *x, simdepth_taxonomy *t,
                             simdepth_error *err)
{
    wn_cursor c;
    wn_data d;
    size_t i;
    simdepth_status st = SIMDEPTH_OK;

    memset(&d, 0, sizeof d);
    cur_init(&c, data_f);
    while (cur_next_line(&c)) {
        if (is_header(&c))
            continue;
        if ((st = data_parse_line(&c, &d, t, err)) != SIMDEPTH_OK)
            goto out;
    }
    if (d.n_node == 0) {
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, data_f->path, 0, 0,
                                  -1, "no synsets in '%s'", data_f->path);
        goto out;
    }
    if (data_index_offsets(&d) != 0) {
        st = simdepth_i_enomem(err, "the WordNet offset map");
        goto out;
    }
    if ((st = index_walk(data_f, index_f, x, &d, t, err)) != SIMDEPTH_OK ||
        (st = data_name(data_f, &d, t, err)) != SIMDEPTH_OK)
        goto out;

    for (i = 0; i < d.n_link; i++) {
        long p = data_find(&d, d.link[i].parent);

        if (p < 0) {
            st = simdepth_i_error_set(
                err, SIMDEPTH_EFORMAT, data_f->path, (long)d.link[i].line, 0,
                -1,
                "hypernym pointer to synset %08lu, which is not in data.noun",
                (unsigned long)d.link[i].parent);
            goto out;
        }
        st = simdepth_i_taxonomy_add_parent(t, d.link[i].child, (size_t)p, err);
        if (st != SIMDEPTH_OK)
            goto out;
    }

    st = simdepth_i_taxonomy_finish(t, err);
    if (st == SIMDEPTH_EFORMAT)
        simdepth_i_taxonomy_locate(err, data_f->path, 0);
out:
    data_free(&d);
    return st;
}

simdepth_status simdepth_wordnet_open(const char *dir, simdepth_taxonomy **out,
                                      simdepth_error *err)
{
    wn_file index_f, data_f;
    wn_index x;
    simdepth_taxonomy *t = NULL;
    struct stat sb;
    simdepth_status st;

    if (out == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "simdepth_wordnet_open needs an output");
    if (dir == NULL || dir[0] == '\0') {
        dir = getenv("WNSEARCHDIR");
        if (dir == NULL || dir[0] == '\0')
            dir = SIMDEPTH_WORDNET_DEFAULT_DIR;
    }
    memset(&index_f, 0, sizeof index_f);
    memset(&data_f, 0, sizeof data_f);
    memset(&x, 0, sizeof x);

    if (stat(dir, &sb) != 0) {
        st = simdepth_i_error_set(err, SIMDEPTH_EIO, dir, 0, 0, -1,
                                  "WordNet database directory '%s': %s; "
                                  WN_HINT, dir, strerror(errno));
        goto out;
    }
    if (!S_ISDIR(sb.st_mode)) {
        st = simdepth_i_error_set(err, SIMDEPTH_EIO, dir, 0, 0, -1,
                                  "WordNet database directory '%s' is not a "
                                  "directory; " WN_HINT, dir);
        goto out;
    }
    if ((st = wn_slurp(dir, "index.noun", &index_f, err)) != SIMDEPTH_OK ||
        (st = wn_slurp(dir, "data.noun", &data_f, err)) != SIMDEPTH_OK ||
        (st = index_parse(&index_f, &x, err)) != SIMDEPTH_OK)
        goto out;
    st = simdepth_i_taxonomy_new(count_lines(&data_f), &t, err);
    if (st != SIMDEPTH_OK)
        goto out;
    st = build(&data_f, &index_f, &x, t, err);
    if (st != SIMDEPTH_OK)
        goto out;
    *out = t;
    t = NULL;
out:
    simdepth_taxonomy_free(t);
    index_free(&x);
    wn_release(&index_f);
    wn_release(&data_f);
    return st;
}
