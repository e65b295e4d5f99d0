import FuzzSupport
@testable import QuotaCrypto

/// A key file as `private_key_file` names it: PEM text (private or public,
/// PKCS#8, PKCS#1, SubjectPublicKeyInfo, with other blocks around it), and the same
/// bytes through the DER decoders directly. A private key that loads must
/// sign, and its signature must verify with its public half: issue 10 item 3
/// (a key with inconsistent parameters loaded, then trapped at the first JWT).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var privateKeys: [RSAPrivateKey] = []
    do {
        let text = String(decoding: bytes, as: UTF8.self)
        if let blocks = try? PEMBlock.parseAll(text) {
            for block in blocks {
                _ = block.label
                _ = block.headers
            }
        }
        if let key = try? RSAPrivateKey(pem: text) { privateKeys.append(key) }
        _ = try? RSAPublicKey(pem: text)
    }
    do {
        if let key = try? RSAPrivateKey(pkcs8DER: bytes) { privateKeys.append(key) }
        if let components = try? RSAKeyComponents(pkcs1DER: bytes),
           let key = try? RSAPrivateKey(components: components) {
            privateKeys.append(key)
        }
        _ = try? RSAPublicKey(pkcs1DER: bytes)
        _ = try? RSAPublicKey(subjectPublicKeyInfoDER: bytes)
    }
    for key in privateKeys {
        _ = key.description
        let claims = Array(#"{"iss":"fuzz","aud":"https://zitadel.invalid"}"#.utf8)
        let token = JSONWebToken.signRS256(claimsJSON: claims, key: key, keyID: "fuzz")
        fuzzCheck(JSONWebToken.verifyRS256(token, key: key.publicKey) == claims, "a loaded key signs a JWT its public key does not verify")
    }
    return 0
}
