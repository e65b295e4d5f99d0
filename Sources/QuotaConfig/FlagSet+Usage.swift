extension FlagSet {
    /// The widest flag column before help text moves to its own line.
    static let maxFlagColumnWidth = 40

    /// Help text in the style of Prometheus exporters' `--help`:
    ///
    ///     usage: quota_exporter [<flags>]
    ///
    ///     Flags:
    ///       -h, --[no-]help            Show this help and exit.
    ///           --config.file=FILE     Path to the configuration file. (default: quota_exporter.json)
    ///           --web.listen-address=ADDRESS ...
    ///                                  Address to listen on. (default: :9185)
    ///
    /// Flags appear in declaration order; help text starts in one column,
    /// and a flag too wide for that column gets its help on the next line.
    public func usage(programName: String, summary: String? = nil) -> String {
        var text = "usage: \(programName) [<flags>]\n\n"
        if let summary { text += summary + "\n\n" }
        text += "Flags:\n"
        let rows = flags.map { (left: Self.flagColumn($0), right: Self.helpColumn($0)) }
        let fitting = rows.map(\.left.count).filter { $0 <= Self.maxFlagColumnWidth }
        let helpColumn = (fitting.max() ?? Self.maxFlagColumnWidth) + 2
        for row in rows {
            if row.right.isEmpty {
                text += row.left + "\n"
            } else if row.left.count + 2 <= helpColumn {
                text += row.left.padding(to: helpColumn) + row.right + "\n"
            } else {
                text += row.left + "\n" + "".padding(to: helpColumn) + row.right + "\n"
            }
        }
        return text
    }

    /// `  -h, --[no-]help`, `      --name=PLACEHOLDER`, with ` ...` for repeatable flags.
    private static func flagColumn(_ flag: Flag) -> String {
        let prefix = flag.short.map { "  -\($0), " } ?? "      "
        let spelling = flag.isBool ? "--[no-]\(flag.name)" : "--\(flag.name)=\(flag.placeholder)"
        return prefix + spelling + (flag.isRepeatable ? " ..." : "")
    }

    /// The help text and, when there is a meaningful one, `(default: ...)`.
    private static func helpColumn(_ flag: Flag) -> String {
        let defaultText: String? =
            switch flag.kind {
            case .string(let value): value.flatMap { $0.isEmpty ? nil : $0 }
            case .bool(let value): value ? "true" : nil
            case .repeatable(let values): values.isEmpty ? nil : values.joined(separator: ", ")
            case .duration(let value): value?.prometheusText
            }
        guard let defaultText else { return flag.help }
        return flag.help.isEmpty ? "(default: \(defaultText))" : "\(flag.help) (default: \(defaultText))"
    }
}

extension String {
    fileprivate func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
