#include "CQuotaZlib.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Why dlopen("libz.so.1") rather than linking -lz, as for libcurl:
 * - the runtime images have zlib1g (soname libz.so.1, Priority: required in
 *   Debian, so on every image) but a builder may lack zlib1g-dev, whose
 *   libz.so / libz.a and zlib.h linking would need; the static release
 *   build (--static-swift-stdlib) would also have to pick libz.a or .so;
 * - a missing zlib becomes "answer identity" plus one log line instead of a
 *   loader failure before main;
 * - one lookup per function, once; nothing on the scrape path.
 * The declarations below are zlib's documented ABI (zlib.h, unchanged since
 * 1.2.0): the z_stream layout, the constants, and deflateInit2_, which the
 * deflateInit2 macro calls with the library's version and sizeof(z_stream).
 */

typedef struct cqs_z_stream {
    const unsigned char *next_in;
    unsigned int avail_in;
    unsigned long total_in;
    unsigned char *next_out;
    unsigned int avail_out;
    unsigned long total_out;
    const char *msg;
    void *state;
    void *(*zalloc)(void *, unsigned int, unsigned int);
    void (*zfree)(void *, void *);
    void *opaque;
    int data_type;
    unsigned long adler;
    unsigned long reserved;
} cqs_z_stream;

enum {
    CQS_Z_OK = 0,
    CQS_Z_BUF_ERROR = -5,
    CQS_Z_SYNC_FLUSH = 2,
    CQS_Z_DEFLATED = 8,
    CQS_Z_DEFAULT_STRATEGY = 0,
};

static struct {
    const char *(*version)(void);
    int (*deflate_init2)(cqs_z_stream *, int level, int method, int window_bits, int mem_level, int strategy,
                         const char *version, int stream_size);
    int (*deflate)(cqs_z_stream *, int flush);
    int (*deflate_reset)(cqs_z_stream *);
    int (*deflate_end)(cqs_z_stream *);
    unsigned long (*crc32)(unsigned long crc, const unsigned char *buf, unsigned int len);
    unsigned long (*crc32_combine)(unsigned long crc1, unsigned long crc2, long len2);
    /* zlib 1.2.12 and later (optional): the costly part of a combine, which
     * depends only on the second length, made once per compressed part. */
    unsigned long (*crc32_combine_gen)(long len2);
    unsigned long (*crc32_combine_op)(unsigned long crc1, unsigned long crc2, unsigned long op);
} zapi;

static pthread_once_t zlib_once = PTHREAD_ONCE_INIT;
static char zlib_error[256];
static int zlib_loaded = 0;
static pthread_key_t streams_key;

#define ZRESOLVE(field, name)                                                       \
    do {                                                                            \
        *(void **)(&zapi.field) = dlsym(handle, name);                              \
        if (zapi.field == NULL) {                                                   \
            snprintf(zlib_error, sizeof zlib_error, "libz.so.1 has no %s", name);   \
            return;                                                                 \
        }                                                                           \
    } while (0)

/* One deflate state per level per thread, kept between calls: deflateInit2
 * allocates about 256 KiB, which would cost more than compressing the few
 * kilobytes of per-scrape metrics; deflateReset reuses it. */
typedef struct {
    cqs_z_stream *by_level[10];
} thread_streams;

static void free_streams(void *pointer) {
    thread_streams *streams = pointer;
    for (int level = 0; level < 10; level++) {
        if (streams->by_level[level] != NULL) {
            zapi.deflate_end(streams->by_level[level]);
            free(streams->by_level[level]);
        }
    }
    free(streams);
}

static void zlib_load(void) {
    void *handle = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *reason = dlerror();
        snprintf(zlib_error, sizeof zlib_error, "cannot load libz.so.1: %s", reason ? reason : "unknown reason");
        return;
    }
    ZRESOLVE(version, "zlibVersion");
    ZRESOLVE(deflate_init2, "deflateInit2_");
    ZRESOLVE(deflate, "deflate");
    ZRESOLVE(deflate_reset, "deflateReset");
    ZRESOLVE(deflate_end, "deflateEnd");
    ZRESOLVE(crc32, "crc32");
    ZRESOLVE(crc32_combine, "crc32_combine");
    *(void **)(&zapi.crc32_combine_gen) = dlsym(handle, "crc32_combine_gen");
    *(void **)(&zapi.crc32_combine_op) = dlsym(handle, "crc32_combine_op");
    if (zapi.crc32_combine_gen == NULL || zapi.crc32_combine_op == NULL) {
        zapi.crc32_combine_gen = NULL;
        zapi.crc32_combine_op = NULL;
    }
    const char *version = zapi.version();
    if (version == NULL || version[0] != '1') {
        snprintf(zlib_error, sizeof zlib_error, "libz.so.1 is version %s, not 1.x", version ? version : "(none)");
        return;
    }
    if (pthread_key_create(&streams_key, free_streams) != 0) {
        snprintf(zlib_error, sizeof zlib_error, "pthread_key_create failed");
        return;
    }
    zlib_loaded = 1;
}

const char *cqs_zlib_load_error(void) {
    pthread_once(&zlib_once, zlib_load);
    return zlib_loaded ? NULL : zlib_error;
}

static cqs_z_stream *stream_for(int level) {
    thread_streams *streams = pthread_getspecific(streams_key);
    if (streams == NULL) {
        streams = calloc(1, sizeof *streams);
        if (streams == NULL || pthread_setspecific(streams_key, streams) != 0) {
            free(streams);
            return NULL;
        }
    }
    cqs_z_stream *stream = streams->by_level[level];
    if (stream == NULL) {
        stream = calloc(1, sizeof *stream);
        if (stream == NULL) return NULL;
        /* windowBits -15: raw DEFLATE with a 32 KiB window; memLevel 8 is zlib's default. */
        if (zapi.deflate_init2(stream, level, CQS_Z_DEFLATED, -15, 8, CQS_Z_DEFAULT_STRATEGY, zapi.version(),
                               (int)sizeof(cqs_z_stream)) != CQS_Z_OK) {
            free(stream);
            return NULL;
        }
        streams->by_level[level] = stream;
    } else if (zapi.deflate_reset(stream) != CQS_Z_OK) {
        return NULL;
    }
    return stream;
}

long cqs_zlib_deflate_part(int level, const uint8_t *in, size_t len, uint8_t *out, size_t capacity) {
    if (cqs_zlib_load_error() != NULL || level < 0 || level > 9) return -2;
    if (capacity > UINT_MAX || capacity > LONG_MAX) capacity = UINT_MAX;
    cqs_z_stream *stream = stream_for(level);
    if (stream == NULL) return -2;
    stream->next_out = out;
    stream->avail_out = (unsigned int)capacity;
    size_t left = len;
    const uint8_t *next = in;
    do {
        unsigned int step = left > UINT_MAX ? UINT_MAX : (unsigned int)left;
        stream->next_in = next;
        stream->avail_in = step;
        int flush = left == step ? CQS_Z_SYNC_FLUSH : 0;
        int status = zapi.deflate(stream, flush);
        if (status != CQS_Z_OK && status != CQS_Z_BUF_ERROR) return -2;
        /* With no room left zlib may have more to write: the caller retries larger. */
        if (stream->avail_in != 0 || stream->avail_out == 0) return -1;
        next += step;
        left -= step;
    } while (left > 0);
    return (long)(capacity - stream->avail_out);
}

uint32_t cqs_zlib_crc32(uint32_t crc, const uint8_t *buf, size_t len) {
    if (cqs_zlib_load_error() != NULL) return 0;
    unsigned long value = crc;
    while (len > 0) {
        unsigned int step = len > UINT_MAX ? UINT_MAX : (unsigned int)len;
        value = zapi.crc32(value, buf, step);
        buf += step;
        len -= step;
    }
    return (uint32_t)value;
}

uint32_t cqs_zlib_crc32_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b) {
    if (cqs_zlib_load_error() != NULL) return 0;
    return (uint32_t)zapi.crc32_combine(crc_a, crc_b, (long)len_b);
}

uint32_t cqs_zlib_crc32_combine_gen(uint64_t len_b) {
    if (cqs_zlib_load_error() != NULL || zapi.crc32_combine_gen == NULL || len_b > LONG_MAX) return 0;
    return (uint32_t)zapi.crc32_combine_gen((long)len_b);
}

uint32_t cqs_zlib_crc32_combine_op(uint32_t crc_a, uint32_t crc_b, uint32_t op, uint64_t len_b) {
    if (cqs_zlib_load_error() != NULL) return 0;
    if (zapi.crc32_combine_op == NULL || op == 0) return (uint32_t)zapi.crc32_combine(crc_a, crc_b, (long)len_b);
    return (uint32_t)zapi.crc32_combine_op(crc_a, crc_b, op);
}
