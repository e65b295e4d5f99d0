/// A non-negative integer of any size, with just the operations RSA needs.
///
/// Limbs are 64-bit words stored least significant first and always
/// normalised (no most-significant zero limbs; zero has no limbs), so `==`
/// and `<` can compare limb counts first. Arithmetic lives in
/// `BigUInt+Arithmetic.swift`; modular exponentiation in `MontgomeryModulus`.
struct BigUInt: Sendable, Equatable, Comparable {
    /// Code that mutates `limbs` must call `normalize()` afterwards.
    var limbs: [UInt64]

    init(limbs: [UInt64]) {
        self.limbs = limbs
        normalize()
    }

    init(_ value: UInt64 = 0) {
        self.init(limbs: [value])
    }

    /// Reads an unsigned big-endian byte string (RFC 8017's OS2IP).
    init(bigEndianBytes bytes: some Collection<UInt8>) {
        var limbs = [UInt64](repeating: 0, count: (bytes.count + 7) / 8)
        for (index, byte) in bytes.reversed().enumerated() {
            limbs[index / 8] |= UInt64(byte) << UInt64(8 * (index % 8))
        }
        self.init(limbs: limbs)
    }

    /// Big-endian bytes left-padded with zeros to exactly `count` bytes
    /// (RFC 8017's I2OSP); `nil` if the value needs more than `count` bytes.
    func bigEndianBytes(count: Int) -> [UInt8]? {
        guard (bitWidth + 7) / 8 <= count else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        for index in 0..<min(count, limbs.count * 8) {
            bytes[count - 1 - index] = UInt8(truncatingIfNeeded: limbs[index / 8] >> UInt64(8 * (index % 8)))
        }
        return bytes
    }

    var isZero: Bool { limbs.isEmpty }

    var isOdd: Bool { (limbs.first ?? 0) & 1 == 1 }

    /// Number of significant bits; zero for zero.
    var bitWidth: Int {
        guard let top = limbs.last else { return 0 }
        return limbs.count * 64 - top.leadingZeroBitCount
    }

    /// Bit `index`, counting from the least significant bit.
    func bit(at index: Int) -> Bool {
        let limbIndex = index / 64
        guard limbIndex < limbs.count else { return false }
        return (limbs[limbIndex] >> UInt64(index % 64)) & 1 == 1
    }

    static func < (lhs: BigUInt, rhs: BigUInt) -> Bool {
        if lhs.limbs.count != rhs.limbs.count {
            return lhs.limbs.count < rhs.limbs.count
        }
        for index in lhs.limbs.indices.reversed() where lhs.limbs[index] != rhs.limbs[index] {
            return lhs.limbs[index] < rhs.limbs[index]
        }
        return false
    }

    mutating func normalize() {
        while limbs.last == 0 { limbs.removeLast() }
    }
}
