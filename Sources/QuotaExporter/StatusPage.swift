import QuotaText
import QuotaCollection
import QuotaExposition
import QuotaTime

/// The page at `/`: the first place a person looks. Every quota with a
/// usage bar, limit, remaining and reset time; every collector's health and
/// last error. Plain HTML and inline CSS: no scripts, nothing fetched from
/// elsewhere, so it works in a locked-down cluster and in a terminal browser.
struct StatusPage: Sendable {
    var telemetryPath: String
    var configFile: String?
    var configProblem: String?
    /// Shown instead of the tables when no target is configured.
    var setupHint: String

    func render(_ snapshot: CollectionSnapshot, now: Double) -> String {
        var html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>quota_exporter</title>
        <style>\(Self.css)</style>
        </head>
        <body>
        <header><h1>quota_exporter</h1>
        <nav><a href="\(escape(telemetryPath))">Metrics</a> · <a href="/-/healthy">Healthy</a> · <a href="/-/ready">Ready</a></nav>
        <p class="meta">version \(escape(BuildInfo.version)) (revision \(escape(BuildInfo.revision)))\(configFile.map { " · config <code>\(escape($0))</code>" } ?? " · no config file")</p>
        </header>

        """
        if let configProblem {
            html += "<p class=\"banner bad\">Last configuration reload failed; still running the previous configuration: \(escape(configProblem))</p>\n"
        }
        if snapshot.targets.isEmpty {
            html += "<section><h2>Nothing to collect yet</h2><p>\(escape(setupHint))</p></section>\n</body>\n</html>\n"
            return html
        }
        html += summary(snapshot)
        html += quotaTable(snapshot, now: now)
        html += collectorTable(snapshot, now: now)
        html += "<footer>Values are cached per target for <code>min_interval</code> and kept for at most <code>max_staleness</code> while collection fails. Page rendered \(escape(Self.iso(now))).</footer>\n</body>\n</html>\n"
        return html
    }

    /// One line that answers "is anything wrong?" before any table is read.
    private func summary(_ snapshot: CollectionSnapshot) -> String {
        let readings = snapshot.targets.flatMap(\.readings)
        let down = snapshot.targets.filter { $0.up == false }.count
        let pending = snapshot.targets.filter { $0.up == nil }.count
        let exhausted = readings.filter { $0.exhausted == true }.count
        let high = readings.filter { reading in
            reading.exhausted != true && (Self.usageRatio(reading).map { $0 >= 0.8 } ?? false)
        }.count
        var parts: [String] = []
        parts.append(down > 0 ? "<span class=\"tag bad\">\(down) of \(snapshot.targets.count) collectors down</span>"
                              : "<span class=\"tag good\">all \(snapshot.targets.count - pending) collectors up</span>")
        if pending > 0 { parts.append("<span class=\"tag muted\">\(pending) pending</span>") }
        if exhausted > 0 { parts.append("<span class=\"tag bad\">\(exhausted) exhausted</span>") }
        if high > 0 { parts.append("<span class=\"tag warn\">\(high) above 80\u{a0}%</span>") }
        parts.append("<span class=\"muted\">\(readings.count) quotas</span>")
        return "<p class=\"summary\">\(parts.joined(separator: " "))</p>\n"
    }

    private func quotaTable(_ snapshot: CollectionSnapshot, now: Double) -> String {
        var rows = ""
        var count = 0
        for target in snapshot.targets {
            for reading in target.readings {
                count += 1
                let ratio = Self.usageRatio(reading)
                let bar: String
                if let ratio {
                    let percent = max(0, min(100, ratio * 100))
                    let level = ratio >= 0.95 ? "crit" : ratio >= 0.8 ? "warn" : "ok"
                    // Some APIs only say "limit reached" (Workers Builds): a full bar, but no made-up percentage.
                    let figure = Self.hasFigures(reading) ? FixedPoint.format(ratio * 100, decimals: 1) + "\u{a0}%" : "limit reached"
                    bar = "<div class=\"bar\"><div class=\"fill \(level)\" style=\"width:\(FixedPoint.format(percent, decimals: 1))%\"></div></div><span class=\"pct\">\(figure)</span>"
                } else {
                    bar = "<span class=\"muted\">no usage figure</span>"
                }
                var state: [String] = []
                if reading.exhausted == true { state.append("<span class=\"tag bad\">exhausted</span>") }
                if reading.enforced == true { state.append("<span class=\"tag\">enforced</span>") }
                if reading.enforced == false { state.append("<span class=\"tag muted\">not enforced</span>") }
                if target.servingStale { state.append("<span class=\"tag warn\">stale</span>") }
                let extra = (reading.labels + reading.info).map { "\(escape($0.name))=\(escape($0.value))" }.joined(separator: " ")
                rows += "<tr><td>\(escape(target.identity.provider))</td><td class=\"id\">\(escape(target.identity.account))</td>"
                rows += "<td><strong>\(escape(reading.quota))</strong>\(extra.isEmpty ? "" : "<div class=\"muted small\">\(extra)</div>")</td>"
                rows += "<td class=\"usage\">\(bar)</td>"
                rows += "<td class=\"num\">\(Self.amount(reading.usage))</td><td class=\"num\">\(Self.amount(reading.limit))</td><td class=\"num\">\(Self.amount(reading.remaining))</td>"
                rows += "<td>\(escape(reading.unit))</td>"
                rows += "<td class=\"when\">\(reading.resetTimestamp.map { "\(escape(Self.readableTime($0)))<div class=\"muted small\">\(escape(Self.relative($0 - now)))</div>" } ?? "<span class=\"muted\">—</span>")</td>"
                rows += "<td>\(state.joined(separator: " "))</td></tr>\n"
            }
        }
        if count == 0 {
            return "<section><h2>Quotas</h2><p class=\"muted\">No quota values yet: see the collectors below.</p></section>\n"
        }
        return """
        <section><h2>Quotas (\(count))</h2>
        <div class="scroll"><table><thead><tr><th>Provider</th><th>Account</th><th>Quota</th><th>Usage</th><th>Used</th><th>Limit</th><th>Remaining</th><th>Unit</th><th>Resets</th><th>State</th></tr></thead>
        <tbody>
        \(rows)</tbody></table></div></section>

        """
    }

    private func collectorTable(_ snapshot: CollectionSnapshot, now: Double) -> String {
        var rows = ""
        for target in snapshot.targets {
            let health: String
            switch target.up {
            case true?: health = "<span class=\"tag good\">up</span>"
            case false?: health = "<span class=\"tag bad\">down</span>"
            case nil: health = "<span class=\"tag muted\">pending</span>"
            }
            let errors = target.errorsTotal.filter { $0.value > 0 }.sorted { $0.key.rawValue < $1.key.rawValue }
                .map { "\($0.key.rawValue)\u{a0}\($0.value)" }.joined(separator: ", ")
            var lastError = "<span class=\"muted\">—</span>"
            if let error = target.lastError {
                let when = target.lastErrorTime.map { Self.relative($0 - now) } ?? ""
                lastError = "<span class=\"err\">\(escape(error.description))</span><div class=\"muted small\">\(escape(when))</div>"
            }
            rows += "<tr><td>\(escape(target.identity.provider))</td><td class=\"id\">\(escape(target.identity.account))</td><td>\(escape(target.identity.collector))</td>"
            rows += "<td>\(health)\(target.refreshing ? " <span class=\"muted small\">refreshing</span>" : "")</td>"
            rows += "<td>\(target.lastSuccess.map { escape(Self.relative($0 - now)) } ?? "<span class=\"muted\">never</span>")</td>"
            rows += "<td class=\"num\">\(target.lastDuration.map { FixedPoint.format($0, decimals: 3) + "\u{a0}s" } ?? "—")</td>"
            rows += "<td>\(errors.isEmpty ? "<span class=\"muted\">none</span>" : escape(errors))</td><td>\(lastError)</td></tr>\n"
        }
        return """
        <section><h2>Collectors (\(snapshot.targets.count))</h2>
        <div class="scroll"><table><thead><tr><th>Provider</th><th>Account</th><th>Collector</th><th>Health</th><th>Last success</th><th>Duration</th><th>Errors</th><th>Last error</th></tr></thead>
        <tbody>
        \(rows)</tbody></table></div></section>

        """
    }

    /// Whether the page can show a percentage rather than only the exhausted flag.
    static func hasFigures(_ reading: QuotaReading) -> Bool {
        reading.limit != nil && (reading.usage != nil || reading.remaining != nil)
    }

    /// Used share of the limit, from usage or, failing that, from remaining.
    static func usageRatio(_ reading: QuotaReading) -> Double? {
        guard let limit = reading.limit, limit > 0 else {
            return reading.exhausted == true ? 1 : nil
        }
        if let usage = reading.usage { return usage / limit }
        if let remaining = reading.remaining { return (limit - remaining) / limit }
        return nil
    }

    /// Digits grouped by thin spaces (1 000 000), which read the same in
    /// every locale; fractions to two places.
    static func amount(_ value: Double?) -> String {
        guard let value else { return "<span class=\"muted\">—</span>" }
        guard value.isFinite else { return String(value) }
        let whole = value == value.rounded() && abs(value) < 1e15
        let text = whole ? String(Int64(value)) : FixedPoint.format(value, decimals: 2)
        let sign = text.hasPrefix("-") ? "-" : ""
        let unsigned = sign.isEmpty ? Substring(text) : text.dropFirst()
        let integer = unsigned.prefix { $0 != "." }
        let fraction = unsigned.dropFirst(integer.count)
        var grouped = ""
        for (index, digit) in integer.enumerated() {
            if index > 0, (integer.count - index) % 3 == 0 { grouped += "\u{2009}" }
            grouped.append(digit)
        }
        return sign + grouped + fraction
    }

    static func relative(_ seconds: Double) -> String {
        // Timestamps come through the RFC 3339 parser (years 0000-9999), but
        // the integer conversions below must not trap whatever arrives.
        guard seconds.isFinite, abs(seconds) < 1e15 else { return "—" }
        let magnitude = abs(seconds)
        let text: String
        if magnitude < 60 {
            text = "\(Int(magnitude))s"
        } else if magnitude < 3600 {
            text = "\(Int(magnitude / 60))m"
        } else if magnitude < 86_400 {
            text = "\(Int(magnitude / 3600))h \(Int(magnitude.truncatingRemainder(dividingBy: 3600) / 60))m"
        } else {
            text = "\(Int(magnitude / 86_400))d \(Int(magnitude.truncatingRemainder(dividingBy: 86_400) / 3600))h"
        }
        return seconds >= 0 ? "in \(text)" : "\(text) ago"
    }

    static func iso(_ unixSeconds: Double) -> String {
        RFC3339.format(unixSeconds: unixSeconds)
    }

    /// `2026-12-01 00:00 UTC`: what a person scans for in a table.
    static func readableTime(_ unixSeconds: Double) -> String {
        let text = iso(unixSeconds)  // 2026-12-01T00:00:00Z
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(5)) + " UTC"
    }

    static let css = """
    body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1440px;padding:16px 24px;color:#1d2433;background:#fafbfc}
    h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px}
    nav a{color:#1f5fbf}.meta,.muted{color:#6b7280}.small{font-size:12px}
    .scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #e3e6eb}
    th,td{padding:6px 8px;border-bottom:1px solid #eceef2;text-align:left;vertical-align:top}
    td.id{font:12px/1.5 ui-monospace,"DejaVu Sans Mono",monospace;word-break:break-all;min-width:17ch;max-width:20ch}
    th{background:#f2f4f7;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
    .usage{white-space:nowrap}.when{white-space:nowrap}.summary{margin:12px 0 0}.summary .tag{font-size:13px;padding:2px 8px}.bar{display:inline-block;width:96px;height:10px;background:#e8eaee;border-radius:5px;overflow:hidden;vertical-align:middle}
    .fill{height:100%}.fill.ok{background:#2e9d5b}.fill.warn{background:#e0a100}.fill.crit{background:#d23c3c}.pct{margin-left:6px;font-variant-numeric:tabular-nums}
    .tag{display:inline-block;padding:0 6px;border-radius:8px;background:#e8eaee;font-size:12px}.tag.good{background:#d6f2e0;color:#17623a}
    .tag.bad{background:#fbdada;color:#8f1c1c}.tag.warn{background:#fcefc7;color:#7a5800}.err{color:#8f1c1c}
    .banner{padding:8px 12px;border-radius:6px}.banner.bad{background:#fbdada;color:#8f1c1c}
    footer{margin-top:24px;color:#6b7280;font-size:12px}code{font-size:12px}
    """
}

/// HTML-escapes text for element content and double-quoted attributes.
func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(character)
        }
    }
    return out
}
