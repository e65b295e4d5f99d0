#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The wall clock as Unix seconds, from `clock_gettime(CLOCK_REALTIME)`:
/// what `Date()` gave, without Foundation. For timestamps shown to people
/// and compared with providers' times; durations use `ContinuousClock`.
public enum WallClock {
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1_000_000_000
    }
}
