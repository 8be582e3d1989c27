/* simdepth — class labels. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "simdepth/labels.h"
#include "internal.h"
#include "textio.h"

#define LABELS_MAX_FILE ((size_t)256 << 20)

struct simdepth_labels {
    size_t n;
    char **keys;
    char **names; /* entries may be NULL */
};

int simdepth_is_wnid(const char *s)
{
    int i;

    if (s[0] != 'n')
        return 0;
    for (i = 1; i <= 8; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return s[9] == '\0';
}

void simdepth_labels_free(simdepth_labels *l)
{
    size_t i;

    if (l == NULL)
        return;
    for (i = 0; i < l->n; i++) {
        free(l->keys[i]);
        free(l->names[i]);
    }
    free(l->keys);
    free(l->names);
    free(l);
}

size_t simdepth_labels_count(const simdepth_labels *l) { return l->n; }
const char *simdepth_labels_key(const simdepth_labels *l, size_t i) { return l->keys[i]; }
const char *simdepth_labels_name(const simdepth_labels *l, size_t i) { return l->names[i]; }

/* Split a trimmed line into key and optional name. */
static simdepth_status set_entry(simdepth_labels *l, size_t i, const char *s,
                                 size_t len, simdepth_error *err)
{
    size_t k = 0;

    while (k < len && s[k] != ' ' && s[k] != '\t')
        k++;
    if (k == 9 && k < len && s[0] == 'n') {
        char id[10];
        memcpy(id, s, 9);
        id[9] = '\0';
        if (simdepth_is_wnid(id)) {
            size_t a = k;
            while (a < len && (s[a] == ' ' || s[a] == '\t'))
                a++;
            l->keys[i] = simdepth_i_strdup(id);
            l->names[i] = simdepth_i_malloc(len - a + 1);
            if (l->keys[i] == NULL || l->names[i] == NULL)
                return simdepth_i_enomem(err, "labels");
            memcpy(l->names[i], s + a, len - a);
            l->names[i][len - a] = '\0';
            return SIMDEPTH_OK;
        }
    }
    l->keys[i] = simdepth_i_malloc(len + 1);
    if (l->keys[i] == NULL)
        return simdepth_i_enomem(err, "labels");
    memcpy(l->keys[i], s, len);
    l->keys[i][len] = '\0';
    return SIMDEPTH_OK;
}


typedef struct sort_item {
    const char *key;
    size_t index;
} sort_item;

static int cmp_item(const void *a, const void *b)
{
    const sort_item *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    if (c != 0)
        return c;
    return (x->index > y->index) - (x->index < y->index);
}

/* Duplicates are an error naming both lines (1-based, via @line_of). */
static simdepth_status check_duplicates(const simdepth_labels *l,
                                        const long *line_of, const char *path,
                                        simdepth_error *err)
{
    sort_item *items;
    size_t i;
    simdepth_status st = SIMDEPTH_OK;

    if (l->n < 2)
        return SIMDEPTH_OK;
    items = simdepth_i_malloc_array(l->n, sizeof *items);
    if (items == NULL)
        return simdepth_i_enomem(err, "labels");
    for (i = 0; i < l->n; i++) {
        items[i].key = l->keys[i];
        items[i].index = i;
    }
    qsort(items, l->n, sizeof *items, cmp_item);
    for (i = 1; i < l->n; i++) {
        if (strcmp(items[i].key, items[i - 1].key) == 0) {
            st = simdepth_i_error_set(
                err, SIMDEPTH_EFORMAT, path,
                line_of ? line_of[items[i].index] : (long)items[i].index + 1, 0, -1,
                "duplicate label '%s' (first on line %ld); expected one line per class",
                items[i].key,
                line_of ? line_of[items[i - 1].index] : (long)items[i - 1].index + 1);
            break;
        }
    }
    free(items);
    return st;
}

static simdepth_labels *labels_alloc(size_t n)
{
    simdepth_labels *l = simdepth_i_calloc(1, sizeof *l);

    if (l == NULL)
        return NULL;
    l->keys = simdepth_i_calloc(n, sizeof *l->keys);
    l->names = simdepth_i_calloc(n, sizeof *l->names);
    if (l->keys == NULL || l->names == NULL) {
        free(l->keys);
        free(l->names);
        free(l);
        return NULL;
    }
    return l;
}

static void trim(const char **s, size_t *len)
{
    while (*len > 0 && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

simdepth_status simdepth_labels_read(const char *path, simdepth_labels **out,
                                     simdepth_error *err)
{
    char *buf = NULL;
    size_t len = 0, llen, n = 0, i;
    const char *cur, *end, *line;
    long lineno = 0, last_blank = 0, *line_of = NULL;
    simdepth_labels *l = NULL;
    simdepth_status st;

    st = simdepth_i_read_file(path, LABELS_MAX_FILE, &buf, &len, err);
    if (st != SIMDEPTH_OK)
        return st;
    end = buf + len;
    /* A UTF-8 byte-order mark (spreadsheets and some editors write one). */
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        memset(buf, ' ', 3);
    if (memchr(buf, '\0', len) != NULL) {
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0,
                                  (long long)((char *)memchr(buf, '\0', len) - buf),
                                  "NUL byte; expected a text file of labels");
        goto out;
    }
    /* Pass 1: count, and find blank lines inside the list. */
    cur = buf;
    while ((line = simdepth_i_next_line(&cur, end, &llen)) != NULL) {
        lineno++;
        trim(&line, &llen);
        if (llen == 0) {
            if (last_blank == 0)
                last_blank = lineno;
            continue;
        }
        if (last_blank != 0) {
            st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, last_blank, 0, -1,
                                      "blank line among the labels; expected one label per line");
            goto out;
        }
        n++;
    }
    if (n == 0) {
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, -1,
                                  "no labels; expected one label per line");
        goto out;
    }
    l = labels_alloc(n);
    line_of = simdepth_i_malloc_array(n, sizeof *line_of);
    if (l == NULL || line_of == NULL) {
        st = simdepth_i_enomem(err, "labels");
        goto out;
    }
    l->n = n;
    cur = buf;
    lineno = 0;
    i = 0;
    while ((line = simdepth_i_next_line(&cur, end, &llen)) != NULL && i < n) {
        lineno++;
        trim(&line, &llen);
        if (llen == 0)
            continue;
        line_of[i] = lineno;
        st = set_entry(l, i, line, llen, err);
        if (st != SIMDEPTH_OK)
            goto out;
        i++;
    }
    st = check_duplicates(l, line_of, path, err);
    if (st != SIMDEPTH_OK)
        goto out;
    *out = l;
    l = NULL;
out:
    simdepth_labels_free(l);
    free(line_of);
    free(buf);
    return st;
}

simdepth_status simdepth_labels_new(const char *const *lines, size_t n,
                                    simdepth_labels **out, simdepth_error *err)
{
    simdepth_labels *l;
    simdepth_status st;
    size_t i;

    if (n == 0)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "no labels; expected at least one");
    l = labels_alloc(n);
    if (l == NULL)
        return simdepth_i_enomem(err, "labels");
    l->n = n;
    for (i = 0; i < n; i++) {
        const char *s = lines[i];
        size_t len = strlen(s);
        trim(&s, &len);
        if (len == 0) {
            simdepth_labels_free(l);
            return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, (long)i + 1, 0, -1,
                                        "label %zu is empty", i + 1);
        }
        st = set_entry(l, i, s, len, err);
        if (st != SIMDEPTH_OK) {
            simdepth_labels_free(l);
            return st;
        }
    }
    st = check_duplicates(l, NULL, NULL, err);
    if (st != SIMDEPTH_OK) {
        simdepth_labels_free(l);
        return st;
    }
    *out = l;
    return SIMDEPTH_OK;
}
