/* libFuzzer target: simdepth_theme_parse(), then every accessor. */
#include "fuzz_common.h"
#include "simdepth/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    simdepth_error err;
    simdepth_theme *t = NULL;
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    if (simdepth_theme_parse(buf, size, "fuzz-input", &t, &err) == SIMDEPTH_OK) {
        (void)simdepth_theme_name(t);
        for (int c = SIMDEPTH_THEME_BACKGROUND; c < SIMDEPTH_THEME_N_COLORS; c++)
            (void)simdepth_theme_color_get(t, (simdepth_theme_color)c);
        const char *font = simdepth_theme_font(t);
        if (font)
            (void)strlen(font);
        (void)simdepth_colormap_name(simdepth_theme_sequential(t));
        size_t n = simdepth_theme_categorical_count(t);
        for (size_t i = 0; i < n; i++)
            (void)simdepth_theme_categorical(t, i);
        (void)simdepth_theme_diverging(t, -1.0, 2.0);
        (void)simdepth_theme_diverging(t, 0.5, 0.0);
        simdepth_theme_free(t);
    }
    free(buf);
    return 0;
}
