/// Schoolbook arithmetic: simple enough to check by eye, and fast enough
/// because RSA spends its time in `MontgomeryModulus`, not here.
extension BigUInt {
    static func + (lhs: BigUInt, rhs: BigUInt) -> BigUInt {
        var sum = [UInt64](repeating: 0, count: max(lhs.limbs.count, rhs.limbs.count) + 1)
        var carry: UInt64 = 0
        for index in 0..<(sum.count - 1) {
            let (partial, overflow1) = lhs.limb(index).addingReportingOverflow(rhs.limb(index))
            let (total, overflow2) = partial.addingReportingOverflow(carry)
            sum[index] = total
            carry = (overflow1 ? 1 : 0) + (overflow2 ? 1 : 0)
        }
        sum[sum.count - 1] = carry
        return BigUInt(limbs: sum)
    }

    /// Difference of `lhs` and a `rhs` that must not be larger.
    static func - (lhs: BigUInt, rhs: BigUInt) -> BigUInt {
        precondition(lhs >= rhs, "BigUInt subtraction would be negative")
        var difference = lhs
        difference.subtract(rhs)
        return difference
    }

    static func * (lhs: BigUInt, rhs: BigUInt) -> BigUInt {
        guard !lhs.isZero, !rhs.isZero else { return BigUInt() }
        var product = [UInt64](repeating: 0, count: lhs.limbs.count + rhs.limbs.count)
        for (i, left) in lhs.limbs.enumerated() {
            var carry: UInt64 = 0
            for (j, right) in rhs.limbs.enumerated() {
                (carry, product[i + j]) = multiplyAdd(left, right, product[i + j], carry)
            }
            product[i + rhs.limbs.count] = carry
        }
        return BigUInt(limbs: product)
    }

    /// Remainder of `dividend` divided by a non-zero `modulus`.
    ///
    /// Binary long division: one shift and at most one subtraction per
    /// dividend bit. Slower than word-wise division, but RSA calls it only a
    /// handful of times per key or signature, on at most 8192-bit numbers.
    static func % (dividend: BigUInt, modulus: BigUInt) -> BigUInt {
        precondition(!modulus.isZero, "BigUInt remainder by zero")
        guard dividend >= modulus else { return dividend }
        var remainder = BigUInt()
        remainder.limbs.reserveCapacity(modulus.limbs.count + 1)
        for index in stride(from: dividend.bitWidth - 1, through: 0, by: -1) {
            remainder.shiftLeftOneBit(insertingLowBit: dividend.bit(at: index))
            if remainder >= modulus {
                remainder.subtract(modulus)
            }
        }
        return remainder
    }

    /// `self = self - other`, requiring `self >= other`.
    mutating func subtract(_ other: BigUInt) {
        var borrow: UInt64 = 0
        for index in limbs.indices {
            let (partial, overflow1) = limbs[index].subtractingReportingOverflow(other.limb(index))
            let (total, overflow2) = partial.subtractingReportingOverflow(borrow)
            limbs[index] = total
            borrow = (overflow1 || overflow2) ? 1 : 0
        }
        precondition(borrow == 0, "BigUInt subtraction would be negative")
        normalize()
    }

    /// `self = self * 2 + (lowBit ? 1 : 0)`.
    private mutating func shiftLeftOneBit(insertingLowBit lowBit: Bool) {
        var carry: UInt64 = lowBit ? 1 : 0
        for index in limbs.indices {
            let next = limbs[index] >> 63
            limbs[index] = limbs[index] << 1 | carry
            carry = next
        }
        if carry != 0 { limbs.append(carry) }
    }

    /// Limb `index`, or zero beyond the most significant limb.
    func limb(_ index: Int) -> UInt64 {
        index < limbs.count ? limbs[index] : 0
    }
}

/// `a * b + c + d` as a 128-bit (high, low) pair; it cannot overflow because
/// (2^64 - 1)^2 + 2 * (2^64 - 1) = 2^128 - 1.
@inline(__always)
func multiplyAdd(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> (high: UInt64, low: UInt64) {
    var (high, low) = a.multipliedFullWidth(by: b)
    var overflow: Bool
    (low, overflow) = low.addingReportingOverflow(c)
    high &+= overflow ? 1 : 0
    (low, overflow) = low.addingReportingOverflow(d)
    high &+= overflow ? 1 : 0
    return (high, low)
}
