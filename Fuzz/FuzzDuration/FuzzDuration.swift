import FuzzSupport
import QuotaConfig
@testable import QuotaExporter

/// Prometheus-style durations from the configuration (`min_interval`,
/// `timeout`, `max_staleness`, ZITADEL `reset_interval`): overflow and
/// signs are refused, an accepted one is a non-negative whole number of
/// milliseconds and survives the conversions the loader makes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let duration = Duration(prometheus: text) else { return 0 }
    let (seconds, attoseconds) = duration.components
    fuzzCheck(seconds >= 0 && attoseconds >= 0, "\(text.debugDescription) parsed to \(duration)")
    fuzzCheck(attoseconds % 1_000_000_000_000_000 == 0, "\(text.debugDescription) is not whole milliseconds: \(duration)")
    let asDouble = Double(seconds) + Double(attoseconds) / 1e18
    fuzzCheck(asDouble.isFinite, "\(text.debugDescription) as seconds: \(asDouble)")
    let loaded = ConfigurationLoader.seconds(duration)
    fuzzCheck(loaded.isFinite && loaded >= 0, "\(text.debugDescription) loaded as \(loaded) s")
    return 0
}
