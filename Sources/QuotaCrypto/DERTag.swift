/// The universal ASN.1 tags (X.680 §8.4) that RSA key structures use, with
/// the constructed bit already applied to SEQUENCE.
enum DERTag: UInt8, Sendable {
    case integer = 0x02
    case bitString = 0x03
    case octetString = 0x04
    case null = 0x05
    case objectIdentifier = 0x06
    case sequence = 0x30

    /// The ASN.1 name, for error messages.
    var name: String {
        switch self {
        case .integer: "INTEGER"
        case .bitString: "BIT STRING"
        case .octetString: "OCTET STRING"
        case .null: "NULL"
        case .objectIdentifier: "OBJECT IDENTIFIER"
        case .sequence: "SEQUENCE"
        }
    }
}
