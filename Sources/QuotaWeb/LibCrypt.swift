import CQuotaSystem

/// libcrypt's `crypt_r` (opened at run time, see `CQuotaCrypt.c`), used
/// only to check bcrypt hashes.
public enum LibCrypt {
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// libcrypt.so.1 could not be opened; the loader's reason.
        case unavailable(String)
        /// libcrypt refused the password or the hash.
        case refused

        public var description: String {
            switch self {
            case .unavailable(let reason): "libcrypt is unavailable (needed for basic_auth_users): \(reason)"
            case .refused: "libcrypt refused the hash"
            }
        }
    }

    /// nil when libcrypt can be used, else why not; checked when a web
    /// config with users loads, so a missing library fails at start-up.
    public static var loadError: String? {
        cqs_crypt_load_error().map { String(cString: $0) }
    }

    /// `crypt(password, setting)`: for a bcrypt `setting` (a full hash),
    /// the hash of `password` with that hash's cost and salt. Comparing it
    /// with the hash (in constant time) checks the password. A password
    /// with a NUL byte cannot reach C and is refused.
    public static func hash(password: [UInt8], setting: String) -> Result<[UInt8], Failure> {
        guard !password.contains(0) else { return .failure(.refused) }
        var output = [CChar](repeating: 0, count: 256)
        var phrase = password.map { CChar(bitPattern: $0) }
        phrase.append(0)
        let status = cqs_crypt_hash(phrase, setting, &output, output.count)
        // The C side wiped its scratch area; wipe this copy too.
        for index in phrase.indices { phrase[index] = 0 }
        switch status {
        case -3: return .failure(.unavailable(loadError ?? "unknown"))
        case ..<0: return .failure(.refused)
        default: return .success(output[..<Int(status)].map { UInt8(bitPattern: $0) })
        }
    }
}
