/* simdepth — Newick trees: writing a linkage matrix with class names,
 * parsing Newick text (iteratively, with bounded nesting and byte offsets in
 * every error) and turning a parsed binary tree back into a linkage matrix.
 *
 * Label rules follow the Newick standard (Felsenstein's "Newick tree
 * format"): a bare label cannot hold blanks or ( ) [ ] ' : ; , and its
 * underscores stand for blanks; anything else is quoted with single quotes,
 * an inner quote written twice.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/linkage.h"
#include "simdepth/matrix.h"
#include "internal.h"
#include "textio.h"

#define NONE SIMDEPTH_NEWICK_NONE
/* Newick files larger than this are refused before reading. */
#define NEWICK_MAX_FILE ((size_t)1 << 30)

/* ---- growing text buffer ---------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    int failed;
} sbuf;

static void sb_reserve(sbuf *b, size_t extra)
{
    size_t cap;
    char *q;

    if (b->failed)
        return;
    if (extra > SIZE_MAX - b->len - 1) {
        b->failed = 1;
        return;
    }
    if (b->len + extra + 1 <= b->cap)
        return;
    cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap = cap > SIZE_MAX / 2 ? b->len + extra + 1 : 2 * cap;
    q = simdepth_i_realloc_array(b->p, cap, 1);
    if (q == NULL) {
        b->failed = 1;
        return;
    }
    b->p = q;
    b->cap = cap;
}

static void sb_putc(sbuf *b, char c)
{
    sb_reserve(b, 1);
    if (!b->failed) {
        b->p[b->len++] = c;
        b->p[b->len] = '\0';
    }
}

static void sb_puts(sbuf *b, const char *s)
{
    size_t n = strlen(s);

    sb_reserve(b, n);
    if (!b->failed) {
        memcpy(b->p + b->len, s, n + 1);
        b->len += n;
    }
}

/* ---- writing ----------------------------------------------------------- */

static int needs_quotes(const char *s)
{
    if (*s == '\0')
        return 1;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c >= 0x7f || strchr("()[]':;,_", c) != NULL)
            return 1;
    }
    return 0;
}

static void put_label(sbuf *b, const char *s)
{
    if (!needs_quotes(s)) {
        sb_puts(b, s);
        return;
    }
    sb_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            sb_putc(b, '\'');
        sb_putc(b, *s);
    }
    sb_putc(b, '\'');
}

/* The shortest of %.15g, %.16g, %.17g that reads back as v. */
static void put_number(sbuf *b, double v)
{
    char buf[40];
    int prec;

    for (prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    sb_puts(b, buf);
}

simdepth_status simdepth_newick_format(const simdepth_matrix *Z,
                                       const char *const *names, char **out,
                                       size_t *len, simdepth_error *err)
{
    const double *z;
    size_t n, i, top = 0, *stack = NULL;
    unsigned char *state = NULL;
    sbuf b = {NULL, 0, 0, 0};
    simdepth_status st;

    if (out == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1, "no output given");
    if ((st = simdepth_linkage_validate(Z, err)) != SIMDEPTH_OK)
        return st;
    n = simdepth_matrix_rows(Z) + 1;
    z = simdepth_matrix_cdata(Z);
    if (names != NULL)
        for (i = 0; i < n; i++)
            if (names[i] == NULL)
                return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                            "name of item %zu is NULL", i);
    stack = simdepth_i_malloc_array(n, sizeof *stack);
    state = simdepth_i_calloc(n - 1, 1);
    if (stack == NULL || state == NULL) {
        st = simdepth_i_enomem(err, "Newick writer");
        goto out;
    }
    /* Iterative walk over internal nodes; state counts children emitted. */
    stack[top++] = n - 2;
    sb_putc(&b, '(');
    while (top > 0) {
        size_t row = stack[top - 1];
        if (state[row] < 2) {
            size_t ch = (size_t)z[4 * row + state[row]];
            if (state[row] == 1)
                sb_putc(&b, ',');
            state[row]++;
            if (ch >= n) {
                stack[top++] = ch - n;
                sb_putc(&b, '(');
                continue;
            }
            if (names != NULL) {
                put_label(&b, names[ch]);
            } else {
                char num[32];
                snprintf(num, sizeof num, "%zu", ch);
                sb_puts(&b, num);
            }
            sb_putc(&b, ':');
            put_number(&b, z[4 * row + 2] - 0.0);
            continue;
        }
        sb_putc(&b, ')');
        top--;
        if (top > 0) {
            sb_putc(&b, ':');
            put_number(&b, z[4 * stack[top - 1] + 2] - z[4 * row + 2]);
        }
    }
    sb_putc(&b, ';');
    if (b.failed) {
        st = simdepth_i_enomem(err, "Newick text");
        goto out;
    }
    *out = b.p;
    if (len != NULL)
        *len = b.len;
    b.p = NULL;
out:
    free(b.p);
    free(state);
    free(stack);
    return st;
}

simdepth_status simdepth_newick_write(FILE *f, const simdepth_matrix *Z,
                                      const char *const *names,
                                      simdepth_error *err)
{
    char *text = NULL;
    size_t len = 0;
    simdepth_status st;

    if (f == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1, "no output stream");
    if ((st = simdepth_newick_format(Z, names, &text, &len, err)) != SIMDEPTH_OK)
        return st;
    if (fwrite(text, 1, len, f) != len || fputc('\n', f) == EOF || ferror(f))
        st = simdepth_i_error_set(err, SIMDEPTH_EIO, NULL, 0, 0, -1,
                                  "cannot write the Newick tree: %s", strerror(errno));
    free(text);
    return st;
}

/* ---- parsing ----------------------------------------------------------- */

typedef struct parser {
    const char *base, *p, *end;
    const char *source;
    simdepth_error *err;
    simdepth_newick_node *nodes;
    size_t n_nodes, cap_nodes;
    size_t *last;       /* last child of each node */
    size_t *name_off;   /* offset of each node's name in arena, or NONE */
    sbuf arena;
} parser;

static long long off(const parser *ps, const char *at)
{
    return (long long)(at - ps->base);
}

static simdepth_status perr(parser *ps, const char *at, const char *fmt, ...)
    SIMDEPTH_I_PRINTF(3, 4);

static simdepth_status perr(parser *ps, const char *at, const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return simdepth_i_error_set(ps->err, SIMDEPTH_EFORMAT, ps->source, 0, 0, off(ps, at), "%s",
                                msg);
}

static const char *describe(const parser *ps, const char *at)
{
    static const char *const names[] = {"end of input", "'('", "')'", "','", "':'", "';'",
                                        "'['", "']'", "a quote"};
    if (at >= ps->end)
        return names[0];
    switch (*at) {
    case '(': return names[1];
    case ')': return names[2];
    case ',': return names[3];
    case ':': return names[4];
    case ';': return names[5];
    case '[': return names[6];
    case ']': return names[7];
    case '\'': return names[8];
    }
    return "another character";
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int is_delim(char c)
{
    return is_space(c) || strchr("()[]':;,", c) != NULL;
}

static simdepth_status skip_blank(parser *ps)
{
    while (ps->p < ps->end) {
        if (is_space(*ps->p)) {
            ps->p++;
        } else if (*ps->p == '[') {
            const char *open = ps->p;
            const char *close = memchr(ps->p, ']', (size_t)(ps->end - ps->p));
            if (close == NULL)
                return perr(ps, open, "unterminated comment: '[' without ']'");
            ps->p = close + 1;
        } else {
            break;
        }
    }
    return SIMDEPTH_OK;
}

static simdepth_status new_node(parser *ps, size_t parent, size_t *out)
{
    simdepth_newick_node *nd;
    size_t id = ps->n_nodes;

    if (ps->n_nodes == ps->cap_nodes) {
        size_t cap = ps->cap_nodes ? 2 * ps->cap_nodes : 64;
        simdepth_newick_node *nn = simdepth_i_realloc_array(ps->nodes, cap, sizeof *nn);
        size_t *nl, *no;
        if (nn == NULL)
            return simdepth_i_enomem(ps->err, "Newick nodes");
        ps->nodes = nn;
        nl = simdepth_i_realloc_array(ps->last, cap, sizeof *nl);
        if (nl == NULL)
            return simdepth_i_enomem(ps->err, "Newick nodes");
        ps->last = nl;
        no = simdepth_i_realloc_array(ps->name_off, cap, sizeof *no);
        if (no == NULL)
            return simdepth_i_enomem(ps->err, "Newick nodes");
        ps->name_off = no;
        ps->cap_nodes = cap;
    }
    nd = &ps->nodes[id];
    memset(nd, 0, sizeof *nd);
    nd->parent = parent;
    nd->first_child = nd->next_sibling = NONE;
    nd->offset = off(ps, ps->p);
    ps->last[id] = NONE;
    ps->name_off[id] = NONE;
    if (parent != NONE) {
        if (ps->last[parent] == NONE)
            ps->nodes[parent].first_child = id;
        else
            ps->nodes[ps->last[parent]].next_sibling = id;
        ps->last[parent] = id;
        ps->nodes[parent].n_children++;
    }
    ps->n_nodes++;
    *out = id;
    return SIMDEPTH_OK;
}

/* An optional label, then an optional ":length", for node id. */
static simdepth_status label_and_length(parser *ps, size_t id)
{
    simdepth_status st;
    size_t start = ps->arena.len;
    int have = 0;

    if ((st = skip_blank(ps)) != SIMDEPTH_OK)
        return st;
    if (ps->p < ps->end && *ps->p == '\'') {
        const char *open = ps->p++;
        have = 1;
        for (;;) {
            if (ps->p >= ps->end)
                return perr(ps, open, "unterminated quoted label");
            if (*ps->p == '\'') {
                if (ps->p + 1 < ps->end && ps->p[1] == '\'') {
                    sb_putc(&ps->arena, '\'');
                    ps->p += 2;
                    continue;
                }
                ps->p++;
                break;
            }
            sb_putc(&ps->arena, *ps->p++);
        }
    } else {
        while (ps->p < ps->end && !is_delim(*ps->p)) {
            sb_putc(&ps->arena, *ps->p == '_' ? ' ' : *ps->p);
            ps->p++;
            have = 1;
        }
    }
    if (have) {
        sb_putc(&ps->arena, '\0');
        if (ps->arena.failed)
            return simdepth_i_enomem(ps->err, "Newick labels");
        ps->name_off[id] = start;
    }
    if ((st = skip_blank(ps)) != SIMDEPTH_OK)
        return st;
    if (ps->p < ps->end && *ps->p == ':') {
        char num[64];
        const char *tok;
        char *endp;
        size_t n;
        double v;

        ps->p++;
        if ((st = skip_blank(ps)) != SIMDEPTH_OK)
            return st;
        tok = ps->p;
        while (ps->p < ps->end && !is_delim(*ps->p))
            ps->p++;
        n = (size_t)(ps->p - tok);
        if (n == 0)
            return perr(ps, tok, "expected a branch length after ':', found %s",
                        describe(ps, tok));
        if (n >= sizeof num)
            return perr(ps, tok, "branch length too long (over 63 characters)");
        memcpy(num, tok, n);
        num[n] = '\0';
        errno = 0;
        v = strtod(num, &endp);
        if (*endp != '\0' || endp == num || !isfinite(v))
            return perr(ps, tok, "bad branch length '%s': expected a finite number", num);
        ps->nodes[id].length = v;
        ps->nodes[id].has_length = 1;
    }
    return SIMDEPTH_OK;
}

static simdepth_status parse_tree(parser *ps)
{
    size_t *stack = NULL, depth = 0, cap = 0, id = 0;
    int expect_node = 1;
    simdepth_status st = SIMDEPTH_OK;

    if ((st = skip_blank(ps)) != SIMDEPTH_OK)
        return st;
    if (ps->p >= ps->end)
        return perr(ps, ps->p, "empty input: expected a Newick tree");
    for (;;) {
        if ((st = skip_blank(ps)) != SIMDEPTH_OK)
            goto out;
        if (expect_node) {
            size_t parent = depth > 0 ? stack[depth - 1] : NONE;
            if (ps->p >= ps->end) {
                st = perr(ps, ps->p, "unexpected end of input: expected a subtree");
                goto out;
            }
            if ((st = new_node(ps, parent, &id)) != SIMDEPTH_OK)
                goto out;
            if (*ps->p == '(') {
                if (depth >= SIMDEPTH_NEWICK_MAX_DEPTH) {
                    st = perr(ps, ps->p, "tree nested deeper than %d levels", SIMDEPTH_NEWICK_MAX_DEPTH);
                    goto out;
                }
                if (depth == cap) {
                    size_t nc = cap ? 2 * cap : 64;
                    size_t *ns = simdepth_i_realloc_array(stack, nc, sizeof *ns);
                    if (ns == NULL) {
                        st = simdepth_i_enomem(ps->err, "Newick parser stack");
                        goto out;
                    }
                    stack = ns;
                    cap = nc;
                }
                stack[depth++] = id;
                ps->p++;
                continue;
            }
            if ((st = label_and_length(ps, id)) != SIMDEPTH_OK)
                goto out;
            expect_node = 0;
            continue;
        }
        if (depth == 0) {
            if (ps->p >= ps->end || *ps->p != ';') {
                st = perr(ps, ps->p, "expected ';' at the end of the tree, found %s",
                          describe(ps, ps->p));
                goto out;
            }
            ps->p++;
            if ((st = skip_blank(ps)) != SIMDEPTH_OK)
                goto out;
            if (ps->p < ps->end)
                st = perr(ps, ps->p, "unexpected text after the tree's ';'");
            goto out;
        }
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            expect_node = 1;
        } else if (ps->p < ps->end && *ps->p == ')') {
            ps->p++;
            id = stack[--depth];
            if ((st = label_and_length(ps, id)) != SIMDEPTH_OK)
                goto out;
        } else {
            st = perr(ps, ps->p, "expected ',' or ')', found %s", describe(ps, ps->p));
            goto out;
        }
    }
out:
    free(stack);
    return st;
}

simdepth_status simdepth_newick_parse(const char *text, size_t len,
                                      const char *source,
                                      simdepth_newick_tree **out,
                                      simdepth_error *err)
{
    parser ps;
    simdepth_newick_tree *t = NULL;
    simdepth_status st;
    size_t i;

    if (text == NULL && len > 0)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, source, 0, 0, -1, "no text given");
    if (out == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, source, 0, 0, -1, "no output given");
    memset(&ps, 0, sizeof ps);
    ps.base = ps.p = text != NULL ? text : "";
    ps.end = ps.base + len;
    ps.source = source;
    ps.err = err;
    if ((st = parse_tree(&ps)) != SIMDEPTH_OK)
        goto out;
    t = simdepth_i_calloc(1, sizeof *t);
    if (t == NULL) {
        st = simdepth_i_enomem(err, "a Newick tree");
        goto out;
    }
    /* An arena with no labels still gets a byte, so names never dangle. */
    sb_reserve(&ps.arena, 1);
    if (ps.arena.failed) {
        free(t);
        t = NULL;
        st = simdepth_i_enomem(err, "Newick labels");
        goto out;
    }
    t->nodes = ps.nodes;
    t->n_nodes = ps.n_nodes;
    t->arena = ps.arena.p;
    for (i = 0; i < t->n_nodes; i++) {
        t->nodes[i].name = ps.name_off[i] == NONE ? NULL : t->arena + ps.name_off[i];
        t->n_leaves += t->nodes[i].n_children == 0;
    }
    ps.nodes = NULL;
    ps.arena.p = NULL;
    *out = t;
out:
    free(ps.arena.p);
    free(ps.name_off);
    free(ps.last);
    free(ps.nodes);
    return st;
}

simdepth_status simdepth_newick_read(const char *path, simdepth_newick_tree **out,
                                     simdepth_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    simdepth_status st;

    if (path == NULL || out == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "no path or output given");
    if ((st = simdepth_i_read_file(path, NEWICK_MAX_FILE, &buf, &len, err)) != SIMDEPTH_OK)
        return st;
    st = simdepth_newick_parse(buf, len, path, out, err);
    free(buf);
    return st;
}

void simdepth_newick_tree_free(simdepth_newick_tree *t)
{
    if (t == NULL)
        return;
    free(t->arena);
    free(t->nodes);
    free(t);
}

/* ---- back to a linkage matrix ------------------------------------------ */

/* Names compare with blank and underscore as the same character. */
static int name_cmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char x = (unsigned char)(*a == '_' ? ' ' : *a);
        unsigned char y = (unsigned char)(*b == '_' ? ' ' : *b);
        if (x != y)
            return x < y ? -1 : 1;
        if (x == '\0')
            return 0;
    }
}

typedef struct name_ref {
    const char *name;
    size_t index;
} name_ref;

static int name_ref_cmp(const void *a, const void *b)
{
    const name_ref *x = a, *y = b;
    int c = name_cmp(x->name, y->name);

    return c != 0 ? c : (x->index > y->index) - (x->index < y->index);
}

static simdepth_status leaf_index(const simdepth_newick_tree *t, const simdepth_newick_node *nd,
                                  const name_ref *sorted, size_t n, size_t *out,
                                  simdepth_error *err)
{
    const char *nm = nd->name;

    if (nm == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, NULL, 0, 0, nd->offset,
                                    "leaf without a label");
    if (sorted == NULL) {
        const char *p = nm;
        size_t v = 0;
        if (*p == '\0')
            goto unknown;
        for (; *p; p++) {
            if (*p < '0' || *p > '9' || v > (SIZE_MAX - 9) / 10)
                goto unknown;
            v = v * 10 + (size_t)(*p - '0');
        }
        if (v >= n)
            goto unknown;
        *out = v;
        return SIMDEPTH_OK;
    } else {
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (name_cmp(sorted[mid].name, nm) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < n && name_cmp(sorted[lo].name, nm) == 0) {
            *out = sorted[lo].index;
            return SIMDEPTH_OK;
        }
    }
unknown:
    (void)t;
    return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, NULL, 0, 0, nd->offset,
                                "unknown leaf label '%s'%s", nm,
                                sorted == NULL ? ": expected an item index" : "");
}

/* Check the shape and lengths, map leaves, compute heights. */
static simdepth_status tl_prepare(const simdepth_newick_tree *t, const name_ref *sorted,
                                  size_t n, size_t *leaf, double *h, size_t *cnt,
                                  unsigned char *seen, simdepth_error *err)
{
    size_t i = t->n_nodes;
    double scale = 0.0;
    simdepth_status st;

    while (i-- > 0) {
        const simdepth_newick_node *nd = &t->nodes[i];
        if (i != 0 && !nd->has_length)
            return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, NULL, 0, 0, nd->offset,
                                        "node without a branch length: a linkage needs "
                                        "every length");
        if (nd->n_children == 0) {
            if ((st = leaf_index(t, nd, sorted, n, &leaf[i], err)) != SIMDEPTH_OK)
                return st;
            if (seen[leaf[i]])
                return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, NULL, 0, 0, nd->offset,
                                            "leaf label '%s' appears twice", nd->name);
            seen[leaf[i]] = 1;
            h[i] = 0.0;
            cnt[i] = 1;
            continue;
        }
        if (nd->n_children != 2)
            return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, NULL, 0, 0, nd->offset,
                                        "node with %zu children: a linkage needs exactly 2",
                                        nd->n_children);
        h[i] = h[nd->first_child] + t->nodes[nd->first_child].length;
        if (!(h[i] >= 0.0))
            return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, NULL, 0, 0, nd->offset,
                                        "node height %.17g is negative: not a dendrogram",
                                        h[i]);
        cnt[i] = cnt[nd->first_child] + cnt[t->nodes[nd->first_child].next_sibling];
        if (fabs(h[i]) > scale)
            scale = fabs(h[i]);
    }
    for (i = 0; i < t->n_nodes; i++) {
        const simdepth_newick_node *nd = &t->nodes[i];
        size_t c2;
        double h2;
        if (nd->n_children == 0)
            continue;
        c2 = t->nodes[nd->first_child].next_sibling;
        h2 = h[c2] + t->nodes[c2].length;
        if (fabs(h2 - h[i]) > 1e-9 * scale)
            return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, NULL, 0, 0, nd->offset,
                                        "children disagree on the node's height (%.17g "
                                        "and %.17g): not a dendrogram",
                                        h[i], h2);
    }
    return SIMDEPTH_OK;
}

/* Internal nodes in post-order, left child first. */
static size_t post_order(const simdepth_newick_tree *t, size_t *stack, unsigned char *done,
                         size_t *post)
{
    size_t top = 0, np = 0;

    stack[top++] = 0;
    while (top > 0) {
        size_t v = stack[top - 1];
        const simdepth_newick_node *nd = &t->nodes[v];
        size_t c1 = nd->first_child, c2;
        if (c1 == NONE) {
            top--;
            continue;
        }
        c2 = t->nodes[c1].next_sibling;
        if (!done[v]) {
            done[v] = 1;
            stack[top++] = c2;
            stack[top++] = c1;
            continue;
        }
        post[np++] = v;
        top--;
    }
    return np;
}

simdepth_status simdepth_newick_to_linkage(const simdepth_newick_tree *t,
                                           const char *const *names, size_t n,
                                           simdepth_matrix **Z,
                                           simdepth_error *err)
{
    name_ref *sorted = NULL;
    size_t *leaf = NULL, *cnt = NULL, *post = NULL, *stack = NULL, *tmp = NULL, *id = NULL;
    double *h = NULL, *z;
    unsigned char *seen = NULL, *done = NULL;
    simdepth_matrix *zm = NULL;
    size_t i, np, nn;
    int monotone = 1;
    simdepth_status st = SIMDEPTH_OK;

    if (t == NULL || Z == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "no tree or output given");
    if (t->n_leaves < 2 || t->n_leaves != n)
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, NULL, 0, 0, 0,
                                    "tree has %zu leaves; expected %zu (and at least 2)",
                                    t->n_leaves, n);
    nn = t->n_nodes;
    leaf = simdepth_i_malloc_array(nn, sizeof *leaf);
    cnt = simdepth_i_malloc_array(nn, sizeof *cnt);
    h = simdepth_i_malloc_array(nn, sizeof *h);
    id = simdepth_i_malloc_array(nn, sizeof *id);
    post = simdepth_i_malloc_array(nn, sizeof *post);
    stack = simdepth_i_malloc_array(nn + 1, sizeof *stack);
    tmp = simdepth_i_malloc_array(nn, sizeof *tmp);
    seen = simdepth_i_calloc(n, 1);
    done = simdepth_i_calloc(nn, 1);
    if (leaf == NULL || cnt == NULL || h == NULL || id == NULL || post == NULL ||
        stack == NULL || tmp == NULL || seen == NULL || done == NULL) {
        st = simdepth_i_enomem(err, "Newick to linkage");
        goto out;
    }
    if (names != NULL) {
        sorted = simdepth_i_malloc_array(n, sizeof *sorted);
        if (sorted == NULL) {
            st = simdepth_i_enomem(err, "Newick to linkage");
            goto out;
        }
        for (i = 0; i < n; i++) {
            if (names[i] == NULL) {
                st = simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                          "name of item %zu is NULL", i);
                goto out;
            }
            sorted[i].name = names[i];
            sorted[i].index = i;
        }
        qsort(sorted, n, sizeof *sorted, name_ref_cmp);
        for (i = 1; i < n; i++)
            if (name_cmp(sorted[i - 1].name, sorted[i].name) == 0) {
                st = simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                          "items %zu and %zu have the same name '%s'",
                                          sorted[i - 1].index, sorted[i].index, sorted[i].name);
                goto out;
            }
    }
    if ((st = tl_prepare(t, sorted, n, leaf, h, cnt, seen, err)) != SIMDEPTH_OK)
        goto out;
    np = post_order(t, stack, done, post);
    /* Stable insertion-free merge sort of post by height, unless a child
     * sits above its parent (negative lengths), where order must stay. */
    for (i = 0; i < np; i++) {
        const simdepth_newick_node *nd = &t->nodes[post[i]];
        size_t c2 = t->nodes[nd->first_child].next_sibling;
        if (h[nd->first_child] > h[post[i]] || h[c2] > h[post[i]])
            monotone = 0;
    }
    if (monotone) {
        size_t width;
        for (width = 1; width < np; width *= 2) {
            size_t s;
            for (s = 0; s < np; s += 2 * width) {
                size_t mid = s + width < np ? s + width : np;
                size_t hi = s + 2 * width < np ? s + 2 * width : np;
                size_t a = s, b = mid, o = s;
                while (a < mid && b < hi)
                    tmp[o++] = h[post[b]] < h[post[a]] ? post[b++] : post[a++];
                while (a < mid)
                    tmp[o++] = post[a++];
                while (b < hi)
                    tmp[o++] = post[b++];
            }
            memcpy(post, tmp, np * sizeof *post);
        }
    }
    if ((st = simdepth_matrix_new(n - 1, 4, SIMDEPTH_F64, &zm, err)) != SIMDEPTH_OK)
        goto out;
    z = simdepth_matrix_data(zm);
    for (i = 0; i < nn; i++)
        if (t->nodes[i].n_children == 0)
            id[i] = leaf[i];
    for (i = 0; i < np; i++) {
        const simdepth_newick_node *nd = &t->nodes[post[i]];
        size_t c1 = nd->first_child, c2 = t->nodes[c1].next_sibling;
        id[post[i]] = n + i;
        z[4 * i + 0] = (double)id[c1];
        z[4 * i + 1] = (double)id[c2];
        z[4 * i + 2] = h[post[i]];
        z[4 * i + 3] = (double)cnt[post[i]];
    }
    *Z = zm;
    zm = NULL;
out:
    simdepth_matrix_free(zm);
    free(done);
    free(seen);
    free(tmp);
    free(stack);
    free(post);
    free(id);
    free(h);
    free(cnt);
    free(leaf);
    free(sorted);
    return st;
}
