#define _GNU_SOURCE
#include "CQuotaCrypt.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/*
 * Why dlopen("libcrypt.so.1") rather than -lcrypt, as for libcurl:
 * - linking needs the `libcrypt.so` dev symlink (libcrypt-dev); the
 *   runtime library libcrypt.so.1 is on every Debian and Ubuntu image
 *   (libc6 depends on it), so opening it needs nothing at build time and
 *   nothing new in the image;
 * - the binary starts and serves without it; only a web config with
 *   basic_auth_users needs it, and then its absence is an error naming
 *   the library instead of a loader failure before main.
 *
 * libxcrypt (Debian's libcrypt.so.1) knows $2b$/$2y$/$2a$ bcrypt. Its
 * crypt_rn takes the size of the scratch area; the older glibc libcrypt
 * has only crypt_r, whose struct crypt_data was about 128 KiB, so the
 * scratch area below is large enough for either.
 */

enum { CQS_CRYPT_SCRATCH = 256 * 1024 };

static struct {
    char *(*crypt_rn)(const char *phrase, const char *setting, void *data, int size);
    char *(*crypt_r)(const char *phrase, const char *setting, void *data);
    char error[256];
    int loaded;
} cqs_crypt;

static pthread_once_t cqs_crypt_once = PTHREAD_ONCE_INIT;

static void cqs_crypt_load(void) {
    void *library = dlopen("libcrypt.so.1", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *reason = dlerror();
        strncpy(cqs_crypt.error, reason ? reason : "dlopen(libcrypt.so.1) failed", sizeof cqs_crypt.error - 1);
        return;
    }
    *(void **)&cqs_crypt.crypt_rn = dlsym(library, "crypt_rn");
    *(void **)&cqs_crypt.crypt_r = dlsym(library, "crypt_r");
    if (cqs_crypt.crypt_rn == NULL && cqs_crypt.crypt_r == NULL) {
        strncpy(cqs_crypt.error, "libcrypt.so.1 has neither crypt_rn nor crypt_r", sizeof cqs_crypt.error - 1);
        return;
    }
    cqs_crypt.loaded = 1;
}

const char *cqs_crypt_load_error(void) {
    pthread_once(&cqs_crypt_once, cqs_crypt_load);
    return cqs_crypt.loaded ? NULL : cqs_crypt.error;
}

int cqs_crypt_hash(const char *phrase, const char *setting, char *output, size_t output_size) {
    pthread_once(&cqs_crypt_once, cqs_crypt_load);
    if (!cqs_crypt.loaded) return -3;
    void *scratch = calloc(1, CQS_CRYPT_SCRATCH);
    if (scratch == NULL) return -1;
    const char *result = cqs_crypt.crypt_rn != NULL
        ? cqs_crypt.crypt_rn(phrase, setting, scratch, CQS_CRYPT_SCRATCH)
        : cqs_crypt.crypt_r(phrase, setting, scratch);
    int status;
    /* libxcrypt's failure tokens start with '*'; crypt_rn returns NULL. */
    if (result == NULL || result[0] == '*') {
        status = -1;
    } else {
        size_t length = strlen(result);
        if (length + 1 > output_size) {
            status = -2;
        } else {
            memcpy(output, result, length + 1);
            status = (int)length;
        }
    }
    /* The scratch area held the phrase's key schedule. */
    explicit_bzero(scratch, CQS_CRYPT_SCRATCH);
    free(scratch);
    return status;
}
