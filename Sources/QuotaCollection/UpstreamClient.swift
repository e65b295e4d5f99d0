#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QuotaConcurrency
import QuotaLogging
import QuotaTime
import QuotaOutbound

/// The HTTP client every provider shares, on libcurl through `QuotaOutbound`.
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
        /// Explicit proxy for this provider (`http://host:port`); nil leaves
        /// curl to read `HTTPS_PROXY`/`http_proxy`/`NO_PROXY`.
        public var proxyURL: String?
        /// CA, client certificate and server name for private endpoints.
        public var tls = TLSConfiguration()

        public init() {}
    }

    public let provider: String
    public let settings: Settings
    private let counter: UpstreamRequestCounter
    private let gate: RateLimitGate
    private let transport: UpstreamTransport
    private let logger: Logger

    public init(provider: String, settings: Settings = Settings(), counter: UpstreamRequestCounter, logger: Logger) {
        self.provider = provider
        self.settings = settings
        self.counter = counter
        self.logger = logger.with(["provider": provider])
        self.gate = RateLimitGate(logger: self.logger)
        self.transport = UpstreamTransport.shared
    }

    private init(sharing base: UpstreamClient, settings: Settings) {
        self.provider = base.provider
        self.settings = settings
        self.counter = base.counter
        self.gate = base.gate
        self.logger = base.logger
        self.transport = base.transport
    }

    /// The client for one configuration entry: its proxy and TLS settings,
    /// with this client's `Retry-After` blocks and counter. The blocks stay
    /// shared because they are per credential, and two entries may share one.
    public func forEntry(_ common: TargetCommon) -> UpstreamClient {
        forConnection(common.connection)
    }

    public func forConnection(_ connection: EntryConnection) -> UpstreamClient {
        guard connection != EntryConnection() else { return self }
        var settings = self.settings
        if let proxyURL = connection.proxyURL { settings.proxyURL = proxyURL }
        if connection.tls != TLSConfiguration() { settings.tls = connection.tls }
        return UpstreamClient(sharing: self, settings: settings)
    }

    /// Unix time until which `scope` is blocked by a `Retry-After`, if it is.
    public func blockedUntil(scope: String) -> Double? {
        gate.active(scope)?.until
    }

    /// Sends `request`, retrying 5xx and dropped connections with backoff,
    /// and returns the final response whatever its status; the caller maps
    /// statuses and the provider's error body to a `CollectorError`.
    /// Throws only when there is no response to hand back: blocked by
    /// `Retry-After`, timed out, too large, or no connection.
    ///
    /// Each attempt takes a slot of the running cache's `UpstreamSlots` (per
    /// origin and credential, under the global cap) only around the
    /// transfer itself: not while refused by a block, nor while sleeping
    /// before a retry, so a failing provider cannot hold slots it is not using.
    public func send(_ request: UpstreamRequest) async throws(CollectorError) -> UpstreamResponse {
        let lane = UpstreamLane(request)
        let slots = UpstreamSlots.current ?? .standalone
        let collection = CollectionAttempt.current
        var attempt = 0
        while true {
            try refuseIfBlocked(request, collection)
            guard await slots.acquire(lane) else {
                throw CollectorError(.timeout, "gave up waiting for a free request slot for \(request.url.host) at the collection deadline")
            }
            // A block may have started while this request waited for its slot.
            if let block = gate.active(request.rateLimitScope) {
                slots.release(lane)
                throw refusal(block, collection)
            }
            collection?.markSent()
            let outcome = await transport.perform(request, settings: settings)
            slots.release(lane)
            switch outcome {
            case .success(let response):
                counter.record(provider: provider, code: String(response.status))
                if response.status == 429 || (response.status == 503 && response.header("retry-after") != nil) {
                    block(request, response, collection)
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
                    throw CollectorError(.decode, "response from \(request.url.host) larger than \(limit) bytes")
                case .timedOut(let detail):
                    throw CollectorError(.timeout, "no complete response from \(request.url.host) within \(settings.requestTimeout)s (\(detail))")
                case .cancelled:
                    throw CollectorError(.timeout, "request to \(request.url.host) cancelled at the collection deadline")
                case .transport(let message, let retryable):
                    if retryable, request.retryable, attempt < settings.maxRetries, !Task.isCancelled {
                        attempt += 1
                        logger.debug("retrying after transport error", ["err": message, "attempt": String(attempt)])
                        await backoff(attempt)
                        continue
                    }
                    throw CollectorError(.network, "\(request.url.host): \(message)")
                }
            }
        }
    }

    private func refuseIfBlocked(_ request: UpstreamRequest, _ collection: CollectionAttempt?) throws(CollectorError) {
        if let block = gate.active(request.rateLimitScope) {
            throw refusal(block, collection)
        }
    }

    /// The error of a refused call. It says whether the pause came from
    /// the provider's `Retry-After` or a default; it is not logged (the
    /// block's start and end lines are), only counted and shown.
    private func refusal(_ block: RateLimitBlock, _ collection: CollectionAttempt?) -> CollectorError {
        collection?.note(.duringBlock)
        return CollectorError(.rateLimited, "not calling \(provider) with this credential until \(Self.iso(block.until)) (\(block.summary))")
    }

    private func block(_ request: UpstreamRequest, _ response: UpstreamResponse, _ collection: CollectionAttempt?) {
        let header = response.header("retry-after")
        let requested = header.flatMap { RetryAfter.delay($0) }
        let seconds = min(max(requested ?? settings.defaultRateLimitBlock, 1), settings.maxRateLimitBlock)
        let source: RateLimitBlock.Source = switch (header, requested) {
        case (let value?, .some): .retryAfter(value)
        case (let value?, nil): .unreadableRetryAfter(value)
        case (nil, _): .defaultPause
        }
        let block = RateLimitBlock(until: WallClock.now() + seconds, seconds: seconds, source: source, status: response.status)
        let context = collection?.logFields ?? [("host", request.url.host)]
        let started = gate.block(request.rateLimitScope, block, context: context)
        if let collection {
            // Its failure line is the block's start line (with the provider's words).
            collection.note(started ? .startedBlock(block) : .duringBlock)
        } else if started {
            gate.logStart(block, context: context)
        }
        logger.log(.debug, "provider rate limit hit; pausing requests", fields: [
            ("status", String(response.status)), ("retry_after_seconds", String(Int(seconds.rounded(.up)))),
            ("until", Self.iso(block.until)), ("new_block", String(started)),
        ])
    }

    private func backoff(_ attempt: Int) async {
        let base = settings.retryBaseDelay * pow(2, Double(attempt - 1))
        let jittered = base * Double.random(in: 0.8...1.2)
        try? await Task.sleep(nanoseconds: UInt64(jittered * 1_000_000_000))
    }

    static func iso(_ unixSeconds: Double) -> String {
        RFC3339.format(unixSeconds: unixSeconds)
    }
}
