#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension String {
    /// Calls `body` with the string's UTF-8 bytes.
    ///
    /// The writer looks at every byte of every name and label value; going
    /// through `String.UTF8View`'s indices is several times slower than a
    /// plain buffer. `withUTF8` is mutating only because a bridged string
    /// may have to be made native first; ours are native, and short ones
    /// are read from the stack without allocating.
    func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        var copy = self
        return copy.withUTF8(body)
    }

    /// Byte-wise ordering of the UTF-8 encoding.
    ///
    /// Swift's `<` compares by Unicode canonical equivalence, which is slower
    /// and sorts differently from Go; plain bytes give an order an operator
    /// can predict from the output and that never depends on normalization.
    public func utf8Precedes(_ other: String) -> Bool {
        withUTF8Bytes { left in
            other.withUTF8Bytes { right in
                let common = min(left.count, right.count)
                let order = common == 0 ? 0 : memcmp(left.baseAddress!, right.baseAddress!, common)
                return order != 0 ? order < 0 : left.count < right.count
            }
        }
    }
}
