/// A validated request line and header block, plus what the server derived
/// from it: body framing, keep-alive, and whether the client waits for
/// `100 Continue`.
struct RequestHead: Sendable, Equatable {
    var method: String
    var target: String
    var version: String
    var headers: HTTPHeaders
    var framing: BodyFraming
    var keepAlive: Bool
    var expectsContinue: Bool
}
