extension String {
    /// Every occurrence of `target` replaced, matched on UTF-8 bytes rather
    /// than Characters: a secret followed by a combining mark, or ending in
    /// `\r` before a `\n`, is still found (a Character-wise match, like the
    /// standard library's `replacing`, would miss it and leak it).
    public func replacingBytes(of target: String, with replacement: String) -> String {
        let needle = Array(target.utf8)
        guard !needle.isEmpty else { return self }
        let haystack = Array(utf8)
        var out: [UInt8] = []
        out.reserveCapacity(haystack.count)
        var index = 0
        while index < haystack.count {
            if haystack[index] == needle[0], index + needle.count <= haystack.count,
                haystack[index..<index + needle.count].elementsEqual(needle) {
                out.append(contentsOf: replacement.utf8)
                index += needle.count
            } else {
                out.append(haystack[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
