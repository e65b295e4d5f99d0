import FuzzSupport
@testable import QuotaTime

/// RFC 3339 timestamps from outside: Cloudflare `reset_time` and
/// `build_minutes_refresh_on`, ZITADEL `periodStart`, IAM `expires_at`,
/// config instants (issue 10 item 2: a long fraction trapped inside ICU).
/// An accepted instant is finite, within a day of years 0000-9999 (the
/// offset may carry it past), and inside them survives a format/parse round
/// trip to the second; a refusal quotes no more than a
/// short prefix of the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let seconds = try RFC3339.parse(text)
        fuzzCheck(seconds.isFinite && seconds >= -62_167_219_200 - 86_400 && seconds < 253_402_300_800 + 86_400,
                  "\(text.debugDescription) parsed to \(seconds)")
        // An offset can carry a local 0000-01-01 or 9999-12-31 just outside
        // the years `format` writes (it clamps there); round trips are
        // checked inside that range.
        let formatted = RFC3339.format(unixSeconds: seconds)
        if seconds >= -62_167_219_200, seconds < 253_402_300_800, let again = try? RFC3339.parse(formatted) {
            fuzzCheck(abs(again - seconds.rounded(.down)) <= 1, "\(text.debugDescription) → \(formatted) → \(again)")
        }
    } catch {
        fuzzCheck(error.description.utf8.count <= 200, "error text too long for \(size) bytes of input")
    }
    return 0
}
