import Foundation
import QuotaConfig
import QuotaHTTP

/// A fake CES and IAM on one loopback port.
///
/// - `POST /v3/auth/tokens`: checks the password body and issues numbered
///   tokens (`token-1`, `token-2`, …) in `X-Subject-Token`.
/// - `GET /V1.0/{project_id}/quotas`: accepts an issued, not revoked
///   `X-Auth-Token`, or verifies the AK/SK signature as API Gateway does
///   (`SignatureVerifier`); then serves `quotasBody` or the scripted error.
final class FakeHuaweiCloud: @unchecked Sendable {
    static let accessKey = "HPUAFAKEACCESSKEY0001"
    static let secretKey = "fakeSecretKey/with+odd=chars0123456789"
    static let securityToken = "fake-security-token-gQ5x"
    static let projectID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    static let domain = "acme-domain"
    static let user = "quota-reader"
    static let password = "fake-Passw0rd!"

    struct Scripted {
        var status: Int
        var body: String
        var headers: HTTPHeaders = [:]
    }

    private let lock = NSLock()
    private var server: HTTPServer?
    private let clock: @Sendable () -> Date
    private var _quotasBody = Fixtures.seedQuotas
    private var _cesResponses: [Scripted] = []
    private var _iamResponses: [Scripted] = []
    private var _issued: [String] = []
    private var _revoked: Set<String> = []
    private var _requests: [HTTPRequest] = []
    private var _rejections: [SignatureVerifier.Failure] = []
    var tokenLifetime: TimeInterval = 24 * 3600
    var requireSecurityToken = false
    /// Answer authenticated CES calls with 400 repeating the Authorization header.
    var echoAuthorizationInCESErrors: Bool {
        get { locked { _echoAuthorization } }
        set { locked { _echoAuthorization = newValue } }
    }
    private var _echoAuthorization = false

    init(clock: @escaping @Sendable () -> Date = { Date() }) {
        self.clock = clock
    }

    func start() throws -> UInt16 {
        let configuration = HTTPServerConfiguration(listenAddresses: [try ListenAddress(parsing: "127.0.0.1:0")])
        let server = HTTPServer(configuration: configuration, handler: ClosureHTTPHandler { [self] in handle($0) }, logger: .disabled)
        try server.start()
        self.server = server
        return server.boundAddresses[0].port
    }

    func stop() async {
        await server?.shutdown(gracePeriod: 1)
    }

    // MARK: Scripting and inspection

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    var quotasBody: String {
        get { locked { _quotasBody } }
        set { locked { _quotasBody = newValue } }
    }

    /// Answers for the next CES requests that pass authentication, in order.
    func scriptCES(_ responses: Scripted...) { locked { _cesResponses.append(contentsOf: responses) } }
    func scriptIAM(_ responses: Scripted...) { locked { _iamResponses.append(contentsOf: responses) } }
    func revoke(_ token: String) { locked { _ = _revoked.insert(token) } }
    var issuedTokens: [String] { locked { _issued } }
    var requests: [HTTPRequest] { locked { _requests } }
    var rejections: [SignatureVerifier.Failure] { locked { _rejections } }
    var cesRequests: [HTTPRequest] { requests.filter { $0.path.hasPrefix("/V1.0/") } }
    var iamRequests: [HTTPRequest] { requests.filter { $0.path == "/v3/auth/tokens" } }

    // MARK: Handling

    private func handle(_ request: HTTPRequest) -> HTTPResponse {
        locked { _requests.append(request) }
        switch (request.method, request.path) {
        case ("POST", "/v3/auth/tokens"):
            return issueToken(request)
        case ("GET", "/V1.0/\(Self.projectID)/quotas"):
            return quotas(request)
        default:
            return json(404, #"{"error_code":"APIGW.0101","error_msg":"The API does not exist or has not been published in the environment"}"#)
        }
    }

    private func issueToken(_ request: HTTPRequest) -> HTTPResponse {
        if let scripted = locked({ _iamResponses.isEmpty ? nil : _iamResponses.removeFirst() }) {
            return json(scripted.status, scripted.body, headers: scripted.headers)
        }
        guard let body = try? JSONValue.parse(request.body),
            let user = body["auth"]?["identity"]?["password"]?["user"],
            body["auth"]?["identity"]?["methods"]?[0]?.stringValue == "password",
            user["name"]?.stringValue == Self.user,
            user["password"]?.stringValue == Self.password,
            user["domain"]?["name"]?.stringValue == Self.domain,
            body["auth"]?["scope"]?["project"]?["id"]?.stringValue == Self.projectID
        else {
            return json(401, Fixtures.iamWrongPassword)
        }
        let token = locked { () -> String in
            _issued.append("token-\(_issued.count + 1)")
            return _issued.last!
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        // IAM writes six fractional digits, e.g. 2024-05-01T10:00:00.123000Z.
        let expires = formatter.string(from: clock().addingTimeInterval(tokenLifetime)).replacingOccurrences(of: "Z", with: "000Z")
        let issued = formatter.string(from: clock()).replacingOccurrences(of: "Z", with: "000Z")
        let answer = #"{"token":{"expires_at":"\#(expires)","issued_at":"\#(issued)","methods":["password"],"project":{"id":"\#(Self.projectID)","name":"ap-southeast-1"}}}"#
        return json(201, answer, headers: ["X-Subject-Token": token])
    }

    private func quotas(_ request: HTTPRequest) -> HTTPResponse {
        if let token = request.headers["X-Auth-Token"] {
            let valid = locked { _issued.contains(token) && !_revoked.contains(token) }
            guard valid else { return json(401, Fixtures.tokenInvalid) }
        } else {
            let verifier = SignatureVerifier(accessKey: Self.accessKey, secretKey: Self.secretKey)
            if let failure = verifier.verify(request, now: clock()) {
                locked { _rejections.append(failure) }
                return json(401, Fixtures.signatureFailure)
            }
            guard request.headers["X-Project-Id"] == Self.projectID else {
                return json(400, #"{"error_code":"APIGW.0106","error_msg":"X-Project-Id does not match the project in the URL"}"#)
            }
            if requireSecurityToken {
                let signed = request.headers["Authorization"]?.contains("x-security-token") ?? false
                guard signed, request.headers["X-Security-Token"] == Self.securityToken else {
                    return json(401, #"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: security token invalid"}"#)
                }
            }
        }
        if echoAuthorizationInCESErrors {
            let echoed = request.headers["Authorization"] ?? ""
            return json(400, #"{"error_code":"APIGW.0101","error_msg":"you sent \#(echoed)"}"#)
        }
        if let scripted = locked({ _cesResponses.isEmpty ? nil : _cesResponses.removeFirst() }) {
            return json(scripted.status, scripted.body, headers: scripted.headers)
        }
        return json(200, quotasBody)
    }

    private func json(_ status: Int, _ body: String, headers: HTTPHeaders = [:]) -> HTTPResponse {
        var all = headers
        all.set("Content-Type", "application/json;charset=UTF-8")
        all.set("X-Request-Id", "req-\(status)-0001")
        return HTTPResponse(status: status, headers: all, body: Array(body.utf8))
    }
}
