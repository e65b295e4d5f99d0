import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import QuotaConcurrency
import QuotaLogging
import QuotaTime

/// The HTTP client every provider shares, on one URLSession.
///
/// It enforces what keeps an exporter a good API citizen: a total timeout
/// per request, a cap on the response size, `Retry-After` on 429/503 (no
/// request with that rate-limit scope until it has passed), and a few
/// retries with backoff on 5xx. Each attempt is counted by status in
/// `quota_exporter_upstream_requests_total`.
public final class UpstreamClient: Sendable {
    public struct Settings: Sendable {
        /// Upper bound for one attempt, connect to last byte.
        public var requestTimeout: Double = 10
        public var maxResponseBytes: Int = 4 << 20
        /// Extra attempts after a 5xx or a dropped connection.
        public var maxRetries: Int = 2
        /// First backoff; doubled each retry, with jitter.
        public var retryBaseDelay: Double = 0.5
        /// Block after a 429 that names no `Retry-After`.
        public var defaultRateLimitBlock: Double = 60
        /// Longest block honoured, so a bogus header can't silence a provider for days.
        public var maxRateLimitBlock: Double = 3600
        public var userAgent: String = "quota_exporter"

        public init() {}
    }

    public let provider: String
    public let settings: Settings
    private let counter: UpstreamRequestCounter
    private let gate: RateLimitGate
    private let session: URLSession
    private let delegate: SessionDelegate
    private let logger: Logger

    public init(provider: String, settings: Settings = Settings(), counter: UpstreamRequestCounter, logger: Logger) {
        self.provider = provider
        self.settings = settings
        self.counter = counter
        self.gate = RateLimitGate()
        self.logger = logger.with(["provider": provider])
        (self.session, self.delegate) = Self.session(requestTimeout: settings.requestTimeout)
    }

    /// One URLSession (and its delegate) per request timeout for the whole
    /// process, created on first use and never invalidated. Invalidating a
    /// FoundationNetworking session while libcurl still has callbacks queued
    /// on libdispatch can crash the process; sessions are few and live as
    /// long as the providers that use them anyway. Task identifiers are
    /// unique per session, which is all the delegate needs.
    private static let sessions = Locked<[Double: SharedSession]>([:])

    private struct SharedSession: @unchecked Sendable {
        let session: URLSession
        let delegate: SessionDelegate
    }

    private static func session(requestTimeout: Double) -> (URLSession, SessionDelegate) {
        let shared = sessions.withLock { sessions in
            if let existing = sessions[requestTimeout] { return existing }
            let configuration = URLSessionConfiguration.ephemeral
            configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
            configuration.urlCache = nil
            configuration.httpCookieStorage = nil
            configuration.httpShouldSetCookies = false
            configuration.timeoutIntervalForRequest = requestTimeout
            configuration.timeoutIntervalForResource = requestTimeout
            let delegate = SessionDelegate()
            let created = SharedSession(session: URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil), delegate: delegate)
            sessions[requestTimeout] = created
            return created
        }
        return (shared.session, shared.delegate)
    }

    /// Unix time until which `scope` is blocked by a `Retry-After`, if it is.
    public func blockedUntil(scope: String) -> Date? {
        gate.blockedUntil(scope)
    }

    /// Sends `request`, retrying 5xx and dropped connections with backoff,
    /// and returns the final response whatever its status; the caller maps
    /// statuses and the provider's error body to a `CollectorError`.
    /// Throws only when there is no response to hand back: blocked by
    /// `Retry-After`, timed out, too large, or no connection.
    public func send(_ request: UpstreamRequest) async throws(CollectorError) -> UpstreamResponse {
        var attempt = 0
        while true {
            if let until = gate.blockedUntil(request.rateLimitScope) {
                throw CollectorError(.rateLimited, "not calling \(provider) until \(Self.iso(until)) (Retry-After)")
            }
            let outcome: Result<UpstreamResponse, SessionDelegate.Failure>
            do {
                outcome = .success(try await perform(request))
            } catch let failure as SessionDelegate.Failure {
                outcome = .failure(failure)
            } catch {
                outcome = .failure(.transport(String(describing: error)))
            }
            switch outcome {
            case .success(let response):
                counter.record(provider: provider, code: String(response.status))
                if response.status == 429 || (response.status == 503 && response.header("retry-after") != nil) {
                    block(request.rateLimitScope, response)
                    return response
                }
                if (500...599).contains(response.status), request.retryable, attempt < settings.maxRetries {
                    attempt += 1
                    logger.debug("retrying after server error", ["status": String(response.status), "attempt": String(attempt)])
                    await backoff(attempt)
                    continue
                }
                return response
            case .failure(let failure):
                counter.record(provider: provider, code: UpstreamRequestCounter.noResponse)
                switch failure {
                case .tooLarge(let limit):
                    throw CollectorError(.decode, "response from \(request.url.host ?? "upstream") larger than \(limit) bytes")
                case .timedOut:
                    throw CollectorError(.timeout, "no complete response from \(request.url.host ?? "upstream") within \(settings.requestTimeout)s")
                case .cancelled:
                    throw CollectorError(.timeout, "request to \(request.url.host ?? "upstream") cancelled at the collection deadline")
                case .transport(let message):
                    if request.retryable, attempt < settings.maxRetries, !Task.isCancelled {
                        attempt += 1
                        logger.debug("retrying after transport error", ["err": message, "attempt": String(attempt)])
                        await backoff(attempt)
                        continue
                    }
                    throw CollectorError(.network, "\(request.url.host ?? "upstream"): \(message)")
                }
            }
        }
    }

    private func perform(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        urlRequest.timeoutInterval = settings.requestTimeout
        urlRequest.setValue(settings.userAgent, forHTTPHeaderField: "User-Agent")
        for header in request.headers {
            urlRequest.setValue(header.value, forHTTPHeaderField: header.name)
        }
        if let body = request.body {
            urlRequest.httpBody = Data(body)
        }
        let task = session.dataTask(with: urlRequest)
        let delegate = self.delegate
        let timeout = settings.requestTimeout
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                delegate.register(task, maxBytes: settings.maxResponseBytes, continuation: continuation)
                let timer = DispatchWorkItem { [weak task] in
                    if let task { delegate.fail(task, with: .timedOut) }
                }
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
                task.resume()
                _ = timer
            }
        } onCancel: {
            delegate.fail(task, with: .cancelled)
        }
    }

    private func block(_ scope: String, _ response: UpstreamResponse) {
        let requested = response.header("retry-after").flatMap { RetryAfter.delay($0) } ?? settings.defaultRateLimitBlock
        let seconds = min(max(requested, 1), settings.maxRateLimitBlock)
        let until = Date().addingTimeInterval(seconds)
        gate.block(scope, until: until)
        // Debug: the collection that got the 429 logs it at warn with the
        // provider's words and the pause, one line per event.
        logger.debug("provider rate limit hit; pausing requests", [
            "status": String(response.status), "retry_after_seconds": String(Int(seconds.rounded(.up))), "until": Self.iso(until),
        ])
    }

    private func backoff(_ attempt: Int) async {
        let base = settings.retryBaseDelay * pow(2, Double(attempt - 1))
        let jittered = base * Double.random(in: 0.8...1.2)
        try? await Task.sleep(nanoseconds: UInt64(jittered * 1_000_000_000))
    }

    static func iso(_ date: Date) -> String {
        RFC3339.format(unixSeconds: date.timeIntervalSince1970)
    }
}

/// Per-scope "do not call before" times, shared by all targets of a provider.
final class RateLimitGate: @unchecked Sendable {
    private let lock = NSLock()
    private var until: [String: Date] = [:]

    func block(_ scope: String, until date: Date) {
        lock.lock()
        if let existing = until[scope], existing > date {
            lock.unlock()
            return
        }
        until[scope] = date
        lock.unlock()
    }

    func blockedUntil(_ scope: String) -> Date? {
        lock.lock()
        defer { lock.unlock() }
        guard let date = until[scope] else { return nil }
        if date <= Date() {
            until[scope] = nil
            return nil
        }
        return date
    }
}
