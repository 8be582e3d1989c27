/* simdepth — version. */
#include "config.h"

#include "simdepth/simdepth.h"

const char *simdepth_version(void)
{
    return PACKAGE_VERSION;
}
