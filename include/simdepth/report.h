/* simdepth — reports of an analysis: JSON, text, CSV, LaTeX. */
#ifndef SIMDEPTH_REPORT_H
#define SIMDEPTH_REPORT_H

#include <stdio.h>

#include "simdepth/analysis.h"
#include "simdepth/error.h"
#include "simdepth/labels.h"
#include "simdepth/taxonomy.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Report formats. @since 0.1 */
typedef enum simdepth_report_format {
    SIMDEPTH_REPORT_JSON = 0,
    SIMDEPTH_REPORT_TEXT,
    SIMDEPTH_REPORT_CSV,
    SIMDEPTH_REPORT_LATEX
} simdepth_report_format;

/** The outcome of one clustering method, for the paper's table row.
 *  @since 0.1 */
typedef struct simdepth_method_result {
    const char *name;          /**< "louvain", "optics", "ap", ... */
    double similarity_depth;   /**< NaN when undefined */
    double mean_wup;
    size_t clusters;
} simdepth_method_result;

/** What a report says about its inputs; every pointer is borrowed and may
 *  be NULL unless noted. @since 0.1 */
typedef struct simdepth_report_info {
    const char *name;             /**< model name (LaTeX row, headers) */
    const char *weights_path;
    const char *tensor;           /**< the weight tensor's name, if any */
    const char *similarity_path;
    const char *confusion_path;
    const char *labels_path;
    const char *taxonomy;         /**< e.g. "WordNet 3.0 (/usr/share/wordnet)" */
    const simdepth_labels *labels;      /**< required */
    const simdepth_taxonomy *tax;       /**< NULL: no semantic columns */
    const size_t *nodes;                /**< taxonomy node of each class */
    const simdepth_analysis_options *options; /**< required */
    const simdepth_method_result *methods; /**< per-method rows, or NULL */
    size_t n_methods;
    int latex_methods;            /**< LaTeX row from the first this many
                                       methods instead of the analysis */
} simdepth_report_info;

/** Write @p a as @p format to @p f. JSON is one object (keys documented in
 *  simdepth-analyze(1)), with a "methods" object when info->methods is
 *  set; text is a readable summary (with a method table); CSV has one row
 *  per spanning-tree edge of both graphs; LaTeX is the paper's table row
 *  "name & SD (k) \\\\", or "name & SD (k) & SD (k) ..." over the first
 *  info->latex_methods methods. Non-finite numbers are JSON null. Does not close
 *  @p f. @return SIMDEPTH_OK, SIMDEPTH_EIO on a write error, SIMDEPTH_ENOMEM.
 *  @since 0.1 */
simdepth_status simdepth_report_write(FILE *f, simdepth_report_format format,
                                      const simdepth_analysis *a,
                                      const simdepth_report_info *info,
                                      simdepth_error *err);

#ifdef __cplusplus
}
#endif
#endif
