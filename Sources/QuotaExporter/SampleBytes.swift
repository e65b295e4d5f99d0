#if canImport(Glibc)
import Glibc
#endif
import QuotaExposition

/// Whether samples would be written as the same bytes: what decides if a
/// kept rendering may be given again.
///
/// Values are compared bit for bit (0 and -0 are written differently, and
/// NaN never equals itself). Labels are compared as UTF-8 bytes, because
/// `String ==` calls canonically equivalent texts equal ("é" precomposed
/// and "e" with a combining accent) though they are written differently.
/// `==` goes first, as it is quick for equal storage and for texts that
/// differ; for ASCII, which is what nearly every label is, it already
/// means the same bytes.
enum SampleBytes {
    static func same(_ lhs: [Sample], _ rhs: [Sample]) -> Bool {
        lhs.count == rhs.count
            && zip(lhs, rhs).allSatisfy { old, new in
                old.value.bitPattern == new.value.bitPattern && old.labels.count == new.labels.count
                    && zip(old.labels, new.labels).allSatisfy {
                        same($0.name, $1.name) && same($0.value, $1.value)
                    }
            }
    }

    /// Values bit for bit, nil equal only to nil (a NaN equals itself here,
    /// since it is written the same; -0 differs from 0).
    static func same(_ lhs: [Double?], _ rhs: [Double?]) -> Bool {
        lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { $0?.bitPattern == $1?.bitPattern }
    }

    static func same(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs == rhs else { return false }
        if lhs.utf8.allSatisfy({ $0 < 0x80 }) { return rhs.utf8.count == lhs.utf8.count }
        return lhs.utf8.elementsEqual(rhs.utf8)
    }
}
