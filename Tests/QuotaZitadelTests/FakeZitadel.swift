import Foundation
import QuotaCollection
import QuotaConfig
import QuotaCrypto
import QuotaHTTP

/// A fake ZITADEL system API on loopback. It checks every request's JWT
/// with the system user's public key and claims, keeps quotas per instance
/// and unit like ZITADEL (SetQuota upserts, AddQuota refuses an existing
/// unit with AlreadyExists), can play an old server without SetQuota or
/// fail on demand, and posts usage notifications to a quota's callUrl the
/// way ZITADEL does.
final class FakeZitadel: @unchecked Sendable {
    struct Call: Sendable {
        let method: String
        let path: String
        let body: JSONValue?
        /// Whether the bearer JWT verified and its claims were right.
        let authenticated: Bool
        let claims: JSONValue?
    }

    /// The success answer of the seed page's schema (`details`).
    static let successBody = #"{"details":{"sequence":"2","creationDate":"2026-11-01T10:00:00.123456Z","changeDate":"2026-11-01T10:00:00.123456Z","resourceOwner":"123456789012345678"}}"#
    static let alreadyExistsBody = #"{"code":6,"message":"Errors.Quota.AlreadyExists","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"QUOTA-QvbA3","message":"Errors.Quota.AlreadyExists"}]}"#
    /// What grpc-gateway answers for a known path with an unknown method.
    static let methodNotAllowedBody = #"{"code":12,"message":"Method Not Allowed","details":[]}"#
    static let unauthenticatedBody = #"{"code":16,"message":"Errors.Token.Invalid (AUTH-7fs1e)","details":[]}"#

    let publicKey: RSAPublicKey?
    let userID: String
    /// A static token accepted instead of a JWT, for token_file tests.
    let staticToken: String?
    private let lock = NSLock()
    private var _calls: [Call] = []
    private var _quotas: [String: [String: JSONValue]] = [:]
    private var _legacy = false
    private var _failure: (status: Int, body: String, method: String?)?
    private var _echo: EchoStyle?
    /// How often a quota's notification list was created or replaced, per
    /// instance and unit: ZITADEL generates new notification ids then and
    /// forgets which thresholds it already reported.
    private var _renewals: [String: Int] = [:]
    private var server: HTTPServer!
    private(set) var port: UInt16 = 0

    init(publicKey: RSAPublicKey?, userID: String = "quota-exporter", staticToken: String? = nil) throws {
        self.publicKey = publicKey
        self.userID = userID
        self.staticToken = staticToken
        server = HTTPServer(
            configuration: HTTPServerConfiguration(listenAddresses: [try ListenAddress(parsing: "127.0.0.1:0")]),
            // Weak: the listener can outlive the fake by a request that was already
            // on its way when the test ended; that request gets a 503, not a crash.
            handler: ClosureHTTPHandler { [weak self] request in
                self?.handle(request) ?? HTTPResponse(status: 503, body: Array("the fake is gone\n".utf8))
            },
            logger: .disabled
        )
        try server.start()
        port = server.boundAddresses[0].port
    }

    var url: String { "http://127.0.0.1:\(port)" }

    var calls: [Call] { lock.withLock { _calls } }

    func renewals(instance: String, unit: String) -> Int {
        lock.withLock { _renewals[instance + "/" + unit] ?? 0 }
    }

    /// ZITADEL's comparison of notification lists: sorted by percent,
    /// callUrl and repeat, ids aside (its `quotaWriteModel.NewChanges`).
    static func notificationKeys(_ body: JSONValue?) -> [String] {
        (body?["notifications"]?.arrayValue ?? []).map { rule in
            let percent = rule["percent"]?.intValue ?? 0
            return String(format: "%08d ", percent) + (rule["callUrl"]?.stringValue ?? "") + ((rule["repeat"]?.boolValue ?? false) ? " 1" : " 0")
        }.sorted()
    }

    func quota(instance: String, unit: String) -> JSONValue? {
        lock.withLock { _quotas[instance]?[unit] }
    }

    func removeQuota(instance: String, unit: String) {
        lock.withLock { _quotas[instance]?[unit] = nil }
    }

    /// An old server: PUT is answered as grpc-gateway does for an unknown method.
    func setLegacy(_ legacy: Bool) {
        lock.withLock { _legacy = legacy }
    }

    /// Answer every call (or every call of `method`) with this until cleared with nil.
    func setFailure(_ failure: (status: Int, body: String)?, method: String? = nil) {
        lock.withLock { _failure = failure.map { ($0.status, $0.body, method) } }
    }

    /// How a misbehaving server (or proxy) repeats the request in its error.
    enum EchoStyle: Sendable {
        /// In ZITADEL's JSON `message`, with JSON's escaping of the body.
        case jsonMessage
        /// As a plain-text page, the raw request.
        case plainText
    }

    /// Answer every authenticated call with 400 and the request echoed back.
    func setEcho(_ style: EchoStyle?) {
        lock.withLock { _echo = style }
    }

    func stop() async {
        await server.shutdown(gracePeriod: 1)
    }

    private func handle(_ request: HTTPRequest) -> HTTPResponse {
        let (authenticated, claims) = verify(request.headers["Authorization"])
        let body = try? JSONValue.parse(request.body)
        lock.withLock {
            _calls.append(Call(method: request.method, path: request.path, body: body, authenticated: authenticated, claims: claims))
        }
        guard authenticated else { return json(401, Self.unauthenticatedBody) }
        if let echo = lock.withLock({ _echo }) {
            let text = "invalid request \(request.method) \(request.path) Authorization: \(request.headers["Authorization"] ?? "") body: \(String(decoding: request.body, as: UTF8.self))"
            switch echo {
            case .jsonMessage:
                return json(400, #"{"code":3,"message":\#(JSONValue.string(text).serialized())}"#)
            case .plainText:
                return HTTPResponse(status: 400, headers: ["Content-Type": "text/plain"], body: Array(text.utf8))
            }
        }
        if let failure = lock.withLock({ _failure }), failure.method == nil || failure.method == request.method {
            return json(failure.status, failure.body)
        }
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count == 5, parts[0] == "system", parts[1] == "v1", parts[2] == "instances", parts[4] == "quotas" else {
            return json(404, #"{"code":5,"message":"Not Found","details":[]}"#)
        }
        let instance = parts[3]
        guard let body, let unit = body["unit"]?.stringValue,
              unit == "UNIT_REQUESTS_ALL_AUTHENTICATED" || unit == "UNIT_ACTIONS_ALL_RUN_SECONDS",
              let interval = body["resetInterval"]?.stringValue, interval.hasSuffix("s"),
              let seconds = Int(interval.dropLast()), seconds >= 60,
              let notifications = body["notifications"]?.arrayValue,
              notifications.allSatisfy({ ($0["percent"]?.intValue ?? 0) >= 1 && URL(string: $0["callUrl"]?.stringValue ?? "")?.host != nil })
        else {
            return json(400, #"{"code":3,"message":"Errors.Quota.Invalid","details":[]}"#)
        }
        let keys = Self.notificationKeys(body)
        guard Set(keys).count == keys.count else {
            return json(500, #"{"code":13,"message":"Errors.Quota.Notifications.Duplicate","details":[]}"#)
        }
        switch request.method {
        case "PUT":
            if lock.withLock({ _legacy }) { return json(501, Self.methodNotAllowedBody) }
            lock.withLock {
                if Self.notificationKeys(_quotas[instance]?[unit]) != keys || _quotas[instance]?[unit] == nil {
                    _renewals[instance + "/" + unit, default: 0] += 1
                }
                _quotas[instance, default: [:]][unit] = body
            }
            return json(200, Self.successBody)
        case "POST":
            let exists = lock.withLock { _quotas[instance]?[unit] != nil }
            if exists { return json(409, Self.alreadyExistsBody) }
            lock.withLock {
                _renewals[instance + "/" + unit, default: 0] += 1
                _quotas[instance, default: [:]][unit] = body
            }
            return json(200, Self.successBody)
        default:
            return json(501, Self.methodNotAllowedBody)
        }
    }

    private func verify(_ header: String?) -> (Bool, JSONValue?) {
        guard let header, header.hasPrefix("Bearer ") else { return (false, nil) }
        let token = String(header.dropFirst("Bearer ".count))
        if let staticToken { return (token == staticToken, nil) }
        guard let publicKey, let claimsBytes = JSONWebToken.verifyRS256(token, key: publicKey),
              let claims = try? JSONValue.parse(claimsBytes)
        else { return (false, nil) }
        let now = Date().timeIntervalSince1970
        let valid = claims["iss"]?.stringValue == userID
            && claims["sub"]?.stringValue == userID
            && claims["aud"]?.stringValue == url
            && (claims["exp"]?.doubleValue ?? 0) > now
            && (claims["iat"]?.doubleValue ?? .infinity) <= now + 5
        return (valid, claims)
    }

    private func json(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: Array(text.utf8))
    }

    /// POSTs a notification for the quota of `unit` to every callUrl it has,
    /// with ZITADEL's field names and types; returns the HTTP statuses.
    /// Posts what ZITADEL posts when `threshold` is reached: one request per
    /// notification rule of the quota, each with that rule's id, which (as
    /// in ZITADEL) stays the same for every threshold and every period.
    func notify(instance: String, unit: String, periodStart: String, threshold: Int, usage: Int, client: UpstreamClient) async throws -> [Int] {
        guard let quota = quota(instance: instance, unit: unit), let notifications = quota["notifications"]?.arrayValue else {
            throw TestFailure("no quota \(unit) on instance \(instance)")
        }
        let unitNumber = unit == "UNIT_REQUESTS_ALL_AUTHENTICATED" ? 1 : 2
        var statuses: [Int] = []
        for (index, rule) in notifications.enumerated() {
            guard let callURL = rule["callUrl"]?.stringValue else { continue }
            let id = Self.ruleID(instance: instance, unit: unitNumber, index: index)
            let payload = #"{"unit":\#(unitNumber),"id":"\#(id)","callURL":"\#(callURL)","periodStart":"\#(periodStart)","threshold":\#(threshold),"usage":\#(usage)}"#
            statuses.append(try await post(client, callURL, body: Array(payload.utf8)).status)
        }
        return statuses
    }

    /// A stable id per notification rule, shaped like ZITADEL's numeric ids.
    static func ruleID(instance: String, unit: Int, index: Int) -> String {
        "2\(instance.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) % 100_000_000 })\(unit)\(index)"
    }
}
