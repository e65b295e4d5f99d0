import CQuotaSystem

/// The error text the C layer writes for a failed OpenSSL call, read into
/// a `String`: OpenSSL's fixed reason strings, never key material.
enum OpenSSLError {
    static let capacity = 256

    /// Runs `body` with an error buffer; returns its result and the text.
    static func capture<Result>(_ body: (UnsafeMutablePointer<CChar>, Int) -> Result) -> (Result, String) {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer in
            buffer.initialize(repeating: 0)
            let result = body(buffer.baseAddress!, capacity)
            return (result, String(cString: buffer.baseAddress!))
        }
    }

    /// Opens libssl once per process; the reason when it cannot.
    static func loadLibrary() -> String? {
        let (status, message) = capture { cqs_tls_load($0, $1) }
        return status == 0 ? nil : message
    }
}
