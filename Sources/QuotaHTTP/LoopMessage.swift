/// Work handed to the event-loop thread from other threads.
enum LoopMessage: Sendable {
    /// A handler finished; the connection is identified by fd and by its
    /// unique id, because the fd may have been closed and reused meanwhile.
    case response(fd: Int32, connectionID: UInt64, HTTPResponse)
    /// A client the accepting loop took and handed to this loop to serve,
    /// or, at the connection cap, to help find room for.
    case adopt(fd: Int32, remote: String, ConnectionPlacement)
    /// Stop accepting, finish in-flight requests within the grace period.
    case shutdown(gracePeriod: Duration)
}
