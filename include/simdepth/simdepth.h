/* simdepth — umbrella header of libsimdepth.
 *
 * libsimdepth explains a trained classifier's mistakes through the class
 * similarities it learned, following "Semantic Depth Matters" (Filus,
 * Romaszewski, Żarski, arXiv 2504.09956).
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
