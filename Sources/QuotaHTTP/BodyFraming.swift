/// How the end of a request body is found, as declared by its head.
enum BodyFraming: Sendable, Equatable {
    /// No body (no Content-Length, or zero).
    case none
    /// Exactly this many bytes follow the head.
    case contentLength(Int)
    /// `Transfer-Encoding: chunked`; the size is learned while decoding.
    case chunked
}
