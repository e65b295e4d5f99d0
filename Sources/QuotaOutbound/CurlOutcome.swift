import CQuotaSystem

/// Turns a finished transfer into a response or an `OutboundError` whose
/// kind says which step failed and whose message is curl's own.
enum CurlOutcome {
    static func result(of transfer: Transfer, code: Int32) -> Result<OutboundResponse, OutboundError> {
        if code == 0 {
            return .success(OutboundResponse(
                status: transfer.info(CQS_CURLINFO_RESPONSE_CODE),
                headers: transfer.headers,
                body: transfer.body,
                httpVersion: httpVersion(transfer.info(CQS_CURLINFO_HTTP_VERSION))
            ))
        }
        return .failure(error(of: transfer, code: code))
    }

    static func error(of transfer: Transfer, code curlCode: Int32) -> OutboundError {
        let code = Int(curlCode)
        let text = transfer.errorText(code: curlCode)
        let connectStatus = transfer.info(CQS_CURLINFO_HTTP_CONNECTCODE)
        let proxyRefused = connectStatus != 0 && !(200...299).contains(connectStatus)
        if proxyRefused || code == CQS_CURLE_PROXY || code == CQS_CURLE_COULDNT_RESOLVE_PROXY {
            let proxy = transfer.proxyForMessages ?? "proxy"
            return OutboundError(.proxy, "proxy \(proxy): \(text)", curlCode: curlCode, proxyStatus: proxyRefused ? connectStatus : 0)
        }
        if transfer.exceededCap || code == CQS_CURLE_FILESIZE_EXCEEDED {
            return OutboundError(.tooLarge, "response larger than \(transfer.maxResponseBytes) bytes", curlCode: curlCode)
        }
        if code == CQS_CURLE_COULDNT_CONNECT, let proxy = transfer.proxyForMessages {
            // The proxy or, if NO_PROXY matched, the host itself: say both.
            return OutboundError(.connect, "\(text) (proxy \(proxy))", curlCode: curlCode)
        }
        return OutboundError(kind(of: code), text, curlCode: curlCode)
    }

    static func kind(of code: Int) -> OutboundError.Kind {
        switch code {
        case CQS_CURLE_COULDNT_RESOLVE_HOST: .resolve
        case CQS_CURLE_COULDNT_CONNECT: .connect
        case CQS_CURLE_OPERATION_TIMEDOUT: .timeout
        case CQS_CURLE_UNSUPPORTED_PROTOCOL, CQS_CURLE_URL_MALFORMAT: .invalidRequest
        case CQS_CURLE_SSL_CONNECT_ERROR, CQS_CURLE_SSL_CERTPROBLEM, CQS_CURLE_SSL_CIPHER, CQS_CURLE_PEER_FAILED_VERIFICATION,
             CQS_CURLE_SSL_CACERT_BADFILE, CQS_CURLE_SSL_ISSUER_ERROR, CQS_CURLE_SSL_CLIENTCERT:
            .tls
        default: .transport
        }
    }

    /// curl's CURL_HTTP_VERSION_* as 10, 11, 20, 30.
    private static func httpVersion(_ value: Int) -> Int {
        switch value {
        case 1: 10
        case 2: 11
        case 3: 20
        case 30: 30
        default: 0
        }
    }
}
