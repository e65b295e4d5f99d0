import FuzzSupport
@testable import QuotaExposition

/// The `Accept` header of a scrape: every media range parses to a quality
/// in 0...1 or the whole header is malformed, and negotiation always picks
/// a format.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let header = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let ranges = MediaRange.parseList(header) {
        for range in ranges {
            fuzzCheck((0...1).contains(range.quality), "quality \(range.quality) in \(header.debugDescription)")
            _ = range.isAcceptableText
            _ = range.isAcceptableOpenMetrics
        }
    }
    let format = ExpositionFormat.negotiate(accept: header)
    _ = format.contentType
    return 0
}
