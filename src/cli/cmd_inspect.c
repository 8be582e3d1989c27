/* simdepth CLI — the inspect command: list the tensors of a model file. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void inspect_usage(FILE *f)
{
    fprintf(f,
            "Usage: simdepth inspect [options] FILE\n\n"
            "List every tensor of a model file (.npy, .safetensors, PyTorch .pth/.pt, zip or\n"
            "legacy) with its element type, shape and size, and mark with '*' the one\n"
            "'simdepth analyze' would use as the class templates.\n\n"
            "  -l, --labels FILE    count the classes in a labels file (one per line)\n"
            "  -n, --classes N      the number of classes (instead of --labels)\n"
            "      --format text|json  (default text)\n"
            "  -h, --help           show this help\n\n"
            "Exit status: 0 success, 1 runtime error, 2 usage error or bad input.\n"
            "See simdepth-inspect(1).\n");
}

/* A tensor name as the terminal should see it: control bytes escaped. */
static void print_name(const char *name, int width)
{
    const unsigned char *p;
    int n = 0;

    if (name[0] == '\0') {
        n = printf("(array)");
    } else {
        for (p = (const unsigned char *)name; *p; p++)
            n += (*p < 0x20 || *p == 0x7f) ? printf("\\x%02x", *p) : (putchar(*p), 1);
    }
    for (; n < width; n++)
        putchar(' ');
}

static void shape_string(const simdepth_tensor_info *t, char *buf, size_t size)
{
    size_t used = 0;
    int k;

    buf[0] = '\0';
    if (t->ndim == 0)
        snprintf(buf, size, "scalar");
    for (k = 0; k < t->ndim && used < size; k++)
        used += (size_t)snprintf(buf + used, size - used, "%s%zu", k ? " x " : "",
                                 t->shape[k]);
}

int cli_cmd_inspect(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"labels", required_argument, NULL, 'l'},
        {"classes", required_argument, NULL, 'n'},
        {"format", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *labels_path = NULL, *path;
    size_t n_classes = 0, i, pick = SIZE_MAX, width = 4;
    int c, json = 0, rc = CLI_EXIT_OK;
    char why[200] = "", pick_msg[600] = "";
    simdepth_tensor_file *f = NULL;
    simdepth_labels *labels = NULL;
    simdepth_error err;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":l:n:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'l':
            labels_path = optarg;
            break;
        case 'n': {
            char *end;
            unsigned long v;
            errno = 0;
            v = strtoul(optarg, &end, 10);
            if (errno || end == optarg || *end || v == 0 || optarg[0] == '-')
                return cli_usage_error("inspect", "--classes '%s': expected a positive integer", optarg);
            n_classes = (size_t)v;
            break;
        }
        case 'F':
            if (strcmp(optarg, "json") == 0)
                json = 1;
            else if (strcmp(optarg, "text") != 0)
                return cli_usage_error("inspect", "--format '%s': expected text or json", optarg);
            break;
        case 'h':
            inspect_usage(stdout);
            return CLI_EXIT_OK;
        case ':':
            return cli_usage_error("inspect", "option '%s' needs an argument", argv[optind - 1]);
        default:
            if (optopt != 0)
                return cli_usage_error("inspect", "unknown option '-%c'", optopt);
            return cli_usage_error("inspect", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("inspect", "%s", optind >= argc ? "missing FILE" : "expected exactly one FILE");
    path = argv[optind];
    simdepth_error_clear(&err);
    if (labels_path != NULL) {
        if (simdepth_labels_read(labels_path, &labels, &err) != SIMDEPTH_OK) {
            rc = cli_report_error(&err, labels_path);
            goto out;
        }
        n_classes = simdepth_labels_count(labels);
    }
    if (simdepth_tensor_file_open(path, &f, &err) != SIMDEPTH_OK) {
        rc = cli_report_error(&err, path);
        goto out;
    }
    if (simdepth_tensor_file_pick(f, n_classes, &pick, why, sizeof why, &err) != SIMDEPTH_OK) {
        pick = SIZE_MAX;
        snprintf(pick_msg, sizeof pick_msg, "%s", err.message);
    }
    if (json) {
        json_t *root = json_object(), *arr = json_array();
        for (i = 0; i < simdepth_tensor_file_count(f); i++) {
            const simdepth_tensor_info *t = simdepth_tensor_file_info(f, i);
            json_t *o = json_object(), *shape = json_array();
            int k;
            for (k = 0; k < t->ndim; k++)
                json_array_append_new(shape, json_integer((json_int_t)t->shape[k]));
            json_object_set_new(o, "name", json_string(t->name));
            json_object_set_new(o, "dtype", json_string(simdepth_tensor_dtype_name(t->dtype)));
            json_object_set_new(o, "shape", shape);
            json_object_set_new(o, "bytes", json_integer((json_int_t)t->nbytes));
            json_object_set_new(o, "selected", json_boolean(i == pick));
            json_array_append_new(arr, o);
        }
        json_object_set_new(root, "file", json_string(path));
        json_object_set_new(root, "format", json_string(simdepth_tensor_file_format(f)));
        json_object_set_new(root, "tensors", arr);
        json_object_set_new(root, "selected",
                            pick == SIZE_MAX
                                ? json_null()
                                : json_string(simdepth_tensor_file_info(f, pick)->name));
        json_object_set_new(root, "reason", json_string(pick == SIZE_MAX ? pick_msg : why));
        if (json_dumpf(root, stdout, JSON_INDENT(2)) != 0 || putchar('\n') == EOF)
            rc = CLI_EXIT_RUNTIME;
        json_decref(root);
    } else {
        for (i = 0; i < simdepth_tensor_file_count(f); i++) {
            size_t w = strlen(simdepth_tensor_file_info(f, i)->name);
            if (w > width)
                width = w;
        }
        if (width > 60)
            width = 60;
        printf("%s: %s, %zu tensor%s\n", path, simdepth_tensor_file_format(f),
               simdepth_tensor_file_count(f), simdepth_tensor_file_count(f) == 1 ? "" : "s");
        printf("  %-*s  %-5s  %-20s  %s\n", (int)width, "NAME", "DTYPE", "SHAPE", "BYTES");
        for (i = 0; i < simdepth_tensor_file_count(f); i++) {
            const simdepth_tensor_info *t = simdepth_tensor_file_info(f, i);
            char shape[128];
            shape_string(t, shape, sizeof shape);
            printf("%c ", i == pick ? '*' : ' ');
            print_name(t->name, (int)width);
            printf("  %-5s  %-20s  %zu\n", simdepth_tensor_dtype_name(t->dtype), shape,
                   t->nbytes);
        }
        if (pick != SIZE_MAX) {
            printf("* analyze would use '");
            print_name(simdepth_tensor_file_info(f, pick)->name, 0);
            printf("': %s\n", why);
        } else
            printf("no tensor would be chosen automatically: %s\n", pick_msg);
        if (fflush(stdout) != 0 || ferror(stdout))
            rc = CLI_EXIT_RUNTIME;
    }
out:
    simdepth_tensor_file_free(f);
    simdepth_labels_free(labels);
    return rc;
}
