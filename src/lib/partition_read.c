/* simdepth — reading a saved partition: the "partition" object of a JSON
 * report (simdepth analyze), or a text file of one cluster id per line.
 *
 * Both are untrusted input: every value is checked before use, the count
 * against the labels, and a report's class keys against the labels, so
 * that a report of another model (or of another class order) is refused
 * instead of silently drawing the wrong clusters. JSON is parsed by
 * jansson, as the reports are written.
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/render.h"
#include "internal.h"
#include "textio.h"

#define PARTITION_MAX_FILE ((size_t)1 << 30)

static int cmp_i64(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

    return (a > b) - (a < b);
}

/* A partition of @n classes from raw ids (-1 or 0 .. INT32_MAX, checked by
 * the caller), renumbered 0, 1, ... in increasing id order. */
static simdepth_status partition_from_ids(const int64_t *ids, size_t n, const char *method,
                                          simdepth_partition **out, simdepth_error *err)
{
    simdepth_partition *p = NULL;
    int64_t *sorted = NULL;
    size_t i, k = 0;
    simdepth_status st;

    st = simdepth_partition_new(n, method, &p, err);
    if (st != SIMDEPTH_OK)
        return st;
    sorted = simdepth_i_malloc_array(n + 1, sizeof *sorted);
    if (sorted == NULL) {
        simdepth_partition_free(p);
        return simdepth_i_enomem(err, "a partition");
    }
    for (i = 0; i < n; i++)
        if (ids[i] >= 0)
            sorted[k++] = ids[i];
    qsort(sorted, k, sizeof *sorted, cmp_i64);
    {
        size_t u = 0;
        for (i = 0; i < k; i++)
            if (u == 0 || sorted[i] != sorted[u - 1])
                sorted[u++] = sorted[i];
        k = u;
    }
    for (i = 0; i < n; i++) {
        if (ids[i] < 0) {
            p->labels[i] = -1;
        } else {
            int64_t *hit = bsearch(&ids[i], sorted, k, sizeof *sorted, cmp_i64);
            p->labels[i] = (int32_t)(hit - sorted);
        }
    }
    free(sorted);
    simdepth_partition_recount(p);
    p->converged = 1;
    *out = p;
    return SIMDEPTH_OK;
}

/* ------------------------------------------------------------------ text */

static simdepth_status read_text(const char *path, const char *buf, size_t len, size_t n,
                                 simdepth_partition **out, simdepth_error *err)
{
    const char *cur = buf, *end = buf + len, *line;
    int64_t *ids = simdepth_i_malloc_array(n + 1, sizeof *ids);
    size_t got = 0, ll;
    long lineno = 0;
    simdepth_status st;

    if (ids == NULL)
        return simdepth_i_enomem(err, "a partition");
    while ((line = simdepth_i_next_line(&cur, end, &ll)) != NULL) {
        char tok[32], *tend;
        size_t a = 0, b = ll;
        long long v;
        lineno++;
        while (a < b && (line[a] == ' ' || line[a] == '\t'))
            a++;
        while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t'))
            b--;
        if (a < b && line[a] == '#')
            continue;
        if (a == b) {
            st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, lineno, 0, -1,
                                      "empty line; expected one cluster id (an integer, -1 "
                                      "for no cluster) per class, one class per line");
            goto fail;
        }
        if (got == n) {
            st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, lineno, 0, -1,
                                      "more cluster ids than the %zu classes of the labels", n);
            goto fail;
        }
        snprintf(tok, sizeof tok, "%.*s", (int)(b - a < 31 ? b - a : 31), line + a);
        errno = 0;
        v = strtoll(tok, &tend, 10);
        if (b - a > 20 || tend == tok || *tend != '\0' || errno != 0 ||
            !(tok[0] == '-' || (tok[0] >= '0' && tok[0] <= '9'))) {
            st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, lineno, 0, -1,
                                      "'%s%s' is not a cluster id; expected an integer (-1 "
                                      "for no cluster)",
                                      tok, b - a > 31 ? "..." : "");
            goto fail;
        }
        if (v < -1 || v > INT32_MAX) {
            st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, lineno, 0, -1,
                                      "cluster id %lld out of range; expected -1 (no cluster) "
                                      "or 0 to %ld",
                                      v, (long)INT32_MAX);
            goto fail;
        }
        ids[got++] = v;
    }
    if (got != n) {
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, -1,
                                  "%zu cluster ids for the %zu classes of the labels; expected "
                                  "one per class, in the labels' order",
                                  got, n);
        goto fail;
    }
    st = partition_from_ids(ids, n, "file", out, err);
fail:
    free(ids);
    return st;
}

/* ------------------------------------------------------------------ JSON */

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number with a fraction";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "something else";
}

/* @where: "partition" or "confusion.partition". */
static simdepth_status json_partition(const char *path, const json_t *obj, const char *where,
                                      size_t n, simdepth_partition **out, simdepth_error *err)
{
    const json_t *labels = json_object_get(obj, "labels"), *v;
    const json_t *method = json_object_get(obj, "method"), *clusters;
    int64_t *ids;
    size_t i;
    simdepth_status st;
    simdepth_partition *p = NULL;

    if (!json_is_object(obj))
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, -1,
                                    "\"%s\" is %s; expected an object with \"labels\"", where,
                                    json_kind(obj));
    if (!json_is_array(labels))
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, -1,
                                    "%s.labels is %s; expected an array of one cluster id per "
                                    "class",
                                    where, labels ? json_kind(labels) : "missing");
    if (json_array_size(labels) != n)
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, -1,
                                    "%s.labels has %zu cluster ids for the %zu classes of the "
                                    "labels",
                                    where, json_array_size(labels), n);
    ids = simdepth_i_malloc_array(n + 1, sizeof *ids);
    if (ids == NULL)
        return simdepth_i_enomem(err, "a partition");
    for (i = 0; i < n; i++) {
        json_int_t x;
        v = json_array_get(labels, i);
        if (!json_is_integer(v)) {
            st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, -1,
                                      "%s.labels[%zu] is %s; expected an integer cluster id",
                                      where, i, json_kind(v));
            goto out;
        }
        x = json_integer_value(v);
        if (x < -1 || x > INT32_MAX) {
            st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, -1,
                                      "%s.labels[%zu] is %lld; expected -1 (no cluster) or 0 "
                                      "to %ld",
                                      where, i, (long long)x, (long)INT32_MAX);
            goto out;
        }
        ids[i] = (int64_t)x;
    }
    st = partition_from_ids(ids, n, json_is_string(method) ? json_string_value(method) : "file",
                            &p, err);
    if (st != SIMDEPTH_OK)
        goto out;
    clusters = json_object_get(obj, "clusters");
    if (clusters != NULL && (!json_is_integer(clusters) || json_integer_value(clusters) < 0 ||
                             (size_t)json_integer_value(clusters) != p->n_clusters)) {
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, -1,
                                  "%s.clusters does not match %s.labels, which has %zu distinct "
                                  "cluster ids",
                                  where, where, p->n_clusters);
        goto out;
    }
    v = json_object_get(obj, "iterations");
    if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= INT_MAX)
        p->iterations = (int)json_integer_value(v);
    v = json_object_get(obj, "converged");
    if (json_is_boolean(v))
        p->converged = json_is_true(v);
    *out = p;
    p = NULL;
out:
    simdepth_partition_free(p);
    free(ids);
    return st;
}

/* A report's classes must be the labels' classes, in the same order. */
static simdepth_status json_check_classes(const char *path, const json_t *root,
                                          const simdepth_labels *labels, simdepth_error *err)
{
    const json_t *nc = json_object_get(root, "n_classes"), *classes;
    size_t i, n = simdepth_labels_count(labels);

    if (nc != NULL && !json_is_integer(nc))
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, -1,
                                    "n_classes is %s; expected the number of classes (%zu)",
                                    json_kind(nc), n);
    if (nc != NULL && (json_integer_value(nc) < 0 || (size_t)json_integer_value(nc) != n))
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, -1,
                                    "n_classes is %lld but the labels have %zu classes: the "
                                    "report is of another model",
                                    (long long)json_integer_value(nc), n);
    classes = json_object_get(root, "classes");
    if (classes == NULL)
        return SIMDEPTH_OK;
    if (!json_is_array(classes) || json_array_size(classes) != n)
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, -1,
                                    "\"classes\" is not an array of the labels' %zu classes", n);
    for (i = 0; i < n; i++) {
        const json_t *lab = json_object_get(json_array_get(classes, i), "label");
        const char *key = simdepth_labels_key(labels, i);
        if (!json_is_string(lab))
            return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, -1,
                                        "classes[%zu].label is %s; expected a string", i,
                                        lab ? json_kind(lab) : "missing");
        if (strcmp(json_string_value(lab), key) != 0)
            return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, -1,
                                        "classes[%zu].label is '%.60s' but line %zu of the labels "
                                        "is '%.60s': the report is of other classes or another "
                                        "class order",
                                        i, json_string_value(lab), i + 1, key);
    }
    return SIMDEPTH_OK;
}

static simdepth_status read_json(const char *path, const char *buf, size_t len,
                                 const simdepth_labels *labels, simdepth_partition **out,
                                 simdepth_partition **confusion, simdepth_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    const json_t *conf;
    simdepth_partition *p = NULL, *c = NULL;
    size_t n = simdepth_labels_count(labels);
    simdepth_status st;

    if (root == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, jerr.line > 0 ? jerr.line : 0,
                                    jerr.column > 0 ? jerr.column : 0, -1,
                                    "not valid JSON: %s", jerr.text);
    if (!json_is_object(root) || json_object_get(root, "partition") == NULL) {
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, -1,
                                  "no \"partition\" object; expected a JSON report of "
                                  "'simdepth analyze' or a text file of one cluster id per line");
        goto out;
    }
    st = json_check_classes(path, root, labels, err);
    if (st != SIMDEPTH_OK)
        goto out;
    st = json_partition(path, json_object_get(root, "partition"), "partition", n, &p, err);
    if (st != SIMDEPTH_OK)
        goto out;
    conf = json_object_get(root, "confusion");
    if (confusion != NULL && json_is_object(conf) && json_object_get(conf, "partition") != NULL) {
        st = json_partition(path, json_object_get(conf, "partition"), "confusion.partition", n,
                            &c, err);
        if (st != SIMDEPTH_OK)
            goto out;
    }
    *out = p;
    p = NULL;
    if (confusion != NULL) {
        *confusion = c;
        c = NULL;
    }
out:
    simdepth_partition_free(p);
    simdepth_partition_free(c);
    json_decref(root);
    return st;
}

simdepth_status simdepth_partition_read(const char *path, const simdepth_labels *labels,
                                        simdepth_partition **out,
                                        simdepth_partition **confusion,
                                        simdepth_error *err)
{
    char *buf = NULL;
    size_t len = 0, i;
    simdepth_status st;

    if (path == NULL || labels == NULL || out == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "reading a partition needs a file and the labels");
    st = simdepth_i_read_file(path, PARTITION_MAX_FILE, &buf, &len, err);
    if (st != SIMDEPTH_OK)
        return st;
    if (memchr(buf, '\0', len) != NULL) {
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0,
                                  (long long)((const char *)memchr(buf, '\0', len) - buf),
                                  "NUL byte; expected a JSON report or a text file of cluster "
                                  "ids");
        goto out;
    }
    for (i = 0; i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n');
         i++)
        ;
    if (i < len && buf[i] == '{') {
        st = read_json(path, buf, len, labels, out, confusion, err);
    } else {
        st = read_text(path, buf, len, simdepth_labels_count(labels), out, err);
        if (st == SIMDEPTH_OK && confusion != NULL)
            *confusion = NULL;
    }
out:
    free(buf);
    return st;
}
