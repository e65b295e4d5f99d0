import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Receives URLSession callbacks for every task of the shared session and
/// routes them to the request waiting on that task. It exists to cap the
/// response size while the body streams in: `data(for:)` would buffer a
/// runaway response whole before anyone could look at its size.
final class SessionDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    enum Failure: Error {
        case tooLarge(Int)
        case timedOut
        case cancelled
        case transport(String)
    }

    private struct Pending {
        var continuation: CheckedContinuation<UpstreamResponse, any Error>
        var maxBytes: Int
        var status = 0
        var headers: [String: String] = [:]
        var body: [UInt8] = []
        var failure: Failure?
    }

    private let lock = NSLock()
    private var pending: [Int: Pending] = [:]

    func register(_ task: URLSessionTask, maxBytes: Int, continuation: CheckedContinuation<UpstreamResponse, any Error>) {
        lock.lock()
        pending[task.taskIdentifier] = Pending(continuation: continuation, maxBytes: maxBytes)
        lock.unlock()
    }

    /// Marks why a task is being cancelled, so its completion reports that
    /// reason rather than a generic "cancelled".
    func fail(_ task: URLSessionTask, with failure: Failure) {
        lock.lock()
        if pending[task.taskIdentifier] != nil, pending[task.taskIdentifier]?.failure == nil {
            pending[task.taskIdentifier]?.failure = failure
        }
        lock.unlock()
        task.cancel()
    }

    func urlSession(
        _ session: URLSession,
        dataTask: URLSessionDataTask,
        didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        guard let http = response as? HTTPURLResponse else {
            completionHandler(.cancel)
            return
        }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let name = key as? String, let text = value as? String {
                headers[name.lowercased()] = text
            }
        }
        lock.lock()
        let limit = pending[dataTask.taskIdentifier]?.maxBytes ?? 0
        pending[dataTask.taskIdentifier]?.status = http.statusCode
        pending[dataTask.taskIdentifier]?.headers = headers
        lock.unlock()
        if http.expectedContentLength > Int64(limit) {
            fail(dataTask, with: .tooLarge(limit))
            completionHandler(.cancel)
            return
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        guard var entry = pending[dataTask.taskIdentifier] else {
            lock.unlock()
            return
        }
        if entry.body.count + data.count > entry.maxBytes {
            lock.unlock()
            fail(dataTask, with: .tooLarge(entry.maxBytes))
            return
        }
        entry.body.append(contentsOf: data)
        pending[dataTask.taskIdentifier] = entry
        lock.unlock()
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        lock.lock()
        let entry = pending.removeValue(forKey: task.taskIdentifier)
        lock.unlock()
        guard let entry else { return }
        if let failure = entry.failure {
            entry.continuation.resume(throwing: failure)
        } else if let error {
            // URLSession's own idle timer may fire before ours; it is still a timeout.
            let timedOut = (error as NSError).domain == NSURLErrorDomain && (error as NSError).code == NSURLErrorTimedOut
            entry.continuation.resume(throwing: timedOut ? Failure.timedOut : Failure.transport(Self.describe(error)))
        } else {
            entry.continuation.resume(returning: UpstreamResponse(status: entry.status, headers: entry.headers, body: entry.body))
        }
    }

    /// URLError descriptions on Linux are often just a code; say what it means.
    static func describe(_ error: any Error) -> String {
        let nsError = error as NSError
        if nsError.domain == NSURLErrorDomain {
            switch nsError.code {
            case NSURLErrorTimedOut: return "request timed out"
            case NSURLErrorCannotConnectToHost: return "cannot connect to host"
            case NSURLErrorCannotFindHost: return "cannot resolve host"
            case NSURLErrorNetworkConnectionLost: return "connection lost"
            case NSURLErrorNotConnectedToInternet: return "network unreachable"
            case NSURLErrorSecureConnectionFailed, NSURLErrorServerCertificateUntrusted,
                 NSURLErrorServerCertificateHasBadDate, NSURLErrorServerCertificateHasUnknownRoot:
                return "TLS failure"
            case NSURLErrorBadServerResponse: return "bad server response"
            default: return "URL error \(nsError.code)"
            }
        }
        return nsError.localizedDescription
    }
}
