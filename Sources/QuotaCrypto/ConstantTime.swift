/// Compares two byte strings in time that depends only on their lengths.
///
/// Use it for MACs and signatures: an early-exit `==` would tell an attacker
/// who can time the comparison how many leading bytes they guessed right.
/// Lengths are not secret (a MAC's length is public), so a length mismatch
/// returns `false` immediately.
public func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for index in lhs.indices {
        difference |= lhs[index] ^ rhs[index]
    }
    return difference == 0
}
