#define _GNU_SOURCE
#include "CQuotaSystem.h"

#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/*
 * Why dlopen("libcurl.so.4") and not a link-time dependency:
 * - a fresh machine has the runtime (soname libcurl.so.4) but no
 *   `libcurl.so` dev symlink, so `-lcurl` cannot link; `-l:libcurl.so.4`
 *   would, but needs unsafeFlags (refused if this package is ever a
 *   dependency) and ties the test and release link lines to one linker's
 *   `-l:` syntax;
 * - a missing or broken libcurl becomes an error value the exporter can
 *   log ("outbound HTTP unavailable: ...") instead of a loader failure
 *   before main, and it costs one lookup per function, once.
 * libcurl.so.4 is the library the runtime image already installs, so this
 * adds no new dependency to the image.
 */

/* CURLMsg as curl documents it: the message kind, the easy handle, and a
 * union whose CURLcode member is set for CURLMSG_DONE (1). */
struct cqs_curl_message {
    int msg;
    cqs_curl_easy *easy_handle;
    union {
        void *whatever;
        int result;
    } data;
};
enum { CQS_CURLMSG_DONE = 1 };
enum { CQS_CURL_GLOBAL_ALL = 3 };

static struct {
    int (*global_init)(long flags);
    const char *(*version)(void);
    const char *(*easy_strerror)(int code);
    const char *(*multi_strerror)(int code);
    cqs_curl_easy *(*easy_init)(void);
    void (*easy_cleanup)(cqs_curl_easy *);
    int (*easy_setopt)(cqs_curl_easy *, int option, ...);
    int (*easy_getinfo)(cqs_curl_easy *, int info, ...);
    cqs_curl_multi *(*multi_init)(void);
    int (*multi_cleanup)(cqs_curl_multi *);
    int (*multi_setopt)(cqs_curl_multi *, int option, ...);
    int (*multi_add_handle)(cqs_curl_multi *, cqs_curl_easy *);
    int (*multi_remove_handle)(cqs_curl_multi *, cqs_curl_easy *);
    int (*multi_socket_action)(cqs_curl_multi *, int socket, int events, int *running);
    struct cqs_curl_message *(*multi_info_read)(cqs_curl_multi *, int *queued);
    cqs_curl_slist *(*slist_append)(cqs_curl_slist *, const char *);
    void (*slist_free_all)(cqs_curl_slist *);
    cqs_curl_url *(*url)(void);
    void (*url_cleanup)(cqs_curl_url *);
    int (*url_set)(cqs_curl_url *, int part, const char *content, unsigned int flags);
    int (*url_get)(cqs_curl_url *, int part, char **content, unsigned int flags);
    void (*free)(void *);
} api;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[512];
static int load_status = -1;

#define RESOLVE(field, name)                                                       \
    do {                                                                           \
        *(void **)(&api.field) = dlsym(handle, name);                              \
        if (api.field == NULL) {                                                   \
            snprintf(load_error, sizeof load_error, "libcurl.so.4 has no %s", name); \
            return;                                                                \
        }                                                                          \
    } while (0)

static void load(void) {
    void *handle = dlopen("libcurl.so.4", RTLD_NOW | RTLD_GLOBAL);
    if (handle == NULL) {
        const char *reason = dlerror();
        snprintf(load_error, sizeof load_error, "cannot load libcurl.so.4: %s", reason ? reason : "unknown reason");
        return;
    }
    RESOLVE(global_init, "curl_global_init");
    RESOLVE(version, "curl_version");
    RESOLVE(easy_strerror, "curl_easy_strerror");
    RESOLVE(multi_strerror, "curl_multi_strerror");
    RESOLVE(easy_init, "curl_easy_init");
    RESOLVE(easy_cleanup, "curl_easy_cleanup");
    RESOLVE(easy_setopt, "curl_easy_setopt");
    RESOLVE(easy_getinfo, "curl_easy_getinfo");
    RESOLVE(multi_init, "curl_multi_init");
    RESOLVE(multi_cleanup, "curl_multi_cleanup");
    RESOLVE(multi_setopt, "curl_multi_setopt");
    RESOLVE(multi_add_handle, "curl_multi_add_handle");
    RESOLVE(multi_remove_handle, "curl_multi_remove_handle");
    RESOLVE(multi_socket_action, "curl_multi_socket_action");
    RESOLVE(multi_info_read, "curl_multi_info_read");
    RESOLVE(slist_append, "curl_slist_append");
    RESOLVE(slist_free_all, "curl_slist_free_all");
    RESOLVE(url, "curl_url");
    RESOLVE(url_cleanup, "curl_url_cleanup");
    RESOLVE(url_set, "curl_url_set");
    RESOLVE(url_get, "curl_url_get");
    RESOLVE(free, "curl_free");
    int code = api.global_init(CQS_CURL_GLOBAL_ALL);
    if (code != 0) {
        snprintf(load_error, sizeof load_error, "curl_global_init failed: %s", api.easy_strerror(code));
        return;
    }
    load_status = 0;
}

int cqs_curl_load(char *error, size_t error_size) {
    pthread_once(&load_once, load);
    if (load_status != 0 && error != NULL && error_size > 0) {
        snprintf(error, error_size, "%s", load_error);
    }
    return load_status;
}

const char *cqs_curl_version(void) { return api.version(); }
const char *cqs_curl_easy_strerror(int code) { return api.easy_strerror(code); }
const char *cqs_curl_multi_strerror(int code) { return api.multi_strerror(code); }

cqs_curl_easy *cqs_curl_easy_init(void) { return api.easy_init(); }
void cqs_curl_easy_cleanup(cqs_curl_easy *easy) { api.easy_cleanup(easy); }

int cqs_curl_easy_setopt_long(cqs_curl_easy *easy, cqs_easy_option option, long value) {
    return api.easy_setopt(easy, (int)option, value);
}
int cqs_curl_easy_setopt_pointer(cqs_curl_easy *easy, cqs_easy_option option, const void *value) {
    return api.easy_setopt(easy, (int)option, value);
}
int cqs_curl_easy_setopt_data_callback(cqs_curl_easy *easy, cqs_easy_option option, cqs_data_callback value) {
    return api.easy_setopt(easy, (int)option, value);
}
int cqs_curl_easy_setopt_off_t(cqs_curl_easy *easy, cqs_easy_option option, int64_t value) {
    return api.easy_setopt(easy, (int)option, value);
}
int cqs_curl_easy_getinfo_long(cqs_curl_easy *easy, cqs_info info, long *value) {
    return api.easy_getinfo(easy, (int)info, value);
}
int cqs_curl_easy_getinfo_string(cqs_curl_easy *easy, cqs_info info, const char **value) {
    return api.easy_getinfo(easy, (int)info, value);
}

cqs_curl_multi *cqs_curl_multi_init(void) { return api.multi_init(); }
int cqs_curl_multi_cleanup(cqs_curl_multi *multi) { return api.multi_cleanup(multi); }
int cqs_curl_multi_setopt_long(cqs_curl_multi *multi, cqs_multi_option option, long value) {
    return api.multi_setopt(multi, (int)option, value);
}
int cqs_curl_multi_setopt_pointer(cqs_curl_multi *multi, cqs_multi_option option, void *value) {
    return api.multi_setopt(multi, (int)option, value);
}
int cqs_curl_multi_setopt_socket_callback(cqs_curl_multi *multi, cqs_socket_callback value) {
    return api.multi_setopt(multi, (int)CQS_CURLMOPT_SOCKETFUNCTION, value);
}
int cqs_curl_multi_setopt_timer_callback(cqs_curl_multi *multi, cqs_timer_callback value) {
    return api.multi_setopt(multi, (int)CQS_CURLMOPT_TIMERFUNCTION, value);
}
int cqs_curl_multi_add_handle(cqs_curl_multi *multi, cqs_curl_easy *easy) { return api.multi_add_handle(multi, easy); }
int cqs_curl_multi_remove_handle(cqs_curl_multi *multi, cqs_curl_easy *easy) { return api.multi_remove_handle(multi, easy); }
int cqs_curl_multi_socket_action(cqs_curl_multi *multi, int socket, int events, int *running) {
    return api.multi_socket_action(multi, socket, events, running);
}

int cqs_curl_multi_next_done(cqs_curl_multi *multi, cqs_curl_easy **easy, int *result) {
    int queued = 0;
    struct cqs_curl_message *message;
    while ((message = api.multi_info_read(multi, &queued)) != NULL) {
        if (message->msg == CQS_CURLMSG_DONE) {
            *easy = message->easy_handle;
            *result = message->data.result;
            return 1;
        }
    }
    return 0;
}

cqs_curl_slist *cqs_curl_slist_append(cqs_curl_slist *list, const char *line) { return api.slist_append(list, line); }
void cqs_curl_slist_free_all(cqs_curl_slist *list) { api.slist_free_all(list); }

cqs_curl_url *cqs_curl_url_new(void) { return api.url(); }
void cqs_curl_url_cleanup(cqs_curl_url *url) { api.url_cleanup(url); }
int cqs_curl_url_set(cqs_curl_url *url, cqs_url_part part, const char *content, unsigned int flags) {
    return api.url_set(url, (int)part, content, flags);
}
int cqs_curl_url_get(cqs_curl_url *url, cqs_url_part part, char **content, unsigned int flags) {
    return api.url_get(url, (int)part, content, flags);
}
void cqs_curl_free(void *pointer) { api.free(pointer); }

#ifdef __linux__
int cqs_accept4(int socket, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(socket, address, length, flags);
}

void cqs_name_current_thread(const char *name) {
    char cut[16];
    snprintf(cut, sizeof cut, "%s", name);
    pthread_setname_np(pthread_self(), cut);
}

int cqs_available_cpus(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    int count = CPU_COUNT(&set);
    return count > 0 ? count : 1;
}
#endif
