import CQuotaSystem
import Glibc
import Synchronization

/// Outbound HTTP for the whole exporter, on libcurl's multi-socket API.
///
/// One `HTTPClient` owns one curl multi handle, its connection pool and one
/// loop thread (`OutboundLoop`): connections are kept alive and reused per
/// host, HTTP/2 servers get multiplexed streams, and up to `maxConcurrency`
/// transfers run at once with no lower hidden cap. A waiting request costs
/// a suspended task and an easy handle, no thread and no CPU.
///
/// Proxies: with no explicit `proxy`, curl reads `http_proxy` (lowercase
/// only, as curl does), `HTTPS_PROXY`/`https_proxy`, `ALL_PROXY` and
/// `NO_PROXY` itself.
public final class HTTPClient: Sendable {
    public struct Configuration: Sendable {
        /// Transfers (and connections) at once, for all hosts together.
        public var maxConcurrency: Int
        /// Sent unless a request sets its own User-Agent header.
        public var userAgent: String?

        public init(maxConcurrency: Int = 64, userAgent: String? = "quota_exporter") {
            self.maxConcurrency = maxConcurrency
            self.userAgent = userAgent
        }
    }

    public let configuration: Configuration
    private let loop: OutboundLoop
    private let thread: Mutex<pthread_t?>
    private let nextID = Atomic<UInt64>(1)

    /// Fails only when libcurl.so.4 cannot be loaded or the loop cannot start.
    public init(_ configuration: Configuration = Configuration()) throws(OutboundError) {
        self.configuration = configuration
        let loop = try OutboundLoop(maxConcurrency: configuration.maxConcurrency)
        self.loop = loop
        self.thread = Mutex(try loop.start())
    }

    deinit {
        loop.post(.stop)
        if let thread = thread.withLock({ $0.take() }) {
            pthread_detach(thread)
        }
    }

    /// curl's version line, for the startup log.
    public static var curlVersion: String { CurlRuntime.version }

    /// Stops the loop: requests still running fail with `.unavailable`.
    /// Returns once the loop thread has exited (a few milliseconds).
    public func shutdown() {
        loop.post(.stop)
        if let thread = thread.withLock({ $0.take() }) {
            pthread_join(thread, nil)
        }
    }

    /// CPU time the loop thread has used so far: what waiting requests cost.
    /// Nil after shutdown.
    var loopCPUTime: Duration? {
        thread.withLock { thread -> Duration? in
            guard let thread else { return nil }
            var clock = clockid_t()
            var now = timespec()
            guard pthread_getcpuclockid(thread, &clock) == 0, clock_gettime(clock, &now) == 0 else { return nil }
            return .seconds(now.tv_sec) + .nanoseconds(now.tv_nsec)
        }
    }

    /// Sends `request` and returns the complete response, whatever its
    /// status. Task cancellation aborts the transfer.
    public func send(_ request: OutboundRequest) async throws(OutboundError) -> OutboundResponse {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        let transfer = try Transfer(id: id, request: request, userAgent: configuration.userAgent)
        let loop = self.loop
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<OutboundResponse, OutboundError>, Never>) in
                transfer.continuation = continuation
                if !loop.post(.add(transfer)) {
                    transfer.continuation = nil
                    continuation.resume(returning: .failure(OutboundError(.unavailable, "HTTP client shut down")))
                }
            }
        } onCancel: {
            transfer.cancelRequested.store(true, ordering: .releasing)
            loop.post(.cancel(transfer))
        }
        return try result.get()
    }

    /// `send` with the request's parts as arguments.
    public func request(
        _ method: String,
        _ url: String,
        headers: [(name: String, value: String)] = [],
        body: [UInt8]? = nil,
        timeoutMilliseconds: Int = 10_000,
        maxResponseBytes: Int = 4 << 20,
        proxy: String? = nil,
        tls: TLSConfiguration = TLSConfiguration()
    ) async throws(OutboundError) -> OutboundResponse {
        try await send(OutboundRequest(
            method: method, url: url, headers: headers, body: body, timeoutMilliseconds: timeoutMilliseconds,
            maxResponseBytes: maxResponseBytes, proxy: proxy, tls: tls
        ))
    }
}
