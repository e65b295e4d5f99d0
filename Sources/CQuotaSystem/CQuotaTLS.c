#define _GNU_SOURCE
#include "CQuotaTLS.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/*
 * Why dlopen("libssl.so.3") rather than linking -lssl, as for libcurl:
 * - the build needs no OpenSSL headers or `libssl.so` dev symlink: the
 *   Swift builder image (swift:6.3-bookworm) has libssl3 but not
 *   libssl-dev, and the Dockerfile's builder stays without -dev packages;
 * - the binary's DT_NEEDED list stays what scripts/check_static_binary.sh
 *   allows, and a missing libssl is an error naming the library when TLS
 *   is configured ("cannot load libssl.so.3: ..."), not a loader failure
 *   before main for users who never turn TLS on;
 * - libssl3 is already in every runtime image: libcurl4 depends on it, so
 *   this adds nothing to the image.
 * The cost is declaring the ~45 functions used here by hand. Their
 * prototypes and the constants are OpenSSL 3's stable ABI (the soname
 * promises it); where OpenSSL's headers are installed, the checks at the
 * end of this file compare every constant with them at compile time.
 */

/* The opaque OpenSSL types used here, under names of our own. */
typedef struct cqs_ssl_method cqs_ssl_method; /* SSL_METHOD */
typedef struct cqs_bio cqs_bio;               /* BIO */
typedef struct cqs_x509 cqs_x509;             /* X509 */
typedef struct cqs_x509_store cqs_x509_store; /* X509_STORE */
typedef struct cqs_x509_store_ctx cqs_x509_store_ctx;
typedef struct cqs_evp_pkey cqs_evp_pkey; /* EVP_PKEY */
typedef struct cqs_stack cqs_stack;       /* OPENSSL_STACK */
typedef struct cqs_asn1_string cqs_asn1_string;

/* GENERAL_NAME as x509v3.h documents it: a kind and a union of pointers,
 * each of which (for the kinds read here) is an ASN1_STRING. */
struct cqs_general_name {
    int type;
    union {
        void *pointer;
        cqs_asn1_string *string;
    } d;
};

typedef int (*cqs_verify_callback)(int ok, cqs_x509_store_ctx *store);
typedef int (*cqs_password_callback)(char *buffer, int size, int rwflag, void *userdata);
typedef int (*cqs_alpn_callback)(cqs_tls_session *ssl, const unsigned char **out, unsigned char *outlen,
                                 const unsigned char *in, unsigned int inlen, void *arg);

enum {
    K_SSL_CTRL_MODE = 33,
    K_SSL_CTRL_SET_TLSEXT_HOSTNAME = 55,
    K_SSL_CTRL_CHAIN_CERT = 89,
    K_SSL_CTRL_SET_GROUPS_LIST = 92,
    K_SSL_CTRL_SET_MIN_PROTO_VERSION = 123,
    K_SSL_CTRL_SET_MAX_PROTO_VERSION = 124,
    K_SSL_MODE_ENABLE_PARTIAL_WRITE = 0x1,
    K_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER = 0x2,
    K_SSL_MODE_RELEASE_BUFFERS = 0x10,
    K_SSL_VERIFY_NONE = 0,
    K_SSL_VERIFY_PEER = 1,
    K_SSL_VERIFY_FAIL_IF_NO_PEER_CERT = 2,
    K_SSL_ERROR_NONE = 0,
    K_SSL_ERROR_SSL = 1,
    K_SSL_ERROR_WANT_READ = 2,
    K_SSL_ERROR_WANT_WRITE = 3,
    K_SSL_ERROR_SYSCALL = 5,
    K_SSL_ERROR_ZERO_RETURN = 6,
    K_SSL_TLSEXT_ERR_OK = 0,
    K_SSL_TLSEXT_ERR_NOACK = 3,
    K_ERR_LIB_SSL = 20,
    K_SSL_R_HTTPS_PROXY_REQUEST = 155,
    K_SSL_R_HTTP_REQUEST = 156,
    K_NID_SUBJECT_ALT_NAME = 85,
    K_TLSEXT_NAMETYPE_HOST_NAME = 0,
};
#define K_SSL_OP_IGNORE_UNEXPECTED_EOF ((uint64_t)1 << 7)
#define K_SSL_OP_NO_COMPRESSION ((uint64_t)1 << 17)
#define K_SSL_OP_CIPHER_SERVER_PREFERENCE ((uint64_t)1 << 22)
#define K_SSL_OP_NO_RENEGOTIATION ((uint64_t)1 << 30)
/* ERR_GET_LIB / ERR_GET_REASON are inline functions over these masks. */
#define K_ERR_SYSTEM_FLAG 0x80000000UL
#define K_ERR_LIB_OFFSET 23
#define K_ERR_LIB_MASK 0xFF
#define K_ERR_REASON_MASK 0x7FFFFF

static struct {
    const char *(*version)(int type);
    const cqs_ssl_method *(*server_method)(void);
    const cqs_ssl_method *(*client_method)(void);
    cqs_tls_context *(*ctx_new)(const cqs_ssl_method *);
    void (*ctx_free)(cqs_tls_context *);
    long (*ctx_ctrl)(cqs_tls_context *, int cmd, long larg, void *parg);
    uint64_t (*ctx_set_options)(cqs_tls_context *, uint64_t);
    uint64_t (*ctx_clear_options)(cqs_tls_context *, uint64_t);
    void (*ctx_set_security_level)(cqs_tls_context *, int);
    int (*ctx_use_certificate)(cqs_tls_context *, cqs_x509 *);
    int (*ctx_use_private_key)(cqs_tls_context *, cqs_evp_pkey *);
    int (*ctx_check_private_key)(const cqs_tls_context *);
    cqs_x509_store *(*ctx_get_cert_store)(const cqs_tls_context *);
    int (*ctx_add_client_ca)(cqs_tls_context *, cqs_x509 *);
    void (*ctx_set_verify)(cqs_tls_context *, int mode, cqs_verify_callback);
    int (*ctx_set_cipher_list)(cqs_tls_context *, const char *);
    int (*ctx_set_session_id_context)(cqs_tls_context *, const unsigned char *, unsigned int);
    void (*ctx_set_alpn_select_cb)(cqs_tls_context *, cqs_alpn_callback, void *);
    cqs_tls_session *(*ssl_new)(cqs_tls_context *);
    void (*ssl_free)(cqs_tls_session *);
    int (*ssl_set_fd)(cqs_tls_session *, int);
    void (*ssl_set_accept_state)(cqs_tls_session *);
    void (*ssl_set_connect_state)(cqs_tls_session *);
    long (*ssl_ctrl)(cqs_tls_session *, int cmd, long larg, void *parg);
    int (*ssl_do_handshake)(cqs_tls_session *);
    int (*ssl_read)(cqs_tls_session *, void *, int);
    int (*ssl_write)(cqs_tls_session *, const void *, int);
    int (*ssl_pending)(const cqs_tls_session *);
    int (*ssl_shutdown)(cqs_tls_session *);
    int (*ssl_get_error)(const cqs_tls_session *, int ret);
    const char *(*ssl_get_version)(const cqs_tls_session *);
    const void *(*ssl_get_current_cipher)(const cqs_tls_session *);
    const char *(*cipher_get_name)(const void *);
    cqs_x509 *(*ssl_get1_peer_certificate)(const cqs_tls_session *);
    long (*ssl_get_verify_result)(const cqs_tls_session *);
    cqs_bio *(*bio_new_mem_buf)(const void *, int);
    int (*bio_free)(cqs_bio *);
    cqs_x509 *(*pem_read_bio_x509)(cqs_bio *, cqs_x509 **, cqs_password_callback, void *);
    cqs_evp_pkey *(*pem_read_bio_private_key)(cqs_bio *, cqs_evp_pkey **, cqs_password_callback, void *);
    void (*x509_free)(cqs_x509 *);
    void (*evp_pkey_free)(cqs_evp_pkey *);
    int (*x509_store_add_cert)(cqs_x509_store *, cqs_x509 *);
    void *(*x509_get_ext_d2i)(const cqs_x509 *, int nid, int *crit, int *idx);
    const char *(*x509_verify_cert_error_string)(long);
    int (*sk_num)(const cqs_stack *);
    void *(*sk_value)(const cqs_stack *, int);
    void (*general_names_free)(cqs_stack *);
    const unsigned char *(*asn1_string_get0_data)(const cqs_asn1_string *);
    int (*asn1_string_length)(const cqs_asn1_string *);
    unsigned long (*err_get_error)(void);
    unsigned long (*err_peek_error)(void);
    void (*err_clear_error)(void);
    const char *(*err_reason_error_string)(unsigned long);
    void (*err_error_string_n)(unsigned long, char *, size_t);
} api;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[512];
static int load_status = -1;

#define RESOLVE(handle, library, field, name)                                      \
    do {                                                                           \
        *(void **)(&api.field) = dlsym(handle, name);                              \
        if (api.field == NULL) {                                                   \
            snprintf(load_error, sizeof load_error, "%s has no %s", library, name); \
            return;                                                                \
        }                                                                          \
    } while (0)

static void load(void) {
    void *crypto = dlopen("libcrypto.so.3", RTLD_NOW);
    if (crypto == NULL) {
        const char *reason = dlerror();
        snprintf(load_error, sizeof load_error, "cannot load libcrypto.so.3: %s", reason ? reason : "unknown reason");
        return;
    }
    void *ssl = dlopen("libssl.so.3", RTLD_NOW);
    if (ssl == NULL) {
        const char *reason = dlerror();
        snprintf(load_error, sizeof load_error, "cannot load libssl.so.3: %s", reason ? reason : "unknown reason");
        return;
    }
    const char *c = "libcrypto.so.3", *s = "libssl.so.3";
    RESOLVE(crypto, c, version, "OpenSSL_version");
    RESOLVE(ssl, s, server_method, "TLS_server_method");
    RESOLVE(ssl, s, client_method, "TLS_client_method");
    RESOLVE(ssl, s, ctx_new, "SSL_CTX_new");
    RESOLVE(ssl, s, ctx_free, "SSL_CTX_free");
    RESOLVE(ssl, s, ctx_ctrl, "SSL_CTX_ctrl");
    RESOLVE(ssl, s, ctx_set_options, "SSL_CTX_set_options");
    RESOLVE(ssl, s, ctx_clear_options, "SSL_CTX_clear_options");
    RESOLVE(ssl, s, ctx_set_security_level, "SSL_CTX_set_security_level");
    RESOLVE(ssl, s, ctx_use_certificate, "SSL_CTX_use_certificate");
    RESOLVE(ssl, s, ctx_use_private_key, "SSL_CTX_use_PrivateKey");
    RESOLVE(ssl, s, ctx_check_private_key, "SSL_CTX_check_private_key");
    RESOLVE(ssl, s, ctx_get_cert_store, "SSL_CTX_get_cert_store");
    RESOLVE(ssl, s, ctx_add_client_ca, "SSL_CTX_add_client_CA");
    RESOLVE(ssl, s, ctx_set_verify, "SSL_CTX_set_verify");
    RESOLVE(ssl, s, ctx_set_cipher_list, "SSL_CTX_set_cipher_list");
    RESOLVE(ssl, s, ctx_set_session_id_context, "SSL_CTX_set_session_id_context");
    RESOLVE(ssl, s, ctx_set_alpn_select_cb, "SSL_CTX_set_alpn_select_cb");
    RESOLVE(ssl, s, ssl_new, "SSL_new");
    RESOLVE(ssl, s, ssl_free, "SSL_free");
    RESOLVE(ssl, s, ssl_set_fd, "SSL_set_fd");
    RESOLVE(ssl, s, ssl_set_accept_state, "SSL_set_accept_state");
    RESOLVE(ssl, s, ssl_set_connect_state, "SSL_set_connect_state");
    RESOLVE(ssl, s, ssl_ctrl, "SSL_ctrl");
    RESOLVE(ssl, s, ssl_do_handshake, "SSL_do_handshake");
    RESOLVE(ssl, s, ssl_read, "SSL_read");
    RESOLVE(ssl, s, ssl_write, "SSL_write");
    RESOLVE(ssl, s, ssl_pending, "SSL_pending");
    RESOLVE(ssl, s, ssl_shutdown, "SSL_shutdown");
    RESOLVE(ssl, s, ssl_get_error, "SSL_get_error");
    RESOLVE(ssl, s, ssl_get_version, "SSL_get_version");
    RESOLVE(ssl, s, ssl_get_current_cipher, "SSL_get_current_cipher");
    RESOLVE(ssl, s, cipher_get_name, "SSL_CIPHER_get_name");
    RESOLVE(ssl, s, ssl_get1_peer_certificate, "SSL_get1_peer_certificate");
    RESOLVE(ssl, s, ssl_get_verify_result, "SSL_get_verify_result");
    RESOLVE(crypto, c, bio_new_mem_buf, "BIO_new_mem_buf");
    RESOLVE(crypto, c, bio_free, "BIO_free");
    RESOLVE(crypto, c, pem_read_bio_x509, "PEM_read_bio_X509");
    RESOLVE(crypto, c, pem_read_bio_private_key, "PEM_read_bio_PrivateKey");
    RESOLVE(crypto, c, x509_free, "X509_free");
    RESOLVE(crypto, c, evp_pkey_free, "EVP_PKEY_free");
    RESOLVE(crypto, c, x509_store_add_cert, "X509_STORE_add_cert");
    RESOLVE(crypto, c, x509_get_ext_d2i, "X509_get_ext_d2i");
    RESOLVE(crypto, c, x509_verify_cert_error_string, "X509_verify_cert_error_string");
    RESOLVE(crypto, c, sk_num, "OPENSSL_sk_num");
    RESOLVE(crypto, c, sk_value, "OPENSSL_sk_value");
    RESOLVE(crypto, c, general_names_free, "GENERAL_NAMES_free");
    RESOLVE(crypto, c, asn1_string_get0_data, "ASN1_STRING_get0_data");
    RESOLVE(crypto, c, asn1_string_length, "ASN1_STRING_length");
    RESOLVE(crypto, c, err_get_error, "ERR_get_error");
    RESOLVE(crypto, c, err_peek_error, "ERR_peek_error");
    RESOLVE(crypto, c, err_clear_error, "ERR_clear_error");
    RESOLVE(crypto, c, err_reason_error_string, "ERR_reason_error_string");
    RESOLVE(crypto, c, err_error_string_n, "ERR_error_string_n");
    load_status = 0;
}

int cqs_tls_load(char *error, size_t error_size) {
    pthread_once(&load_once, load);
    if (load_status != 0 && error != NULL && error_size > 0) {
        snprintf(error, error_size, "%s", load_error);
    }
    return load_status;
}

const char *cqs_tls_library_version(void) { return api.version(0 /* OPENSSL_VERSION */); }

/* The first error on the queue as OpenSSL's reason text ("key values
 * mismatch"), or `fallback`; empties the queue either way. */
static void take_error(char *error, size_t error_size, const char *fallback) {
    unsigned long code = api.err_get_error();
    if (error != NULL && error_size > 0) {
        const char *reason = code != 0 ? api.err_reason_error_string(code) : NULL;
        if (reason != NULL) {
            snprintf(error, error_size, "%s", reason);
        } else if (code != 0) {
            api.err_error_string_n(code, error, error_size);
        } else {
            snprintf(error, error_size, "%s", fallback);
        }
    }
    api.err_clear_error();
}

/* ---- contexts ---- */

/* Never asks for a passphrase: OpenSSL's default would read the terminal. */
static int no_password(char *buffer, int size, int rwflag, void *userdata) {
    (void)buffer;
    (void)size;
    (void)rwflag;
    (void)userdata;
    return -1;
}

/* RequestClientCert and RequireAnyClientCert: a certificate is asked for
 * (and its key proven) but not checked against any CA, as in Go. */
static int accept_any_certificate(int ok, cqs_x509_store_ctx *store) {
    (void)ok;
    (void)store;
    return 1;
}

/* The server speaks HTTP/1.1 only: select it when offered, else no ALPN,
 * so a client offering only h2 still connects and gets HTTP/1.1 errors. */
static int select_http11(cqs_tls_session *ssl, const unsigned char **out, unsigned char *outlen,
                         const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl;
    (void)arg;
    static const unsigned char http11[] = "http/1.1";
    unsigned int offset = 0;
    while (offset < inlen) {
        unsigned int length = in[offset];
        if (length == 0 || length > inlen - offset - 1) break;
        if (length == sizeof http11 - 1 && memcmp(in + offset + 1, http11, length) == 0) {
            *out = in + offset + 1;
            *outlen = (unsigned char)length;
            return K_SSL_TLSEXT_ERR_OK;
        }
        offset += 1 + length;
    }
    return K_SSL_TLSEXT_ERR_NOACK;
}

cqs_tls_context *cqs_tls_context_new(int is_server, char *error, size_t error_size) {
    api.err_clear_error();
    cqs_tls_context *context = api.ctx_new(is_server ? api.server_method() : api.client_method());
    if (context == NULL) {
        take_error(error, error_size, "SSL_CTX_new failed");
        return NULL;
    }
    /* Partial writes report progress per record, so the write timeout sees
     * it; moving buffers let the caller retry from a reallocated array;
     * released buffers keep idle connections small. */
    api.ctx_ctrl(context, K_SSL_CTRL_MODE,
                 K_SSL_MODE_ENABLE_PARTIAL_WRITE | K_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | K_SSL_MODE_RELEASE_BUFFERS, NULL);
    /* A client closing without close_notify ends its input like a TCP FIN
     * (HTTP framing, not TLS, says where a request ends). */
    api.ctx_set_options(context, K_SSL_OP_IGNORE_UNEXPECTED_EOF | K_SSL_OP_NO_COMPRESSION | K_SSL_OP_NO_RENEGOTIATION);
    if (is_server) {
        static const unsigned char id[] = "quota_exporter";
        api.ctx_set_session_id_context(context, id, sizeof id - 1);
        api.ctx_set_alpn_select_cb(context, select_http11, NULL);
    }
    return context;
}

void cqs_tls_context_free(cqs_tls_context *context) { api.ctx_free(context); }

int cqs_tls_context_set_versions(cqs_tls_context *context, int min_version, int max_version, char *error, size_t error_size) {
    api.err_clear_error();
    if (api.ctx_ctrl(context, K_SSL_CTRL_SET_MIN_PROTO_VERSION, min_version, NULL) != 1 ||
        api.ctx_ctrl(context, K_SSL_CTRL_SET_MAX_PROTO_VERSION, max_version, NULL) != 1) {
        take_error(error, error_size, "unsupported protocol version");
        return -1;
    }
    return 0;
}

void cqs_tls_context_set_security_level(cqs_tls_context *context, int level) { api.ctx_set_security_level(context, level); }

/* A read-only memory BIO over PEM bytes, with OpenSSL's error queue
 * cleared first so that a later failure reports its own reason; NULL (and
 * `error` set) when the bytes are too many for OpenSSL's int length or the
 * BIO cannot be made. */
static cqs_bio *pem_source(const uint8_t *pem, size_t length, char *error, size_t error_size) {
    api.err_clear_error();
    if (length > INT32_MAX) {
        snprintf(error, error_size, "too large");
        return NULL;
    }
    cqs_bio *bio = api.bio_new_mem_buf(pem, (int)length);
    if (bio == NULL) take_error(error, error_size, "out of memory");
    return bio;
}

int cqs_tls_context_use_certificate_chain(cqs_tls_context *context, const uint8_t *pem, size_t length, char *error, size_t error_size) {
    cqs_bio *bio = pem_source(pem, length, error, error_size);
    if (bio == NULL) return -1;
    int count = 0;
    cqs_x509 *certificate;
    while ((certificate = api.pem_read_bio_x509(bio, NULL, no_password, NULL)) != NULL) {
        int ok = count == 0 ? api.ctx_use_certificate(context, certificate)
                            : (int)api.ctx_ctrl(context, K_SSL_CTRL_CHAIN_CERT, 1 /* add1: takes a reference */, certificate);
        api.x509_free(certificate);
        if (ok != 1) {
            api.bio_free(bio);
            take_error(error, error_size, "certificate refused");
            return -1;
        }
        count += 1;
    }
    api.bio_free(bio);
    if (count == 0) {
        take_error(error, error_size, "no PEM certificate found");
        return -1;
    }
    /* The loop ends on "no start line" after the last one: not an error. */
    api.err_clear_error();
    return count;
}

int cqs_tls_context_use_private_key(cqs_tls_context *context, const uint8_t *pem, size_t length, char *error, size_t error_size) {
    cqs_bio *bio = pem_source(pem, length, error, error_size);
    if (bio == NULL) return -1;
    cqs_evp_pkey *key = api.pem_read_bio_private_key(bio, NULL, no_password, NULL);
    api.bio_free(bio);
    if (key == NULL) {
        take_error(error, error_size, "no PEM private key found");
        return -1;
    }
    int ok = api.ctx_use_private_key(context, key);
    api.evp_pkey_free(key);
    if (ok != 1) {
        take_error(error, error_size, "private key refused");
        return -1;
    }
    if (api.ctx_check_private_key(context) != 1) {
        api.err_clear_error();
        snprintf(error, error_size, "the private key does not match the certificate");
        return -1;
    }
    return 0;
}

int cqs_tls_context_trust_certificates(cqs_tls_context *context, const uint8_t *pem, size_t length, char *error, size_t error_size) {
    cqs_bio *bio = pem_source(pem, length, error, error_size);
    if (bio == NULL) return -1;
    cqs_x509_store *store = api.ctx_get_cert_store(context);
    int count = 0;
    cqs_x509 *certificate;
    while ((certificate = api.pem_read_bio_x509(bio, NULL, no_password, NULL)) != NULL) {
        int ok = api.x509_store_add_cert(store, certificate);
        if (ok == 1) {
            ok = api.ctx_add_client_ca(context, certificate);
        }
        api.x509_free(certificate);
        if (ok != 1) {
            api.bio_free(bio);
            take_error(error, error_size, "certificate refused");
            return -1;
        }
        count += 1;
    }
    api.bio_free(bio);
    if (count == 0) {
        take_error(error, error_size, "no PEM certificate found");
        return -1;
    }
    api.err_clear_error();
    return count;
}

void cqs_tls_context_set_client_auth(cqs_tls_context *context, cqs_tls_client_auth mode) {
    switch (mode) {
    case CQS_TLS_NO_CLIENT_CERT:
        api.ctx_set_verify(context, K_SSL_VERIFY_NONE, NULL);
        break;
    case CQS_TLS_REQUEST_CLIENT_CERT:
        api.ctx_set_verify(context, K_SSL_VERIFY_PEER, accept_any_certificate);
        break;
    case CQS_TLS_REQUIRE_ANY_CLIENT_CERT:
        api.ctx_set_verify(context, K_SSL_VERIFY_PEER | K_SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any_certificate);
        break;
    case CQS_TLS_VERIFY_CLIENT_CERT_IF_GIVEN:
        api.ctx_set_verify(context, K_SSL_VERIFY_PEER, NULL);
        break;
    case CQS_TLS_REQUIRE_AND_VERIFY_CLIENT_CERT:
        api.ctx_set_verify(context, K_SSL_VERIFY_PEER | K_SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
        break;
    }
}

void cqs_tls_context_verify_server(cqs_tls_context *context) { api.ctx_set_verify(context, K_SSL_VERIFY_PEER, NULL); }

int cqs_tls_context_set_cipher_list(cqs_tls_context *context, const char *list, char *error, size_t error_size) {
    api.err_clear_error();
    if (api.ctx_set_cipher_list(context, list) != 1) {
        take_error(error, error_size, "no cipher suite could be selected");
        return -1;
    }
    return 0;
}

int cqs_tls_context_set_groups(cqs_tls_context *context, const char *list, char *error, size_t error_size) {
    api.err_clear_error();
    if (api.ctx_ctrl(context, K_SSL_CTRL_SET_GROUPS_LIST, 0, (void *)list) != 1) {
        take_error(error, error_size, "unsupported curve");
        return -1;
    }
    return 0;
}

void cqs_tls_context_prefer_server_ciphers(cqs_tls_context *context, int on) {
    if (on) {
        api.ctx_set_options(context, K_SSL_OP_CIPHER_SERVER_PREFERENCE);
    } else {
        api.ctx_clear_options(context, K_SSL_OP_CIPHER_SERVER_PREFERENCE);
    }
}

/* ---- sessions ---- */

cqs_tls_session *cqs_tls_session_new(cqs_tls_context *context, int fd, int is_server, char *error, size_t error_size) {
    api.err_clear_error();
    cqs_tls_session *session = api.ssl_new(context);
    if (session == NULL) {
        take_error(error, error_size, "SSL_new failed");
        return NULL;
    }
    /* A socket BIO without BIO_CLOSE: the descriptor stays the caller's. */
    if (api.ssl_set_fd(session, fd) != 1) {
        take_error(error, error_size, "SSL_set_fd failed");
        api.ssl_free(session);
        return NULL;
    }
    if (is_server) {
        api.ssl_set_accept_state(session);
    } else {
        api.ssl_set_connect_state(session);
    }
    return session;
}

void cqs_tls_session_free(cqs_tls_session *session) { api.ssl_free(session); }

int cqs_tls_session_set_server_name(cqs_tls_session *session, const char *name) {
    return (int)api.ssl_ctrl(session, K_SSL_CTRL_SET_TLSEXT_HOSTNAME, K_TLSEXT_NAMETYPE_HOST_NAME, (void *)name);
}

/* Maps SSL_get_error's verdict on a failed call to our codes. */
static long classify(cqs_tls_session *session, int result, char *error, size_t error_size) {
    int saved_errno = errno;
    switch (api.ssl_get_error(session, result)) {
    case K_SSL_ERROR_WANT_READ:
        api.err_clear_error();
        return CQS_TLS_WANT_READ;
    case K_SSL_ERROR_WANT_WRITE:
        api.err_clear_error();
        return CQS_TLS_WANT_WRITE;
    case K_SSL_ERROR_ZERO_RETURN:
        api.err_clear_error();
        return CQS_TLS_CLOSED;
    case K_SSL_ERROR_SYSCALL:
        if (api.err_peek_error() == 0) {
            if (saved_errno == 0) {
                /* EOF; with K_SSL_OP_IGNORE_UNEXPECTED_EOF reads report it
                 * as ZERO_RETURN, a handshake or write still lands here. */
                api.err_clear_error();
                return CQS_TLS_CLOSED;
            }
            snprintf(error, error_size, "%s", strerror(saved_errno));
            return CQS_TLS_FAILED;
        }
        take_error(error, error_size, "system call failed");
        return CQS_TLS_FAILED;
    default: {
        unsigned long code = api.err_peek_error();
        if ((code & K_ERR_SYSTEM_FLAG) == 0 && ((code >> K_ERR_LIB_OFFSET) & K_ERR_LIB_MASK) == K_ERR_LIB_SSL) {
            unsigned long reason = code & K_ERR_REASON_MASK;
            if (reason == K_SSL_R_HTTP_REQUEST || reason == K_SSL_R_HTTPS_PROXY_REQUEST) {
                api.err_clear_error();
                return CQS_TLS_PLAIN_HTTP;
            }
        }
        long verify = api.ssl_get_verify_result(session);
        take_error(error, error_size, "TLS protocol error");
        if (verify != 0 && error != NULL) {
            size_t used = strlen(error);
            snprintf(error + used, error_size - used, " (certificate: %s)", api.x509_verify_cert_error_string(verify));
        }
        return CQS_TLS_FAILED;
    }
    }
}

int cqs_tls_handshake(cqs_tls_session *session, char *error, size_t error_size) {
    api.err_clear_error();
    errno = 0;
    int result = api.ssl_do_handshake(session);
    if (result == 1) return CQS_TLS_DONE;
    long code = classify(session, result, error, error_size);
    if (code == CQS_TLS_CLOSED) {
        snprintf(error, error_size, "the client closed the connection during the handshake");
        return CQS_TLS_FAILED;
    }
    return (int)code;
}

long cqs_tls_read(cqs_tls_session *session, void *buffer, size_t length, char *error, size_t error_size) {
    api.err_clear_error();
    errno = 0;
    int result = api.ssl_read(session, buffer, length > INT32_MAX ? INT32_MAX : (int)length);
    if (result > 0) return result;
    long code = classify(session, result, error, error_size);
    return code == CQS_TLS_PLAIN_HTTP ? CQS_TLS_FAILED : code;
}

long cqs_tls_write(cqs_tls_session *session, const void *buffer, size_t length, char *error, size_t error_size) {
    api.err_clear_error();
    errno = 0;
    int result = api.ssl_write(session, buffer, length > INT32_MAX ? INT32_MAX : (int)length);
    if (result > 0) return result;
    long code = classify(session, result, error, error_size);
    if (code == CQS_TLS_CLOSED || code == CQS_TLS_PLAIN_HTTP) {
        snprintf(error, error_size, "the peer closed the connection");
        return CQS_TLS_FAILED;
    }
    return code;
}

int cqs_tls_pending(cqs_tls_session *session) { return api.ssl_pending(session); }

void cqs_tls_shutdown(cqs_tls_session *session) {
    api.err_clear_error();
    (void)api.ssl_shutdown(session);
    api.err_clear_error();
}

const char *cqs_tls_protocol(cqs_tls_session *session) { return api.ssl_get_version(session); }

const char *cqs_tls_cipher(cqs_tls_session *session) {
    const void *cipher = api.ssl_get_current_cipher(session);
    return cipher != NULL ? api.cipher_get_name(cipher) : "(none)";
}

int cqs_tls_peer_has_certificate(cqs_tls_session *session) {
    cqs_x509 *certificate = api.ssl_get1_peer_certificate(session);
    if (certificate == NULL) return 0;
    api.x509_free(certificate);
    return 1;
}

int cqs_tls_peer_sans(cqs_tls_session *session, cqs_san_visitor visit, void *context) {
    cqs_x509 *certificate = api.ssl_get1_peer_certificate(session);
    if (certificate == NULL) return 0;
    api.err_clear_error();
    cqs_stack *names = api.x509_get_ext_d2i(certificate, K_NID_SUBJECT_ALT_NAME, NULL, NULL);
    api.x509_free(certificate);
    api.err_clear_error();
    if (names == NULL) return 0;
    int visited = 0;
    int count = api.sk_num(names);
    for (int index = 0; index < count; index++) {
        const struct cqs_general_name *name = api.sk_value(names, index);
        if (name == NULL || name->d.string == NULL) continue;
        switch (name->type) {
        case CQS_SAN_EMAIL:
        case CQS_SAN_DNS:
        case CQS_SAN_URI:
        case CQS_SAN_IP: {
            int length = api.asn1_string_length(name->d.string);
            const unsigned char *bytes = api.asn1_string_get0_data(name->d.string);
            if (length < 0 || bytes == NULL) continue;
            visit(context, name->type, bytes, (size_t)length);
            visited += 1;
            break;
        }
        default:
            break;
        }
    }
    api.general_names_free(names);
    return visited;
}

/* ---- the hand-written ABI, checked against OpenSSL's headers ---- */
#if defined(__has_include)
#if __has_include(<openssl/ssl.h>) && __has_include(<openssl/x509v3.h>)
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stddef.h>
#define SAME(ours, theirs) _Static_assert((ours) == (theirs), #ours " differs from OpenSSL's " #theirs)
SAME(CQS_TLS1_0, TLS1_VERSION);
SAME(CQS_TLS1_1, TLS1_1_VERSION);
SAME(CQS_TLS1_2, TLS1_2_VERSION);
SAME(CQS_TLS1_3, TLS1_3_VERSION);
SAME(CQS_SAN_EMAIL, GEN_EMAIL);
SAME(CQS_SAN_DNS, GEN_DNS);
SAME(CQS_SAN_URI, GEN_URI);
SAME(CQS_SAN_IP, GEN_IPADD);
SAME(K_SSL_CTRL_MODE, SSL_CTRL_MODE);
SAME(K_SSL_CTRL_SET_TLSEXT_HOSTNAME, SSL_CTRL_SET_TLSEXT_HOSTNAME);
SAME(K_SSL_CTRL_CHAIN_CERT, SSL_CTRL_CHAIN_CERT);
SAME(K_SSL_CTRL_SET_GROUPS_LIST, SSL_CTRL_SET_GROUPS_LIST);
SAME(K_SSL_CTRL_SET_MIN_PROTO_VERSION, SSL_CTRL_SET_MIN_PROTO_VERSION);
SAME(K_SSL_CTRL_SET_MAX_PROTO_VERSION, SSL_CTRL_SET_MAX_PROTO_VERSION);
SAME(K_SSL_MODE_ENABLE_PARTIAL_WRITE, SSL_MODE_ENABLE_PARTIAL_WRITE);
SAME(K_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
SAME(K_SSL_MODE_RELEASE_BUFFERS, SSL_MODE_RELEASE_BUFFERS);
SAME(K_SSL_VERIFY_NONE, SSL_VERIFY_NONE);
SAME(K_SSL_VERIFY_PEER, SSL_VERIFY_PEER);
SAME(K_SSL_VERIFY_FAIL_IF_NO_PEER_CERT, SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
SAME(K_SSL_ERROR_NONE, SSL_ERROR_NONE);
SAME(K_SSL_ERROR_SSL, SSL_ERROR_SSL);
SAME(K_SSL_ERROR_WANT_READ, SSL_ERROR_WANT_READ);
SAME(K_SSL_ERROR_WANT_WRITE, SSL_ERROR_WANT_WRITE);
SAME(K_SSL_ERROR_SYSCALL, SSL_ERROR_SYSCALL);
SAME(K_SSL_ERROR_ZERO_RETURN, SSL_ERROR_ZERO_RETURN);
SAME(K_SSL_TLSEXT_ERR_OK, SSL_TLSEXT_ERR_OK);
SAME(K_SSL_TLSEXT_ERR_NOACK, SSL_TLSEXT_ERR_NOACK);
SAME(K_ERR_LIB_SSL, ERR_LIB_SSL);
SAME(K_SSL_R_HTTPS_PROXY_REQUEST, SSL_R_HTTPS_PROXY_REQUEST);
SAME(K_SSL_R_HTTP_REQUEST, SSL_R_HTTP_REQUEST);
SAME(K_NID_SUBJECT_ALT_NAME, NID_subject_alt_name);
SAME(K_TLSEXT_NAMETYPE_HOST_NAME, TLSEXT_NAMETYPE_host_name);
SAME(K_SSL_OP_IGNORE_UNEXPECTED_EOF, SSL_OP_IGNORE_UNEXPECTED_EOF);
SAME(K_SSL_OP_NO_COMPRESSION, SSL_OP_NO_COMPRESSION);
SAME(K_SSL_OP_CIPHER_SERVER_PREFERENCE, SSL_OP_CIPHER_SERVER_PREFERENCE);
SAME(K_SSL_OP_NO_RENEGOTIATION, SSL_OP_NO_RENEGOTIATION);
SAME(K_ERR_SYSTEM_FLAG, ERR_SYSTEM_FLAG);
SAME(K_ERR_LIB_OFFSET, ERR_LIB_OFFSET);
SAME(K_ERR_LIB_MASK, ERR_LIB_MASK);
SAME(K_ERR_REASON_MASK, ERR_REASON_MASK);
SAME(offsetof(struct cqs_general_name, d), offsetof(GENERAL_NAME, d));
SAME(sizeof(struct cqs_general_name), sizeof(GENERAL_NAME));
#undef SAME
#endif
#endif
