/* simdepth — checked allocation, and the failing-allocator test hook. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "internal.h"

/* Large blocks (n x n matrices, file buffers, message matrices) are
 * aligned to 2 MiB and marked for transparent huge pages, as NumPy marks
 * its large arrays. Linux otherwise fills fresh memory one 4 KiB page
 * fault at a time: at ImageNet-21k scale a 1.9 GB matrix is half a million
 * faults, and under a hypervisor each is a trap. Measured on the 2-core
 * virtual machine of bench/README.md, first touch of fresh memory runs at
 * 205 MB/s in 4 KiB pages, 268 MB/s with the advice on an unaligned block
 * (its ends and any misaligned 2 MiB span stay small pages) and 827 MB/s
 * aligned. The advice may be ignored (THP "never"); the block is an
 * ordinary one for free() and realloc(). From 4 MiB every block is so
 * treated; from 2 MiB those that fill their last huge page to seven
 * eighths at least (a 1,000 x 1,000 float32 matrix, 3.8 MiB), so that no
 * more than an eighth is resident for nothing. */
#define HUGE_FROM ((size_t)1 << 22) /* 4 MiB */
#define HUGE_ALIGN ((size_t)1 << 21) /* 2 MiB */

/* Whether a block of @bytes gets huge pages. */
static int huge_block(size_t bytes)
{
    size_t padded = (bytes + HUGE_ALIGN - 1) & ~(HUGE_ALIGN - 1);

    return bytes >= HUGE_FROM || (bytes >= HUGE_ALIGN && padded - bytes <= bytes / 8);
}

static void *malloc_large(size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    void *p = NULL;

    if (!huge_block(bytes))
        return malloc(bytes);
    if (posix_memalign(&p, HUGE_ALIGN, bytes) != 0)
        return NULL;
    (void)madvise(p, (bytes + HUGE_ALIGN - 1) & ~(HUGE_ALIGN - 1), MADV_HUGEPAGE);
    return p;
#else
    return malloc(bytes);
#endif
}
#ifdef SIMDEPTH_FAULT_INJECTION
/* Test facility, compiled in only with ./configure --enable-fault-injection
 * (never in a release build): the n-th allocation made through the
 * simdepth_i_* wrappers after arming fails, so tests can walk every
 * failure point of a path (tests/test_alloc.c). Armed either by
 * simdepth_fault_alloc_arm() (in-process tests; exported only from such
 * builds) or, for whole-program tests of the CLI, by the environment
 * variable SIMDEPTH_FAULT_ALLOC=N, read at the first allocation.
 * Allocations made by third-party libraries (jansson, igraph, libzip,
 * OpenBLAS, Graphviz, cairo) and by the C library (stdio buffers) do not
 * go through here and are not failed. The counters are atomic so that
 * multi-threaded callers stay well-defined; the n-th allocation is then
 * whichever thread gets there first. */
static unsigned long fault_at;    /* 1-based index of the failing allocation; 0: off */
static unsigned long fault_count; /* allocations seen since arming */
static int fault_env_done;

void simdepth_fault_alloc_arm(unsigned long n)
{
    __atomic_store_n(&fault_env_done, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&fault_count, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&fault_at, n, __ATOMIC_SEQ_CST);
}

unsigned long simdepth_fault_alloc_count(void)
{
    return __atomic_load_n(&fault_count, __ATOMIC_SEQ_CST);
}

static int fault_now(void)
{
    unsigned long at;

    if (!__atomic_load_n(&fault_env_done, __ATOMIC_SEQ_CST)) {
        const char *s = getenv("SIMDEPTH_FAULT_ALLOC");
        if (s != NULL && *s != '\0')
            __atomic_store_n(&fault_at, strtoul(s, NULL, 10), __ATOMIC_SEQ_CST);
        __atomic_store_n(&fault_env_done, 1, __ATOMIC_SEQ_CST);
    }
    at = __atomic_load_n(&fault_at, __ATOMIC_SEQ_CST);
    if (at == 0)
        return 0;
    return __atomic_add_fetch(&fault_count, 1, __ATOMIC_SEQ_CST) == at;
}
#define FAULT_NOW() fault_now()
#else
#define FAULT_NOW() 0
#endif

void *simdepth_i_malloc(size_t size)
{
    if (FAULT_NOW())
        return NULL;
    return malloc_large(size == 0 ? 1 : size);
}

void *simdepth_i_calloc(size_t n, size_t size)
{
    if (simdepth_i_mul_overflows(n, size))
        return NULL;
    if (FAULT_NOW())
        return NULL;
    if (huge_block(n * size)) {
        void *p = malloc_large(n * size);

        if (p != NULL)
            memset(p, 0, n * size);
        return p;
    }
    return calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);
}

void *simdepth_i_malloc_array(size_t n, size_t size)
{
    if (simdepth_i_mul_overflows(n, size))
        return NULL;
    return simdepth_i_malloc(n * size);
}

void *simdepth_i_realloc_array(void *p, size_t n, size_t size)
{
    if (simdepth_i_mul_overflows(n, size))
        return NULL;
    if (FAULT_NOW())
        return NULL;
    return realloc(p, n * size == 0 ? 1 : n * size);
}

char *simdepth_i_strdup(const char *s)
{
    size_t len = strlen(s) + 1;
    char *d = simdepth_i_malloc(len);

    if (d != NULL)
        memcpy(d, s, len);
    return d;
}

simdepth_status simdepth_i_enomem(simdepth_error *err, const char *what)
{
    return simdepth_i_error_set(err, SIMDEPTH_ENOMEM, NULL, 0, 0, -1,
                                "out of memory while allocating %s", what);
}
