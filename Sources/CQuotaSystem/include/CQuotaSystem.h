#ifndef CQUOTASYSTEM_H
#define CQUOTASYSTEM_H

/*
 * The C this package needs and Swift cannot reach by itself.
 *
 * libcurl: its setters are variadic, which Swift cannot call, and a fresh
 * machine has only the runtime (libcurl.so.4), not curl's headers. So the
 * few types, option numbers and prototypes used here are declared below
 * from curl's documented, ABI-stable values, and the library is opened at
 * run time (see CQuotaSystem.c for why dlopen rather than linking).
 *
 * Linux: epoll, eventfd and timerfd come from their own headers, which
 * Swift's Glibc module leaves out; accept4 needs _GNU_SOURCE, which is
 * defined only in the .c file so it does not leak into Swift's view.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#ifdef __linux__
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#endif

/* zlib (gzip responses) has its own header; it is part of this module. */
#include "CQuotaZlib.h"

/* ---- libcurl handles, opaque to this package ---- */
typedef struct cqs_curl_easy cqs_curl_easy;   /* CURL */
typedef struct cqs_curl_multi cqs_curl_multi; /* CURLM */
typedef struct cqs_curl_url cqs_curl_url;     /* CURLU */

/* struct curl_slist: curl documents its two fields. */
typedef struct cqs_curl_slist {
    char *data;
    struct cqs_curl_slist *next;
} cqs_curl_slist;

/* Option numbers are a type base plus an index (curl's CURLOPTTYPE_*). */
enum {
    CQS_OPTTYPE_LONG = 0,
    CQS_OPTTYPE_OBJECTPOINT = 10000,
    CQS_OPTTYPE_FUNCTIONPOINT = 20000,
    CQS_OPTTYPE_OFF_T = 30000,
};

typedef enum cqs_easy_option {
    CQS_CURLOPT_WRITEDATA = 10001,
    CQS_CURLOPT_URL = 10002,
    CQS_CURLOPT_PROXY = 10004,
    CQS_CURLOPT_ERRORBUFFER = 10010,
    CQS_CURLOPT_WRITEFUNCTION = 20011,
    CQS_CURLOPT_USERAGENT = 10018,
    CQS_CURLOPT_HTTPHEADER = 10023,
    CQS_CURLOPT_SSLCERT = 10025,
    CQS_CURLOPT_HEADERDATA = 10029,
    CQS_CURLOPT_CUSTOMREQUEST = 10036,
    CQS_CURLOPT_VERBOSE = 41,
    CQS_CURLOPT_NOPROGRESS = 43,
    CQS_CURLOPT_NOBODY = 44,
    CQS_CURLOPT_POST = 47,
    CQS_CURLOPT_FOLLOWLOCATION = 52,
    CQS_CURLOPT_SSL_VERIFYPEER = 64,
    CQS_CURLOPT_CAINFO = 10065,
    CQS_CURLOPT_CONNECTTIMEOUT = 78,
    CQS_CURLOPT_HEADERFUNCTION = 20079,
    CQS_CURLOPT_HTTPGET = 80,
    CQS_CURLOPT_SSL_VERIFYHOST = 81,
    CQS_CURLOPT_HTTP_VERSION = 84,
    CQS_CURLOPT_SSLKEY = 10087,
    CQS_CURLOPT_NOSIGNAL = 99,
    CQS_CURLOPT_ACCEPT_ENCODING = 10102,
    CQS_CURLOPT_PRIVATE = 10103,
    CQS_CURLOPT_MAXFILESIZE_LARGE = 30117,
    CQS_CURLOPT_POSTFIELDSIZE_LARGE = 30120,
    CQS_CURLOPT_TIMEOUT_MS = 155,
    CQS_CURLOPT_CONNECTTIMEOUT_MS = 156,
    CQS_CURLOPT_COPYPOSTFIELDS = 10165,
    CQS_CURLOPT_NOPROXY = 10177,
    CQS_CURLOPT_TCP_KEEPALIVE = 213,
    CQS_CURLOPT_PIPEWAIT = 237,
    CQS_CURLOPT_CONNECT_TO = 10243,
    CQS_CURLOPT_SUPPRESS_CONNECT_HEADERS = 265,
    CQS_CURLOPT_PROTOCOLS_STR = 10318,
} cqs_easy_option;

typedef enum cqs_multi_option {
    CQS_CURLMOPT_SOCKETFUNCTION = 20001,
    CQS_CURLMOPT_SOCKETDATA = 10002,
    CQS_CURLMOPT_PIPELINING = 3,
    CQS_CURLMOPT_TIMERFUNCTION = 20004,
    CQS_CURLMOPT_TIMERDATA = 10005,
    CQS_CURLMOPT_MAXCONNECTS = 6,
    CQS_CURLMOPT_MAX_HOST_CONNECTIONS = 7,
    CQS_CURLMOPT_MAX_TOTAL_CONNECTIONS = 13,
    CQS_CURLMOPT_MAX_CONCURRENT_STREAMS = 16,
} cqs_multi_option;

/* CURLINFO_*: a type base (LONG 0x200000, STRING 0x100000) plus an index. */
typedef enum cqs_info {
    CQS_CURLINFO_EFFECTIVE_URL = 0x100000 + 1,
    CQS_CURLINFO_RESPONSE_CODE = 0x200000 + 2,
    CQS_CURLINFO_SSL_VERIFYRESULT = 0x200000 + 13,
    CQS_CURLINFO_HTTP_CONNECTCODE = 0x200000 + 22,
    CQS_CURLINFO_OS_ERRNO = 0x200000 + 25,
    CQS_CURLINFO_NUM_CONNECTS = 0x200000 + 26,
    CQS_CURLINFO_PRIMARY_IP = 0x100000 + 32,
    CQS_CURLINFO_LOCAL_PORT = 0x200000 + 42,
    CQS_CURLINFO_HTTP_VERSION = 0x200000 + 46,
} cqs_info;

/* CURLUPart */
typedef enum cqs_url_part {
    CQS_CURLUPART_URL = 0,
    CQS_CURLUPART_SCHEME = 1,
    CQS_CURLUPART_USER = 2,
    CQS_CURLUPART_PASSWORD = 3,
    CQS_CURLUPART_HOST = 5,
    CQS_CURLUPART_PORT = 6,
} cqs_url_part;

enum {
    CQS_CURLU_DEFAULT_PORT = 1,
    CQS_CURL_ERROR_SIZE = 256,
    CQS_CURLPIPE_MULTIPLEX = 2,
    CQS_CURL_HTTP_VERSION_1_1 = 2,
    CQS_CURL_HTTP_VERSION_2TLS = 4,
    /* curl_socket_t value meaning "no socket: the timer expired". */
    CQS_CURL_SOCKET_TIMEOUT = -1,
    /* What the socket callback asks to watch (CURL_POLL_*). */
    CQS_CURL_POLL_IN = 1,
    CQS_CURL_POLL_OUT = 2,
    CQS_CURL_POLL_INOUT = 3,
    CQS_CURL_POLL_REMOVE = 4,
    /* What curl_multi_socket_action is told happened (CURL_CSELECT_*). */
    CQS_CURL_CSELECT_IN = 1,
    CQS_CURL_CSELECT_OUT = 2,
    CQS_CURL_CSELECT_ERR = 4,
};

/* CURLcode values this package tells apart. */
enum {
    CQS_CURLE_OK = 0,
    CQS_CURLE_UNSUPPORTED_PROTOCOL = 1,
    CQS_CURLE_URL_MALFORMAT = 3,
    CQS_CURLE_COULDNT_RESOLVE_PROXY = 5,
    CQS_CURLE_COULDNT_RESOLVE_HOST = 6,
    CQS_CURLE_COULDNT_CONNECT = 7,
    CQS_CURLE_WEIRD_SERVER_REPLY = 8,
    CQS_CURLE_HTTP2 = 16,
    CQS_CURLE_PARTIAL_FILE = 18,
    CQS_CURLE_WRITE_ERROR = 23,
    CQS_CURLE_OPERATION_TIMEDOUT = 28,
    CQS_CURLE_SSL_CONNECT_ERROR = 35,
    CQS_CURLE_GOT_NOTHING = 52,
    CQS_CURLE_SEND_ERROR = 55,
    CQS_CURLE_RECV_ERROR = 56,
    CQS_CURLE_SSL_CERTPROBLEM = 58,
    CQS_CURLE_SSL_CIPHER = 59,
    CQS_CURLE_PEER_FAILED_VERIFICATION = 60,
    CQS_CURLE_FILESIZE_EXCEEDED = 63,
    CQS_CURLE_SSL_CACERT_BADFILE = 77,
    CQS_CURLE_SSL_ISSUER_ERROR = 83,
    CQS_CURLE_HTTP2_STREAM = 92,
    CQS_CURLE_PROXY = 97,
    CQS_CURLE_SSL_CLIENTCERT = 98,
};

/* Callback prototypes, as curl calls them. */
typedef int (*cqs_socket_callback)(cqs_curl_easy *easy, int socket, int what, void *userp, void *socketp);
typedef int (*cqs_timer_callback)(cqs_curl_multi *multi, long timeout_ms, void *userp);
typedef size_t (*cqs_data_callback)(char *data, size_t size, size_t count, void *userdata);

/* Opens libcurl.so.4 and runs curl_global_init once per process. Returns 0,
 * or -1 with a reason written to `error`. Every other cqs_curl_* call
 * requires a successful load first. Thread-safe. */
int cqs_curl_load(char *error, size_t error_size);
const char *cqs_curl_version(void);
const char *cqs_curl_easy_strerror(int code);
const char *cqs_curl_multi_strerror(int code);

cqs_curl_easy *cqs_curl_easy_init(void);
void cqs_curl_easy_cleanup(cqs_curl_easy *easy);
int cqs_curl_easy_setopt_long(cqs_curl_easy *easy, cqs_easy_option option, long value);
int cqs_curl_easy_setopt_pointer(cqs_curl_easy *easy, cqs_easy_option option, const void *value);
int cqs_curl_easy_setopt_data_callback(cqs_curl_easy *easy, cqs_easy_option option, cqs_data_callback value);
int cqs_curl_easy_setopt_off_t(cqs_curl_easy *easy, cqs_easy_option option, int64_t value);
int cqs_curl_easy_getinfo_long(cqs_curl_easy *easy, cqs_info info, long *value);
int cqs_curl_easy_getinfo_string(cqs_curl_easy *easy, cqs_info info, const char **value);

cqs_curl_multi *cqs_curl_multi_init(void);
int cqs_curl_multi_cleanup(cqs_curl_multi *multi);
int cqs_curl_multi_setopt_long(cqs_curl_multi *multi, cqs_multi_option option, long value);
int cqs_curl_multi_setopt_pointer(cqs_curl_multi *multi, cqs_multi_option option, void *value);
int cqs_curl_multi_setopt_socket_callback(cqs_curl_multi *multi, cqs_socket_callback value);
int cqs_curl_multi_setopt_timer_callback(cqs_curl_multi *multi, cqs_timer_callback value);
int cqs_curl_multi_add_handle(cqs_curl_multi *multi, cqs_curl_easy *easy);
int cqs_curl_multi_remove_handle(cqs_curl_multi *multi, cqs_curl_easy *easy);
int cqs_curl_multi_socket_action(cqs_curl_multi *multi, int socket, int events, int *running);

/* curl_multi_info_read, flattened: CURLMsg's union does not import well.
 * Returns 1 and fills `easy` and `result` for the next finished transfer,
 * 0 when there is none left. */
int cqs_curl_multi_next_done(cqs_curl_multi *multi, cqs_curl_easy **easy, int *result);

cqs_curl_slist *cqs_curl_slist_append(cqs_curl_slist *list, const char *line);
void cqs_curl_slist_free_all(cqs_curl_slist *list);

cqs_curl_url *cqs_curl_url_new(void);
void cqs_curl_url_cleanup(cqs_curl_url *url);
int cqs_curl_url_set(cqs_curl_url *url, cqs_url_part part, const char *content, unsigned int flags);
/* The part as a string the caller frees with cqs_curl_free. */
int cqs_curl_url_get(cqs_curl_url *url, cqs_url_part part, char **content, unsigned int flags);
void cqs_curl_free(void *pointer);

#ifdef __linux__
/* accept4(2), which glibc declares only under _GNU_SOURCE. */
int cqs_accept4(int socket, struct sockaddr *address, socklen_t *length, int flags);
/* pthread_setname_np(pthread_self(), name), also _GNU_SOURCE only; names
 * longer than 15 bytes are cut. Shown in top -H and /proc/PID/task. */
void cqs_name_current_thread(const char *name);
/* CPUs this thread may run on (sched_getaffinity, so taskset and cpusets
 * count; a CFS quota does not); 1 if the call fails. CPU_COUNT is a macro
 * Swift cannot call. */
int cqs_available_cpus(void);
#endif

/* libcrypt (bcrypt for basic auth): its own header and .c file. */
#include "CQuotaCrypt.h"
/* OpenSSL for the listener, in a header of its own. */
#include "CQuotaTLS.h"

#endif
