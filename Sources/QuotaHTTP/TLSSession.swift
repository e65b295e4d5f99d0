import CQuotaSystem

/// One connection's OpenSSL state (`SSL`) on its non-blocking socket. Owned
/// and used by one thread at a time (the event loop's); the socket stays
/// the connection's, and freeing the session never closes it.
final class TLSSession {
    /// What one handshake, read or write step came to.
    enum Step: Equatable {
        /// Read or written this many bytes.
        case bytes(Int)
        /// The handshake completed.
        case done
        /// Nothing to do until the socket is readable / writable.
        case wantRead, wantWrite
        /// The peer closed its side (close_notify, or EOF).
        case closed
        /// The first bytes were a plain HTTP request, not a ClientHello.
        case plainHTTP
        /// OpenSSL's reason; the connection cannot continue.
        case failed(String)
    }

    private let handle: OpaquePointer
    /// exporter-toolkit's `client_allowed_sans`; empty: any client.
    let allowedSANs: [String]

    /// A server-side session for `fd` under `context`.
    convenience init(server context: TLSServerContext, fd: Int32) throws(TLSSetupError) {
        try self.init(contextHandle: context.handle, fd: fd, isServer: true, allowedSANs: context.settings.clientAllowedSANs)
    }

    /// Any `SSL_CTX` (the tests' client contexts too).
    init(contextHandle: OpaquePointer, fd: Int32, isServer: Bool, allowedSANs: [String] = []) throws(TLSSetupError) {
        let (created, reason) = OpenSSLError.capture { cqs_tls_session_new(contextHandle, fd, isServer ? 1 : 0, $0, $1) }
        guard let created else { throw TLSSetupError(field: "tls_server_config", message: reason) }
        handle = created
        self.allowedSANs = allowedSANs
    }

    deinit {
        cqs_tls_session_free(handle)
    }

    /// Client side (tests): the SNI name.
    func setServerName(_ name: String) {
        _ = cqs_tls_session_set_server_name(handle, name)
    }

    func handshake() -> Step {
        let (code, reason) = OpenSSLError.capture { cqs_tls_handshake(handle, $0, $1) }
        switch Int(code) {
        case CQS_TLS_DONE: return .done
        case CQS_TLS_PLAIN_HTTP: return .plainHTTP
        default: return Self.step(Int(code), reason)
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Step {
        let (code, reason) = OpenSSLError.capture { cqs_tls_read(handle, buffer.baseAddress, buffer.count, $0, $1) }
        return Self.step(code, reason)
    }

    /// After `.wantRead`/`.wantWrite`, call again with the same bytes.
    func write(_ bytes: UnsafeRawBufferPointer) -> Step {
        let (code, reason) = OpenSSLError.capture { cqs_tls_write(handle, bytes.baseAddress, bytes.count, $0, $1) }
        return Self.step(code, reason)
    }

    /// Decrypted bytes OpenSSL holds that the socket will not signal again.
    var pendingBytes: Int { Int(cqs_tls_pending(handle)) }

    /// Sends close_notify, best effort.
    func shutdown() {
        cqs_tls_shutdown(handle)
    }

    var protocolName: String { String(cString: cqs_tls_protocol(handle)) }
    var cipherName: String { String(cString: cqs_tls_cipher(handle)) }
    var peerHasCertificate: Bool { cqs_tls_peer_has_certificate(handle) == 1 }

    /// The peer certificate's DNS, email, IP and URI SANs, written as Go
    /// writes them (`net.IP.String()` for addresses), which is what
    /// exporter-toolkit compares `client_allowed_sans` with.
    var peerSubjectAltNames: [String] {
        final class Collected { var names: [String] = [] }
        let collected = Collected()
        withExtendedLifetime(collected) {
            _ = cqs_tls_peer_sans(handle, { context, kind, bytes, length in
                let collected = Unmanaged<Collected>.fromOpaque(context!).takeUnretainedValue()
                let raw = UnsafeRawBufferPointer(start: bytes, count: length)
                if let name = SubjectAltName.goString(kind: Int(kind), bytes: raw) {
                    collected.names.append(name)
                }
            }, Unmanaged.passUnretained(collected).toOpaque())
        }
        return collected.names
    }

    /// Whether the peer may go on under `client_allowed_sans`; the reason
    /// to log when not.
    func allowedSANsRefusal() -> String? {
        guard !allowedSANs.isEmpty else { return nil }
        guard peerHasCertificate else { return "no client certificate to match client_allowed_sans against" }
        let names = peerSubjectAltNames
        if names.contains(where: allowedSANs.contains) { return nil }
        return "the client certificate has none of client_allowed_sans (it has \(names))"
    }

    private static func step(_ code: Int, _ reason: String) -> Step {
        switch code {
        case 1...: .bytes(code)
        case CQS_TLS_CLOSED: .closed
        case CQS_TLS_WANT_READ: .wantRead
        case CQS_TLS_WANT_WRITE: .wantWrite
        default: .failed(reason.isEmpty ? "TLS error" : reason)
        }
    }
}
