import CQuotaSystem
import FuzzSupport
#if canImport(Glibc)
import Glibc
#endif
@testable import QuotaHTTP

/// What a client sends before the first HTTP byte: the server side of a
/// TLS handshake (OpenSSL behind `TLSSession`, our error mapping and the
/// plain-HTTP detection) fed the input over a socket pair, then EOF; and the
/// same bytes as a certificate's subject alternative names, formatted as Go
/// writes them for `client_allowed_sans`. A handshake never completes (the
/// input cannot know the server's random), never asks to wait once the
/// input has ended, and reports plain HTTP only for input that starts like
/// a request line; a formatted SAN is printable ASCII.
///
/// The certificate and key below exist only for this harness (made with
/// `openssl req -x509 -newkey ec -days 36500 -subj /CN=fuzz.invalid`); they
/// protect nothing.
private let certificate = """
-----BEGIN CERTIFICATE-----
MIIBhDCCASugAwIBAgIUFx/ASyCDmHMYGEqqdABmmaf2PdwwCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMZnV6ei5pbnZhbGlkMCAXDTI2MTIwMjAxMDMwN1oYDzIxMjYx
MTA4MDEwMzA3WjAXMRUwEwYDVQQDDAxmdXp6LmludmFsaWQwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAASO94Nw/wYHk1iLlR+QrQyg8NQMNRQbPNgJxYuDKUkGBpfr
Ly3FZo685O3Dg/Sv0eOWrL0IYMacBrkM1+J2Eci5o1MwUTAdBgNVHQ4EFgQUgyxl
Dp3LkaNYJV/klQY/d9McDrswHwYDVR0jBBgwFoAUgyxlDp3LkaNYJV/klQY/d9Mc
DrswDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiAZysf4iN70TLDH
qLxRvdkfziyjCW1CBDm0FYoM5yDfjwIgC5ei9ZoMmVgetXJeFMRcphhzQgtGS7fi
dwuN1jyN+0Y=
-----END CERTIFICATE-----
"""
private let key = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg4FU8QAY0/zFVSsMP
4kFJmkx2r+TpxpxswEC8rJRYqJGhRANCAASO94Nw/wYHk1iLlR+QrQyg8NQMNRQb
PNgJxYuDKUkGBpfrLy3FZo685O3Dg/Sv0eOWrL0IYMacBrkM1+J2Eci5
-----END PRIVATE KEY-----
"""

private let context: TLSServerContext = {
    do {
        return try TLSServerContext(TLSServerSettings(certificateChainPEM: Array(certificate.utf8), privateKeyPEM: Array(key.utf8)))
    } catch {
        fatalError("the harness's TLS context: \(error)")
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    for kind in [CQS_SAN_DNS, CQS_SAN_EMAIL, CQS_SAN_URI, CQS_SAN_IP] {
        if let name = SubjectAltName.goString(kind: kind, bytes: input) {
            fuzzCheck(name.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7f } || kind != CQS_SAN_IP, "IP SAN \(name.debugDescription)")
            fuzzCheck(kind != CQS_SAN_IP || size == 4 || size == 16, "IP SAN from \(size) bytes")
        }
    }

    var pair: [Int32] = [-1, -1]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0 else { return 0 }
    defer {
        close(pair[0])
        close(pair[1])
    }
    _ = fcntl(pair[0], F_SETFL, fcntl(pair[0], F_GETFL) | O_NONBLOCK)
    _ = fcntl(pair[1], F_SETFL, fcntl(pair[1], F_GETFL) | O_NONBLOCK)
    guard let session = try? TLSSession(server: context, fd: pair[0]) else { return 0 }
    var offset = 0
    var ended = false
    var step = TLSSession.Step.wantRead
    var rounds = 0
    while rounds < 64 {
        rounds += 1
        if offset < size {
            let written = write(pair[1], data + offset, size - offset)
            if written > 0 { offset += written }
        }
        if offset == size, !ended {
            _ = shutdown(pair[1], Int32(SHUT_WR))
            ended = true
        }
        step = session.handshake()
        // Drain what the server answered so it never blocks on a full pipe.
        var scratch = [UInt8](repeating: 0, count: 4096)
        while read(pair[1], &scratch, scratch.count) > 0 {}
        if step != .wantRead, step != .wantWrite { break }
    }
    fuzzCheck(step != .done, "a handshake completed from \(size) bytes")
    if ended {
        fuzzCheck(step != .wantRead, "the handshake still waits for input after EOF")
    }
    if step == .plainHTTP {
        fuzzCheck(size > 0 && data[0] >= UInt8(ascii: "A") && data[0] <= UInt8(ascii: "Z"), "plain HTTP from \(data[0])")
    }
    return 0
}
