extension StringProtocol {
    /// The text without leading and trailing whitespace and newlines: the
    /// one Foundation string call most modules needed, kept here so the
    /// binary does not carry Foundation (and ICU) for it.
    public func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = lastIndex(where: { !$0.isWhitespace })!
        return String(self[first...last])
    }
}
