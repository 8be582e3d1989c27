/* simdepth — umbrella header of libsimdepth.
 *
 * libsimdepth explains a trained classifier's mistakes through the class
 * similarities it learned, following "Semantic Depth Matters" (Filus,
 * Romaszewski, Żarski, arXiv 2504.09956).
 *
 * Thread safety. Objects are independent, inputs are const and outputs
 * are new, so calls on different objects may run concurrently, and const
 * objects (a matrix, a taxonomy, a tensor file, labels) may be shared by
 * threads that only read them. That covers the readers (.npy,
 * .safetensors, .pth, CSV, labels, taxonomies, WordNet, themes,
 * manifests), similarity, affinity propagation, forests, linkage and
 * Newick, OPTICS, HDBSCAN, metrics, semsim, simdepth_analysis_run(),
 * reports and the comparisons of compare.h. Louvain and Leiden
 * (simdepth_louvain(), simdepth_leiden(), simdepth_modularity(), and the
 * analysis with SIMDEPTH_CLUSTER_LOUVAIN or SIMDEPTH_CLUSTER_LEIDEN) swap
 * igraph's process-global error handler and default random generator
 * (Debian's igraph has no thread-local state): simdepth serialises them
 * with an internal lock, so they are safe to call from several threads
 * but run one at a time; the caller must not use igraph itself meanwhile.
 * The exception, to be serialised by the caller (one at a time in the
 * process): rendering (simdepth_render_write(), simdepth_render_diff_write(),
 * simdepth_render_plot_write()) goes through Graphviz, whose plugins, font
 * caches and error state are process-global, and through fontconfig/pango.
 * Similarity goes through OpenBLAS, which is thread-safe and runs its own
 * threads. A simdepth_error is per call: give each thread its own.
 */
#ifndef SIMDEPTH_SIMDEPTH_H
#define SIMDEPTH_SIMDEPTH_H

#include "simdepth/error.h"
#include "simdepth/matrix.h"
#include "simdepth/io.h"
#include "simdepth/tensor.h"
#include "simdepth/labels.h"
#include "simdepth/similarity.h"
#include "simdepth/partition.h"
#include "simdepth/affinity.h"
#include "simdepth/forest.h"
#include "simdepth/linkage.h"
#include "simdepth/cluster.h"
#include "simdepth/taxonomy.h"
#include "simdepth/wordnet.h"
#include "simdepth/wnmap.h"
#include "simdepth/custom_taxonomy.h"
#include "simdepth/semsim.h"
#include "simdepth/metrics.h"
#include "simdepth/analysis.h"
#include "simdepth/report.h"
#include "simdepth/theme.h"
#include "simdepth/render.h"
#include "simdepth/compare.h"
#include "simdepth/manifest.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The library's version, "MAJOR.MINOR.PATCH". @since 0.1 */
const char *simdepth_version(void);

#ifdef __cplusplus
}
#endif
#endif
