import CQuotaSystem

/// Whether gzip responses are possible: zlib is opened at run time
/// (`libz.so.1`, see CQuotaZlib.c), and without it every response is
/// identity-encoded.
public enum Zlib {
    /// Why zlib cannot be used, or nil when it can.
    public static let loadError: String? = cqs_zlib_load_error().map { String(cString: $0) }

    public static var isAvailable: Bool { loadError == nil }
}
