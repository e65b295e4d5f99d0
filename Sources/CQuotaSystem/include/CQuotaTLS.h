#ifndef CQUOTATLS_H
#define CQUOTATLS_H

/*
 * OpenSSL for the listener's TLS (Sources/QuotaHTTP/TLS*.swift).
 *
 * Like libcurl, libssl.so.3 is opened at run time (see CQuotaTLS.c for
 * why), so the types below are opaque and the few constants are OpenSSL
 * 3's documented, ABI-stable values; CQuotaTLS.c checks each against
 * OpenSSL's own headers whenever they are installed (libssl-dev).
 *
 * Every call that can fail clears OpenSSL's per-thread error queue first
 * and, on failure, writes the reason into the caller's `error` buffer, so
 * Swift never touches the queue. Nothing written there contains key bytes:
 * OpenSSL's reasons are fixed strings.
 */

#include <stddef.h>
#include <stdint.h>

typedef struct cqs_tls_context cqs_tls_context; /* SSL_CTX */
typedef struct cqs_tls_session cqs_tls_session; /* SSL */

/* TLS protocol versions (TLS1_VERSION ... TLS1_3_VERSION). */
enum {
    CQS_TLS1_0 = 0x0301,
    CQS_TLS1_1 = 0x0302,
    CQS_TLS1_2 = 0x0303,
    CQS_TLS1_3 = 0x0304,
};

/* How a context treats client certificates: Go's tls.ClientAuthType. */
typedef enum cqs_tls_client_auth {
    CQS_TLS_NO_CLIENT_CERT = 0,
    CQS_TLS_REQUEST_CLIENT_CERT = 1,
    CQS_TLS_REQUIRE_ANY_CLIENT_CERT = 2,
    CQS_TLS_VERIFY_CLIENT_CERT_IF_GIVEN = 3,
    CQS_TLS_REQUIRE_AND_VERIFY_CLIENT_CERT = 4,
} cqs_tls_client_auth;

/* What a handshake, read or write step came to, when not bytes. */
enum {
    /* The peer closed (close_notify, or EOF between records). */
    CQS_TLS_CLOSED = 0,
    /* Fatal: protocol error, bad certificate, reset; `error` says which. */
    CQS_TLS_FAILED = -1,
    /* Call again once the socket is readable / writable. */
    CQS_TLS_WANT_READ = -2,
    CQS_TLS_WANT_WRITE = -3,
    /* Handshake only: the first bytes were a plain HTTP request. */
    CQS_TLS_PLAIN_HTTP = -4,
    /* Handshake only: it completed. */
    CQS_TLS_DONE = 1,
};

/* Subject alternative name kinds (GEN_EMAIL, GEN_DNS, GEN_URI, GEN_IPADD). */
enum {
    CQS_SAN_EMAIL = 1,
    CQS_SAN_DNS = 2,
    CQS_SAN_URI = 6,
    CQS_SAN_IP = 7,
};

/* Opens libssl.so.3 and libcrypto.so.3 once per process. 0, or -1 with a
 * reason in `error`. Every other call requires a successful load. */
int cqs_tls_load(char *error, size_t error_size);
/* "OpenSSL 3.0.13 30 Jan 2024". */
const char *cqs_tls_library_version(void);

/* A context for the server side (is_server 1) or a client (0, tests). */
cqs_tls_context *cqs_tls_context_new(int is_server, char *error, size_t error_size);
void cqs_tls_context_free(cqs_tls_context *context);
/* min/max: CQS_TLS1_x; max 0 means the highest the library knows. */
int cqs_tls_context_set_versions(cqs_tls_context *context, int min_version, int max_version, char *error, size_t error_size);
void cqs_tls_context_set_security_level(cqs_tls_context *context, int level);
/* The first PEM certificate is the leaf, the others its chain. Returns
 * how many certificates were read, or -1. */
int cqs_tls_context_use_certificate_chain(cqs_tls_context *context, const uint8_t *pem, size_t length, char *error, size_t error_size);
/* Loads the key and checks that it belongs to the leaf certificate.
 * Encrypted keys fail (no passphrase prompt is ever shown). */
int cqs_tls_context_use_private_key(cqs_tls_context *context, const uint8_t *pem, size_t length, char *error, size_t error_size);
/* Trusts every PEM certificate in `pem`; a server also names them in its
 * certificate request. Returns how many, or -1. */
int cqs_tls_context_trust_certificates(cqs_tls_context *context, const uint8_t *pem, size_t length, char *error, size_t error_size);
void cqs_tls_context_set_client_auth(cqs_tls_context *context, cqs_tls_client_auth mode);
/* A client context (tests): verify the server against the trusted certs. */
void cqs_tls_context_verify_server(cqs_tls_context *context);
/* OpenSSL cipher-list syntax, TLS 1.2 and below. */
int cqs_tls_context_set_cipher_list(cqs_tls_context *context, const char *list, char *error, size_t error_size);
/* Colon-separated group names, e.g. "P-256:X25519". */
int cqs_tls_context_set_groups(cqs_tls_context *context, const char *list, char *error, size_t error_size);
void cqs_tls_context_prefer_server_ciphers(cqs_tls_context *context, int on);

/* One connection on a non-blocking (or, for tests, blocking) socket, the
 * server side of it (is_server 1) or the client's. The socket stays the
 * caller's: freeing the session never closes it. */
cqs_tls_session *cqs_tls_session_new(cqs_tls_context *context, int fd, int is_server, char *error, size_t error_size);
void cqs_tls_session_free(cqs_tls_session *session);
/* Client side (tests): the name sent as SNI. */
int cqs_tls_session_set_server_name(cqs_tls_session *session, const char *name);
/* CQS_TLS_DONE, _WANT_READ, _WANT_WRITE, _PLAIN_HTTP or _FAILED. */
int cqs_tls_handshake(cqs_tls_session *session, char *error, size_t error_size);
/* Bytes read (> 0), or CQS_TLS_CLOSED, _WANT_READ, _WANT_WRITE, _FAILED. */
long cqs_tls_read(cqs_tls_session *session, void *buffer, size_t length, char *error, size_t error_size);
/* Bytes written (> 0; partial writes are on), or _WANT_*, _FAILED. After a
 * _WANT_* result, call again with the same bytes. */
long cqs_tls_write(cqs_tls_session *session, const void *buffer, size_t length, char *error, size_t error_size);
/* Decrypted bytes already buffered: readable without waiting for the socket. */
int cqs_tls_pending(cqs_tls_session *session);
/* Sends close_notify once, without waiting for the peer's. */
void cqs_tls_shutdown(cqs_tls_session *session);
/* "TLSv1.3", and the negotiated cipher's OpenSSL name. */
const char *cqs_tls_protocol(cqs_tls_session *session);
const char *cqs_tls_cipher(cqs_tls_session *session);
/* 1 when the peer sent a certificate. */
int cqs_tls_peer_has_certificate(cqs_tls_session *session);

/* Calls `visit` with each email, DNS, URI and IP subject alternative name
 * of the peer's certificate (IP: 4 or 16 raw bytes). Returns how many, 0
 * without a certificate or SANs. */
typedef void (*cqs_san_visitor)(void *context, int kind, const uint8_t *bytes, size_t length);
int cqs_tls_peer_sans(cqs_tls_session *session, cqs_san_visitor visit, void *context);

#endif
