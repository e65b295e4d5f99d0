/// Modular exponentiation for one fixed odd modulus, using Montgomery
/// multiplication (Handbook of Applied Cryptography, §14.3.2).
///
/// Montgomery form keeps each number as x·R mod m with R = 2^(64·limbs), which
/// turns the division in every modular multiplication into word shifts. The
/// per-modulus constants cost a few long divisions to compute, so RSA keys
/// build their `MontgomeryModulus` values once, when the key is loaded.
struct MontgomeryModulus: Sendable {
    let modulus: BigUInt
    /// The modulus' limbs; every Montgomery-form number has exactly this many.
    private let modulusLimbs: [UInt64]
    /// -m⁻¹ mod 2^64: the multiplier that clears one low limb per REDC step.
    private let negatedInverse: UInt64
    /// R² mod m; multiplying by it converts a number into Montgomery form.
    private let rSquared: [UInt64]

    /// `modulus` must be odd (so that it is invertible modulo 2^64) and > 1.
    init(_ modulus: BigUInt) {
        precondition(modulus.isOdd && modulus > BigUInt(1), "Montgomery modulus must be odd and greater than 1")
        self.modulus = modulus
        modulusLimbs = modulus.limbs

        // Newton's iteration doubles the number of correct low bits each
        // step: an odd m is its own inverse modulo 8 (3 bits), so five steps
        // give 96 ≥ 64 bits.
        let low = modulus.limbs[0]
        var inverse = low
        for _ in 0..<5 {
            inverse = inverse &* (2 &- low &* inverse)
        }
        negatedInverse = 0 &- inverse

        let r = BigUInt(limbs: [UInt64](repeating: 0, count: modulus.limbs.count) + [1])
        rSquared = Self.padded((r * r) % modulus, to: modulus.limbs.count)
    }

    /// `base^exponent mod modulus`.
    ///
    /// A fixed 4-bit window: every window does four squarings and one
    /// multiplication (by 1 when the window is zero), so the sequence of
    /// operations does not depend on the exponent's bits. Memory access into
    /// the window table still does; that cache-timing channel is acceptable
    /// for an exporter signing its own tokens on its own host.
    func power(_ base: BigUInt, _ exponent: BigUInt) -> BigUInt {
        let count = modulusLimbs.count
        var oneLimb = [UInt64](repeating: 0, count: count)
        oneLimb[0] = 1
        let reducedBase = base < modulus ? base : base % modulus
        let montgomeryOne = multiply(rSquared, oneLimb)
        let montgomeryBase = multiply(Self.padded(reducedBase, to: count), rSquared)

        var table = [montgomeryOne]
        for index in 1..<16 {
            table.append(multiply(table[index - 1], montgomeryBase))
        }

        var result = montgomeryOne
        let windowCount = (exponent.bitWidth + 3) / 4
        for window in stride(from: windowCount - 1, through: 0, by: -1) {
            for _ in 0..<4 {
                result = multiply(result, result)
            }
            var digit = 0
            for bit in 0..<4 where exponent.bit(at: window * 4 + bit) {
                digit |= 1 << bit
            }
            result = multiply(result, table[digit])
        }
        // Multiplying by plain 1 divides by R, leaving Montgomery form.
        return BigUInt(limbs: multiply(result, oneLimb))
    }

    /// Montgomery product a·b·R⁻¹ mod m of two reduced numbers of
    /// `modulusLimbs.count` limbs (HAC algorithm 14.36).
    private func multiply(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        let count = modulusLimbs.count
        // Accumulator of count + 2 limbs. It is below 2m at the start of each
        // round and below m·(2^65 + 2) < 4m·2^64 after the two additions, so
        // the two extra limbs hold every carry.
        var t = [UInt64](repeating: 0, count: count + 2)
        t.withUnsafeMutableBufferPointer { tBuffer in
            a.withUnsafeBufferPointer { aBuffer in
                b.withUnsafeBufferPointer { bBuffer in
                    modulusLimbs.withUnsafeBufferPointer { mBuffer in
                        let t = tBuffer.baseAddress!, a = aBuffer.baseAddress!, m = mBuffer.baseAddress!
                        for i in 0..<count {
                            // t += a · b[i]
                            Self.addCarry(Self.multiplyAccumulate(bBuffer[i], a, into: t, count: count), at: t + count)
                            // t += q · m, with q chosen so that t's low limb becomes zero…
                            let q = t[0] &* negatedInverse
                            Self.addCarry(Self.multiplyAccumulate(q, m, into: t, count: count), at: t + count)
                            // …so that dropping that limb divides by 2^64 without changing t mod m.
                            t.update(from: t + 1, count: count + 1) // overlapping copy is allowed
                            t[count + 1] = 0
                        }
                    }
                }
            }
        }
        return subtractModulusIfNotReduced(t)
    }

    /// `t[0..<count] += x · y[0..<count]`, returning the carry out of the top limb.
    ///
    /// Nearly all of an RSA signature's time is spent here, hence raw pointers
    /// and the arithmetic written out inline: without those, a debug build
    /// (no inlining, bounds checks) signs several times slower.
    private static func multiplyAccumulate(
        _ x: UInt64, _ y: UnsafePointer<UInt64>, into t: UnsafeMutablePointer<UInt64>, count: Int
    ) -> UInt64 {
        var carry: UInt64 = 0
        var index = 0
        while index < count {
            // x·y + t + carry < 2^128, so the high half absorbs both additions' carries.
            let (high, low) = x.multipliedFullWidth(by: y[index])
            let (sum, overflow1) = low.addingReportingOverflow(t[index])
            let (total, overflow2) = sum.addingReportingOverflow(carry)
            t[index] = total
            carry = high &+ (overflow1 ? 1 : 0) &+ (overflow2 ? 1 : 0)
            index += 1
        }
        return carry
    }

    /// Adds `carry` to the two-limb number at `top` (the accumulator's extra limbs).
    private static func addCarry(_ carry: UInt64, at top: UnsafeMutablePointer<UInt64>) {
        let (sum, overflow) = top[0].addingReportingOverflow(carry)
        top[0] = sum
        top[1] &+= overflow ? 1 : 0
    }

    /// The result of REDC is below 2m; subtract m once if it is at least m.
    ///
    /// Both candidates are always computed and one is selected with a mask,
    /// so the timing does not reveal whether the subtraction was needed.
    private func subtractModulusIfNotReduced(_ t: [UInt64]) -> [UInt64] {
        let count = modulusLimbs.count
        var difference = [UInt64](repeating: 0, count: count)
        var borrow: UInt64 = 0
        for index in 0..<count {
            let (partial, overflow1) = t[index].subtractingReportingOverflow(modulusLimbs[index])
            let (total, overflow2) = partial.subtractingReportingOverflow(borrow)
            difference[index] = total
            borrow = (overflow1 || overflow2) ? 1 : 0
        }
        // t ≥ m exactly when t's extra top limb absorbs the borrow.
        let keepDifference = t[count] >= borrow
        let mask: UInt64 = keepDifference ? ~0 : 0
        return (0..<count).map { (difference[$0] & mask) | (t[$0] & ~mask) }
    }

    private static func padded(_ value: BigUInt, to count: Int) -> [UInt64] {
        value.limbs + [UInt64](repeating: 0, count: count - value.limbs.count)
    }
}
