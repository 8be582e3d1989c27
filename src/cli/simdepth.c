/* simdepth CLI — entry point and subcommand table. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} command;

static const command commands[] = {
    {"analyze", "partition a model's class similarities, measure Similarity Depth and compliance",
     cli_cmd_analyze},
    {"inspect", "list the tensors of a model file and the one analyze would use",
     cli_cmd_inspect},
    {"tree", "write the dendrogram of the classes (SciPy linkage matrix or Newick)",
     cli_cmd_tree},
    {"render", "draw figures: semantic graph, dendrogram, heatmap (SVG, PDF, PNG, DOT)",
     cli_cmd_render},
    {"labels", "map class names to WordNet noun synsets and write a labels file",
     cli_cmd_labels},
    {"semsim", "write a semantic similarity matrix (NLTK path, Wu-Palmer, Leacock-Chodorow)",
     cli_cmd_semsim},
    {"diff", "compare two models: edges, partitions, dendrograms; graph diff and tanglegram",
     cli_cmd_diff},
    {"track", "SD and compliance of many models (checkpoints, a zoo) as a table and plots",
     cli_cmd_track},
};

static void usage(FILE *f)
{
    size_t i;

    fprintf(f,
            "Usage: simdepth COMMAND [OPTIONS]\n"
            "       simdepth --help | --version\n\n"
            "Explain a classifier's errors through the class similarities it learned\n"
            "(\"Semantic Depth Matters\", Filus, Romaszewski, Zarski, arXiv 2504.09956).\n\n"
            "Commands:\n");
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun 'simdepth COMMAND --help' for a command's options; see simdepth(1).\n"
               "Exit status: 0 success, 1 runtime error, 2 usage error or bad input.\n");
}

int main(int argc, char **argv)
{
    size_t i;

    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_INPUT;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("simdepth %s (libsimdepth %s)\n", PACKAGE_VERSION, simdepth_version());
        return CLI_EXIT_OK;
    }
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    cli_errorf("unknown command '%s'; run 'simdepth --help' for the list", argv[1]);
    return CLI_EXIT_INPUT;
}
