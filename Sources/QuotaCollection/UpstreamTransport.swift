import QuotaOutbound

/// The one `HTTPClient` (one curl multi handle, one loop thread, one
/// connection pool) that every provider's `UpstreamClient` sends through,
/// so connections to a host are reused across targets and providers.
///
/// Its cap is 64 transfers at once, the top of `max_concurrency`'s range
/// and its default: requests are already bounded by the cache's
/// `UpstreamSlots` (per upstream and in all), so this is never a lower
/// hidden cap below the configured one, and curl does not have to queue
/// transfers of its own.
struct UpstreamTransport: Sendable {
    enum Failure: Error {
        case tooLarge(Int)
        /// Curl's words, which say how far the transfer got.
        case timedOut(String)
        case cancelled
        /// Curl's words. Not retryable when trying again cannot help: a TLS
        /// verification failure, a proxy refusing, a malformed request.
        case transport(String, retryable: Bool)
    }

    static let maxTransfers = 64
    static let shared = UpstreamTransport()

    /// Made on the first request, not when providers are built: a
    /// `--config.check` run or an exporter still starting up (signals not yet
    /// wired) neither loads libcurl nor starts the loop thread.
    private static let client = Result { () throws(OutboundError) in
        try HTTPClient(HTTPClient.Configuration(maxConcurrency: maxTransfers, userAgent: nil))
    }

    func perform(_ request: UpstreamRequest, settings: UpstreamClient.Settings) async -> Result<UpstreamResponse, Failure> {
        let client: HTTPClient
        switch Self.client {
        case .success(let shared): client = shared
        case .failure(let error): return .failure(.transport("outbound HTTP unavailable: \(error.message)", retryable: false))
        }
        var headers = request.headers
        if !headers.contains(where: { $0.name.lowercased() == "user-agent" }) {
            headers.insert((name: "User-Agent", value: settings.userAgent), at: 0)
        }
        let outbound = OutboundRequest(
            method: request.method,
            url: request.url.absoluteString,
            headers: headers,
            body: request.body,
            timeoutMilliseconds: Self.milliseconds(settings.requestTimeout),
            maxResponseBytes: settings.maxResponseBytes,
            proxy: settings.proxyURL,
            tls: settings.tls
        )
        do {
            let response = try await client.send(outbound)
            return .success(UpstreamResponse(status: response.status, headers: Self.lowercasedHeaders(response.headers), body: response.body))
        } catch {
            switch error.kind {
            case .tooLarge: return .failure(.tooLarge(settings.maxResponseBytes))
            case .timeout: return .failure(.timedOut(error.message))
            case .cancelled: return .failure(.cancelled)
            case .tls, .proxy, .invalidRequest, .unavailable: return .failure(.transport(error.message, retryable: false))
            case .resolve, .connect, .transport: return .failure(.transport(error.message, retryable: true))
            }
        }
    }

    /// Seconds from the settings, range-checked before the conversion: at
    /// least 1 ms, at most a day.
    static func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 1 }
        return Int(min(seconds, 86_400) * 1000).clamped(to: 1...86_400_000)
    }

    /// Header names lowercased; repeated fields joined as RFC 9110 allows.
    static func lowercasedHeaders(_ fields: [(name: String, value: String)]) -> [String: String] {
        var headers: [String: String] = [:]
        for field in fields {
            let name = field.name.lowercased()
            headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
        }
        return headers
    }
}

private extension Int {
    func clamped(to range: ClosedRange<Int>) -> Int { Swift.min(Swift.max(self, range.lowerBound), range.upperBound) }
}
