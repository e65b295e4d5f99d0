import FuzzSupport
import QuotaConfig
@testable import QuotaYAML

/// The YAML parser behind `--config.file`. Besides never trapping: an
/// accepted document's value survives JSON serialization and a second
/// parse unchanged (it is the same `JSONValue` JSON gives), every field
/// path of it is found in the source map at a position inside the
/// document, and a rejection names a line and column inside it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let document: YAMLDocument
    do {
        document = try YAMLParser().parseDocument(bytes)
    } catch {
        let lines = bytes.count { $0 == UInt8(ascii: "\n") } + 1
        fuzzCheck(error.line >= 1 && error.line <= lines && error.column >= 1, "error outside the document: \(error)")
        return 0
    }
    let text = document.value.serialized()
    do {
        let again = try JSONValue.parse(text)
        fuzzCheck(again == document.value, "serialized form \(text.prefix(200).debugDescription) parses to a different value")
    } catch {
        fuzzCheck(false, "serialized form \(text.prefix(200).debugDescription) does not parse: \(error)")
    }
    var visited = 0
    visit(document.value, path: "", in: document.sourceMap, bytes: bytes, visited: &visited)
    _ = try? ConfigFile.parse(bytes, environment: .inMemory())
    return 0
}

/// Checks the source map for each path, up to a bound so a huge flat
/// document does not make one input slow.
private func visit(_ value: JSONValue, path: String, in map: ConfigSourceMap, bytes: [UInt8], visited: inout Int) {
    visited += 1
    guard visited < 2000 else { return }
    if !path.isEmpty {
        let location = map.location(of: path)
        fuzzCheck(location != nil, "no location for \(path.prefix(200).debugDescription)")
        if let location {
            fuzzCheck(location.line >= 1 && location.column >= 1, "bad location \(location) for \(path.prefix(200).debugDescription)")
        }
        if case .number(let number) = value {
            let written = map.plainNumberText(at: path)
            fuzzCheck(written != nil, "no written text for the number at \(path.prefix(200).debugDescription)")
            _ = number.doubleValue
        }
    }
    switch value {
    case .array(let elements):
        for (index, element) in elements.enumerated() {
            visit(element, path: ConfigPath.element(index, of: path), in: map, bytes: bytes, visited: &visited)
        }
    case .object(let object):
        for (key, member) in object {
            visit(member, path: ConfigPath.member(key, of: path), in: map, bytes: bytes, visited: &visited)
        }
    default:
        break
    }
}
