/* simdepth — error model implementation. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "simdepth/error.h"
#include "internal.h"

void simdepth_error_clear(simdepth_error *err)
{
    if (err == NULL)
        return;
    memset(err, 0, sizeof *err);
    err->offset = -1;
}

const char *simdepth_status_string(simdepth_status status)
{
    switch (status) {
    case SIMDEPTH_OK: return "success";
    case SIMDEPTH_ENOMEM: return "out of memory";
    case SIMDEPTH_EINVAL: return "invalid argument";
    case SIMDEPTH_EIO: return "input/output error";
    case SIMDEPTH_EFORMAT: return "malformed input";
    case SIMDEPTH_EUNSUPPORTED: return "unsupported input";
    case SIMDEPTH_ENOTFOUND: return "not found";
    case SIMDEPTH_ERENDER: return "rendering failed";
    }
    return "unknown status";
}

simdepth_status simdepth_i_error_set(simdepth_error *err, simdepth_status status,
                                     const char *file, long line, long column,
                                     long long offset, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return status;
    simdepth_error_clear(err);
    err->status = status;
    if (file != NULL)
        snprintf(err->file, sizeof err->file, "%s", file);
    err->line = line;
    err->column = column;
    err->offset = offset;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

int simdepth_error_format(const simdepth_error *err, char *buf, size_t size)
{
    char where[600] = "";
    const char *msg;

    if (err == NULL)
        return snprintf(buf, size, "%s", "no error");
    msg = err->message[0] ? err->message : simdepth_status_string(err->status);
    if (err->file[0] != '\0') {
        if (err->line > 0 && err->column > 0)
            snprintf(where, sizeof where, "%s:%ld:%ld: ", err->file, err->line,
                     err->column);
        else if (err->line > 0)
            snprintf(where, sizeof where, "%s:%ld: ", err->file, err->line);
        else if (err->offset >= 0)
            snprintf(where, sizeof where, "%s: byte %lld: ", err->file,
                     err->offset);
        else
            snprintf(where, sizeof where, "%s: ", err->file);
    }
    return snprintf(buf, size, "%s%s", where, msg);
}
