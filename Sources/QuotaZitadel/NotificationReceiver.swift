#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QuotaCollection
import QuotaConcurrency
import QuotaConfig
import QuotaCrypto
import QuotaHTTP
import QuotaLogging

/// The endpoint ZITADEL posts usage notifications to:
/// `POST /zitadel/notifications/<instance id>/<secret>`.
///
/// ZITADEL neither signs nor authenticates these calls, so the secret in
/// the path is the only proof of origin. It is compared in constant time,
/// and an unknown instance looks exactly like a wrong secret (404), so the
/// endpoint does not tell a prober which instances exist. A notification
/// is acknowledged only once it is on disk: ZITADEL retries non-2xx.
final class NotificationReceiver: Sendable {
    /// What the receiver needs to know about one configured instance.
    struct Endpoint: Sendable {
        var configuredSecret: Secret?
        var store: StateStore
    }

    /// ZITADEL's payload is about 200 bytes; anything near this is not from it.
    static let maxBodyBytes = 16 << 10

    private let endpoints = Locked<[String: Endpoint]>([:])
    let counters: NotificationCounters
    /// Marks the instance's `quotas` target after a store, so the next
    /// scrape shows the new usage rather than the cached one.
    private let invalidations: TargetInvalidations
    private let logger: Logger
    private let clock: @Sendable () -> Double

    init(counters: NotificationCounters, invalidations: TargetInvalidations, logger: Logger, clock: @escaping @Sendable () -> Double) {
        self.counters = counters
        self.invalidations = invalidations
        self.logger = logger.with(["provider": "zitadel"])
        self.clock = clock
    }

    /// Replaces the instances accepted, after a configuration is applied.
    func setEndpoints(_ new: [String: Endpoint]) {
        endpoints.withLock { $0 = new }
    }

    var instanceIDs: [String] {
        endpoints.current.keys.sorted()
    }

    func endpoint(_ instance: String) -> Endpoint? {
        endpoints.current[instance]
    }

    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let segments = request.path.dropFirst(ZitadelInstance.receiverPath.count).split(separator: "/", omittingEmptySubsequences: false)
        // "/<instance>/<secret>" splits into "", instance, secret.
        guard segments.count == 3, segments[0].isEmpty, !segments[1].isEmpty, !segments[2].isEmpty,
              let endpoint = endpoints.current[String(segments[1])]
        else {
            return reject(.unauthorized, 404, "not found", request, instance: nil)
        }
        let instance = String(segments[1])
        var expected = endpoint.configuredSecret?.revealed
        do {
            if expected == nil {
                expected = try endpoint.store.existingReceiverSecret(for: instance)
            }
        } catch {
            logger.error("cannot check a notification's secret: state file unusable", ["account": instance, "err": error.description])
            return reject(.error, 500, "state unavailable", request, instance: instance)
        }
        guard let expected, constantTimeEquals(Array(segments[2].utf8), Array(expected.utf8)) else {
            return reject(.unauthorized, 404, "not found", request, instance: nil)
        }
        guard request.body.count <= Self.maxBodyBytes else {
            return reject(.tooLarge, 413, "body larger than \(Self.maxBodyBytes) bytes", request, instance: instance)
        }
        let notification: ZitadelNotification
        do {
            notification = try ZitadelNotification.parse(request.body, receivedAt: clock())
        } catch {
            return reject(.invalid, 400, error.description, request, instance: instance)
        }
        do {
            switch try endpoint.store.record(notification, instance: instance) {
            case .stored:
                counters.increment(.stored)
                invalidations.invalidate(TargetIdentity(provider: "zitadel", account: instance, collector: "quotas"))
                logger.info("usage notification stored", [
                    "account": instance, "quota": notification.unit.quotaName, "id": notification.id,
                    "period_start": RFC3339Text.format(notification.periodStart),
                    "threshold": String(notification.threshold), "usage": String(notification.usage),
                ])
                return .text(200, "stored\n")
            case .duplicate:
                counters.increment(.duplicate)
                logger.debug("usage notification already stored", ["account": instance, "id": notification.id])
                return .text(200, "already stored\n")
            }
        } catch {
            logger.error("cannot store usage notification; answering 500 so ZITADEL retries", ["account": instance, "id": notification.id, "err": error.description])
            return reject(.error, 500, "could not store the notification", request, instance: instance)
        }
    }

    /// Counts and logs a refused request. The path is never logged: it holds the secret.
    private func reject(_ outcome: NotificationCounters.Outcome, _ status: Int, _ reason: String, _ request: HTTPRequest, instance: String?) -> HTTPResponse {
        counters.increment(outcome)
        if outcome != .error {
            var fields: [(String, String)] = [("outcome", outcome.rawValue), ("status", String(status)), ("remote", request.remoteAddress)]
            if let instance { fields.append(("account", instance)) }
            fields.append(("reason", reason))
            logger.log(.warn, "usage notification refused", fields: fields)
        }
        return .text(status, reason + "\n")
    }
}
