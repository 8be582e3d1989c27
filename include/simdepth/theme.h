/* simdepth — figure themes (colours, fonts, line widths) and colour maps.
 *
 * A theme is a small text file (format in simdepth-theme(5)); every key it
 * leaves out keeps the value of the built-in default theme. Colour maps are
 * the perceptually uniform viridis and cividis, a grey ramp linear in CIE
 * L*, and diverging maps interpolated in CIE L*a*b* between two end colours
 * through a light neutral centre. There is no rainbow map.
 */
#ifndef SIMDEPTH_THEME_H
#define SIMDEPTH_THEME_H

#include <stddef.h>

#include "simdepth/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Sequential colour maps, dark (0) to light (1). @since 0.1 */
typedef enum simdepth_colormap {
    SIMDEPTH_COLORMAP_VIRIDIS = 0, /**< viridis (matplotlib's default) */
    SIMDEPTH_COLORMAP_CIVIDIS,     /**< cividis: also uniform for
                                        red-green colour-vision deficiency */
    SIMDEPTH_COLORMAP_GRAY         /**< black to white, linear in CIE L* */
} simdepth_colormap;

/** An sRGB colour with alpha, each channel in [0, 1]. @since 0.1 */
typedef struct simdepth_rgba {
    double r, g, b, a;
} simdepth_rgba;

/** Colour of @p t (clamped to [0, 1]; NaN gives 0) on @p map, from a
 *  256-entry table generated from the published look-up tables (linear
 *  interpolation between entries). Alpha is 1. @since 0.1 */
simdepth_rgba simdepth_colormap_eval(simdepth_colormap map, double t);

/** Parse a colour map name: "viridis", "cividis", "gray" ("grey").
 *  @return SIMDEPTH_OK or SIMDEPTH_EINVAL; *out untouched on failure.
 *  @since 0.1 */
simdepth_status simdepth_colormap_parse(const char *name, simdepth_colormap *out,
                                        simdepth_error *err);

/** Name of @p map ("viridis", ...). @since 0.1 */
const char *simdepth_colormap_name(simdepth_colormap map);

/** CIE L* (0 black .. 100 white, D65) of an sRGB colour, alpha ignored.
 *  @since 0.1 */
double simdepth_rgba_lightness(simdepth_rgba c);

/** Parse "#rgb", "#rrggbb" or "#rrggbbaa" (case-insensitive).
 *  @return SIMDEPTH_OK or SIMDEPTH_EINVAL. @since 0.1 */
simdepth_status simdepth_rgba_parse(const char *s, simdepth_rgba *out,
                                    simdepth_error *err);

/** Write @p c as "#rrggbb" (alpha 1) or "#rrggbbaa" into @p buf (at least
 *  10 bytes). Returns @p buf. @since 0.1 */
char *simdepth_rgba_format(simdepth_rgba c, char *buf);

/** Largest number of categorical colours a theme may list. @since 0.1 */
#define SIMDEPTH_THEME_MAX_CATEGORICAL 16

/** An opaque, immutable theme. @since 0.1 */
typedef struct simdepth_theme simdepth_theme;

/** The built-in default theme (the same values as themes/default.theme).
 *  @return SIMDEPTH_OK or SIMDEPTH_ENOMEM; *out untouched on failure.
 *  Free with simdepth_theme_free(). @since 0.1 */
simdepth_status simdepth_theme_new_default(simdepth_theme **out,
                                           simdepth_error *err);

/** Parse a theme from @p len bytes of @p text (format: simdepth-theme(5)).
 *  @p source names the text in messages (a file name, or NULL).
 *  @return SIMDEPTH_OK; SIMDEPTH_EFORMAT with err->file = @p source and
 *  err->line set (line without '=', unknown key, key given twice, bad
 *  colour, number or colour map, too many colours, NUL byte, a line longer
 *  than 4096 bytes); SIMDEPTH_ENOMEM. On failure *out is untouched.
 *  O(len). @since 0.1 */
simdepth_status simdepth_theme_parse(const char *text, size_t len,
                                     const char *source, simdepth_theme **out,
                                     simdepth_error *err);

/** Read and parse the theme file @p path (at most 1 MiB).
 *  @return as simdepth_theme_parse(), or SIMDEPTH_EIO. @since 0.1 */
simdepth_status simdepth_theme_read(const char *path, simdepth_theme **out,
                                    simdepth_error *err);

/** Load a theme by name or path. @p spec containing a '/' or ending in
 *  ".theme" is a path. Otherwise it is a name (letters, digits, '-', '_')
 *  looked up as NAME.theme in each directory of @p search_path (directories
 *  separated by ':', searched in order; NULL or "" searches nothing), and
 *  finally the name "default" gives the built-in default theme.
 *  @return SIMDEPTH_OK; SIMDEPTH_ENOTFOUND (message lists the directories
 *  searched); SIMDEPTH_EINVAL (a malformed name); or as
 *  simdepth_theme_read(). On failure *out is untouched. @since 0.1 */
simdepth_status simdepth_theme_load(const char *spec, const char *search_path,
                                    simdepth_theme **out, simdepth_error *err);

/** Release @p t. Accepts NULL. @since 0.1 */
void simdepth_theme_free(simdepth_theme *t);

/** The theme's name ("name" key, else the file name without ".theme").
 *  Owned by @p t. @since 0.1 */
const char *simdepth_theme_name(const simdepth_theme *t);

/** Colours a theme defines. @since 0.1 */
typedef enum simdepth_theme_color {
    SIMDEPTH_THEME_BACKGROUND = 0, /**< page background */
    SIMDEPTH_THEME_FOREGROUND,     /**< text, axes, neutral branches */
    SIMDEPTH_THEME_MUTED,          /**< secondary text, frames, ticks */
    SIMDEPTH_THEME_NODE_FILL,      /**< graph node fill */
    SIMDEPTH_THEME_NODE_BORDER,    /**< graph node border */
    SIMDEPTH_THEME_CLUSTER_FILL,   /**< graph cluster box fill */
    SIMDEPTH_THEME_CLUSTER_BORDER, /**< cluster boxes (graph, heatmap) */
    SIMDEPTH_THEME_ERROR_EDGE,     /**< confusion edges the perceived graph lacks */
    SIMDEPTH_THEME_DIAGONAL,       /**< masked cells (confusion diagonal) */
    SIMDEPTH_THEME_DIVERGING_LOW,  /**< diverging map at -max */
    SIMDEPTH_THEME_DIVERGING_MID,  /**< diverging map at 0 */
    SIMDEPTH_THEME_DIVERGING_HIGH, /**< diverging map at +max */
    SIMDEPTH_THEME_N_COLORS
} simdepth_theme_color;

/** A colour of @p t. @since 0.1 */
simdepth_rgba simdepth_theme_color_get(const simdepth_theme *t,
                                       simdepth_theme_color which);

/** The font family (a fontconfig name such as "DejaVu Sans"). @since 0.1 */
const char *simdepth_theme_font(const simdepth_theme *t);

/** Base font size in points (labels); titles are title_size. @since 0.1 */
double simdepth_theme_font_size(const simdepth_theme *t);
/** Title font size in points. @since 0.1 */
double simdepth_theme_title_size(const simdepth_theme *t);
/** Smallest font size in points figures may shrink labels to before they
 *  thin them out. @since 0.1 */
double simdepth_theme_min_font_size(const simdepth_theme *t);
/** Base line width in points. @since 0.1 */
double simdepth_theme_line_width(const simdepth_theme *t);

/** The sequential colour map. @since 0.1 */
simdepth_colormap simdepth_theme_sequential(const simdepth_theme *t);

/** Number of categorical colours (1 .. SIMDEPTH_THEME_MAX_CATEGORICAL).
 *  @since 0.1 */
size_t simdepth_theme_categorical_count(const simdepth_theme *t);

/** Categorical colour @p i, cycling when @p i >= the count. @since 0.1 */
simdepth_rgba simdepth_theme_categorical(const simdepth_theme *t, size_t i);

/** Colour of @p v on the theme's diverging map over [-@p max, +@p max],
 *  interpolated in CIE L*a*b* (low - mid - high). @since 0.1 */
simdepth_rgba simdepth_theme_diverging(const simdepth_theme *t, double v,
                                       double max);

#ifdef __cplusplus
}
#endif
#endif
