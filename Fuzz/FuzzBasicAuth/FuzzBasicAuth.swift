import FuzzSupport
import QuotaCrypto
@testable import QuotaWeb

/// The `Authorization: Basic` parser in front of every route when
/// `basic_auth_users` is set. Besides never trapping: accepted credentials
/// have a user without a colon, and encoding them again gives a header
/// that parses to the same credentials.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let header = String(validating: bytes, as: UTF8.self) else {
        // Header values reach handlers as text; a lossy decode is what a
        // handler could still be given.
        _ = BasicAuthCredentials.parse(String(decoding: bytes, as: UTF8.self))
        return 0
    }
    guard let credentials = BasicAuthCredentials.parse(header) else { return 0 }
    fuzzCheck(!credentials.user.contains(UInt8(ascii: ":")), "a user with a colon")
    let again = BasicAuthCredentials.parse("Basic " + Base64.encode(credentials.user + [UInt8(ascii: ":")] + credentials.password))
    fuzzCheck(again == credentials, "re-encoded credentials parse differently")
    return 0
}
