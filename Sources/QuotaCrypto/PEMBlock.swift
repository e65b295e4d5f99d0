import QuotaText

/// One `-----BEGIN label-----` … `-----END label-----` block of a PEM file
/// (RFC 7468), decoded to its DER bytes.
struct PEMBlock: Sendable {
    /// The text between "BEGIN " and the closing dashes, e.g. "PRIVATE KEY".
    let label: String
    /// RFC 1421 style "Name: value" lines before the body. Only legacy
    /// OpenSSL encrypted keys have them ("Proc-Type: 4,ENCRYPTED").
    let headers: [String: String]
    let der: [UInt8]

    /// Every PEM block in `text`, in order.
    ///
    /// Text outside blocks is ignored (RFC 7468 §2 allows explanatory text),
    /// as are CR line endings and whitespace around and inside body lines, so
    /// keys pasted from Windows editors or YAML still load.
    static func parseAll(_ text: String) throws -> [PEMBlock] {
        var blocks: [PEMBlock] = []
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)[...]
        while let line = lines.popFirst() {
            guard let label = boundaryLabel(line, kind: "BEGIN") else { continue }
            var headers: [String: String] = [:]
            var body = ""
            var foundEnd = false
            while let bodyLine = lines.popFirst() {
                if let endLabel = boundaryLabel(bodyLine, kind: "END") {
                    guard endLabel == label else {
                        throw KeyDecodingError.malformedPEM("BEGIN \(label) is closed by END \(endLabel)")
                    }
                    foundEnd = true
                    break
                }
                if let colon = bodyLine.firstIndex(of: ":") {
                    let name = bodyLine[..<colon].trimmingWhitespace()
                    headers[name] = bodyLine[bodyLine.index(after: colon)...].trimmingWhitespace()
                } else {
                    body += bodyLine.filter { !$0.isWhitespace }
                }
            }
            guard foundEnd else {
                throw KeyDecodingError.malformedPEM("BEGIN \(label) has no matching END line")
            }
            guard !body.isEmpty else {
                throw KeyDecodingError.malformedPEM("the \(label) block is empty")
            }
            guard let der = Base64.decode(body) else {
                throw KeyDecodingError.malformedPEM("the body of the \(label) block is not valid base64")
            }
            blocks.append(PEMBlock(label: label, headers: headers, der: der))
        }
        return blocks
    }

    /// The label of a `-----BEGIN label-----` (or END) line, else `nil`.
    private static func boundaryLabel(_ line: Substring, kind: String) -> String? {
        let trimmed = line.trimmingWhitespace()
        let prefix = "-----\(kind) ", suffix = "-----"
        guard trimmed.hasPrefix(prefix), trimmed.hasSuffix(suffix),
              trimmed.count >= prefix.count + suffix.count else { return nil }
        return String(trimmed.dropFirst(prefix.count).dropLast(suffix.count))
    }
}
