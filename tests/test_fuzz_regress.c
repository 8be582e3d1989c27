/* Fuzzing regressions: every input the fuzzers ever flagged
 * (tests/fuzz/crashers/<target>/: crashes, leaks, timeouts, slow units) and
 * every seed (tests/fuzz/corpus/<target>/) goes through the public entry
 * point of its parser, and the result is exercised as the fuzz target does.
 * A status of any kind is fine; what the suite catches is a crash, a
 * sanitizer report (the ASan/UBSan job of tools/test-all.sh runs it), a
 * leak or a hang. The internal entry points the fuzzers call directly
 * (simdepth_i_npy_parse, ...) are reached here through
 * simdepth_tensor_file_open(), which sniffs the format. */
#include "config.h"

#include "../tests/fuzz/fuzz_common.h"

#include <dirent.h>
#include <sys/stat.h>

#include "tests.h"

typedef enum { VIA_TENSOR_FILE, VIA_CSV, VIA_LABELS, VIA_TAXONOMY, VIA_NEWICK, VIA_THEME,
               VIA_MANIFEST, VIA_PARTITION } via;

typedef struct target {
    const char *name; /* directory under tests/fuzz/{corpus,crashers} */
    via how;
} target;

static const target targets[] = {
    {"npy", VIA_TENSOR_FILE},        {"safetensors", VIA_TENSOR_FILE},
    {"pth_zip", VIA_TENSOR_FILE},    {"pth_legacy", VIA_TENSOR_FILE},
    {"tensor_open", VIA_TENSOR_FILE}, {"pickle", VIA_TENSOR_FILE},
    {"csv", VIA_CSV},                {"labels", VIA_LABELS},
    {"custom_taxonomy", VIA_TAXONOMY}, {"newick", VIA_NEWICK},
    {"theme", VIA_THEME},            {"manifest", VIA_MANIFEST},
    {"partition", VIA_PARTITION},
};

static void run_one(via how, const char *path, const char *buf, size_t len)
{
    simdepth_error err;
    char mpath[64];
    int fd;

    switch (how) {
    case VIA_TENSOR_FILE: {
        simdepth_tensor_file *f = NULL;
        if (simdepth_tensor_file_open(path, &f, &err) == SIMDEPTH_OK)
            fuzz_exercise_tensor_file(f);
        simdepth_tensor_file_free(f);
        break;
    }
    case VIA_CSV:
    case VIA_LABELS:
        /* The readers take a path; a memfd gives them exactly the bytes. */
        fd = fuzz_memfd_path((const uint8_t *)buf, len, mpath, sizeof mpath);
        if (fd < 0)
            break;
        if (how == VIA_CSV) {
            simdepth_matrix *m = NULL;
            if (simdepth_csv_read(mpath, &m, &err) == SIMDEPTH_OK)
                (void)simdepth_matrix_rows(m);
            simdepth_matrix_free(m);
        } else {
            simdepth_labels *l = NULL;
            if (simdepth_labels_read(mpath, &l, &err) == SIMDEPTH_OK)
                (void)simdepth_labels_count(l);
            simdepth_labels_free(l);
        }
        close(fd);
        break;
    case VIA_TAXONOMY: {
        simdepth_taxonomy *t = NULL;
        (void)simdepth_taxonomy_parse(buf, len, path, &t, &err);
        simdepth_taxonomy_free(t);
        break;
    }
    case VIA_NEWICK: {
        simdepth_newick_tree *t = NULL;
        if (simdepth_newick_parse(buf, len, path, &t, &err) == SIMDEPTH_OK) {
            simdepth_matrix *z = NULL;
            (void)simdepth_newick_to_linkage(t, NULL, t->n_leaves, &z, &err);
            simdepth_matrix_free(z);
        }
        simdepth_newick_tree_free(t);
        break;
    }
    case VIA_THEME: {
        simdepth_theme *t = NULL;
        (void)simdepth_theme_parse(buf, len, path, &t, &err);
        simdepth_theme_free(t);
        break;
    }
    case VIA_MANIFEST: {
        simdepth_manifest *m = NULL;
        (void)simdepth_manifest_parse(buf, len, path, &m, &err);
        simdepth_manifest_free(m);
        break;
    }
    case VIA_PARTITION: {
        /* As tests/fuzz/fuzz_partition.c: six classes n01 .. n06. */
        static const char *const keys[] = {"n01", "n02", "n03", "n04", "n05", "n06"};
        simdepth_labels *labels = NULL;
        simdepth_partition *p = NULL, *c = NULL;

        if (simdepth_labels_new(keys, 6, &labels, &err) != SIMDEPTH_OK)
            break;
        (void)simdepth_partition_read(path, labels, &p, &c, &err);
        simdepth_partition_free(p);
        simdepth_partition_free(c);
        simdepth_labels_free(labels);
        break;
    }
    }
}

/* Run every regular file of tests/fuzz/<kind>/<target>/; returns how many. */
static int run_dir(const target *t, const char *kind)
{
    char rel[256], dir[4096], path[8192];
    DIR *d;
    struct dirent *e;
    int count = 0;

    snprintf(rel, sizeof rel, "../fuzz/%s/%s", kind, t->name);
    snprintf(dir, sizeof dir, "%s", simdepth_test_data(rel));
    d = opendir(dir);
    if (d == NULL)
        return 0;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        size_t len = 0;
        char *buf;

        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        buf = simdepth_test_slurp(path, &len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
        run_one(t->how, path, buf, len);
        free(buf);
        count++;
    }
    closedir(d);
    return count;
}

static void test_regressions(void)
{
    size_t i;
    int seeds_total = 0, crashers_total = 0;

    for (i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        int seeds = run_dir(&targets[i], "corpus");
        int crashers = run_dir(&targets[i], "crashers");

        /* Every target has seeds: a missing directory is a broken tree. */
        simdepth_test_row_check(seeds > 0, "fuzz_regress", targets[i].name, __FILE__,
                                __LINE__, "no seed inputs in tests/fuzz/corpus/%s",
                                targets[i].name);
        seeds_total += seeds;
        crashers_total += crashers;
    }
    CU_ASSERT(seeds_total > 0);
    CU_ASSERT(crashers_total > 0);
}

int simdepth_test_add_fuzz_regress(void)
{
    CU_pSuite s = CU_add_suite("fuzz_regress", NULL, NULL);
    if (s == NULL || CU_add_test(s, "every crasher and seed through its parser",
                                 test_regressions) == NULL)
        return -1;
    return 0;
}
