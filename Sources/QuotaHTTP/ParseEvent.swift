/// What `RequestParser` has made of the buffered bytes so far.
enum ParseEvent: Equatable {
    /// Wait for the socket to deliver more.
    case needMoreData
    /// The head is complete and a body follows; the caller may send
    /// `100 Continue` and switch from the head to the body timeout.
    case headReceived(RequestHead)
    /// A whole request, ready for the handler.
    case requestComplete(RequestHead, body: [UInt8])
    /// Refuse with this status and close.
    case failed(HTTPParseError)
}
