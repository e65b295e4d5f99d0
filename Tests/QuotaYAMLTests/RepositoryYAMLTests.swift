import Foundation
import QuotaConfig
import Testing
@testable import QuotaYAML

/// The YAML this repository ships (examples, the README's and the docs'
/// configuration blocks, the ConfigMap's embedded configuration) parses,
/// and reads as PyYAML reads it.
@Suite struct RepositoryYAMLTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func documents() throws -> [(name: String, text: String)] {
        var documents: [(name: String, text: String)] = []
        let examples = root.appendingPathComponent("examples")
        for name in try FileManager.default.contentsOfDirectory(atPath: examples.path).sorted() where name.hasSuffix(".yaml") {
            documents.append(("examples/\(name)", try String(contentsOf: examples.appendingPathComponent(name), encoding: .utf8)))
        }
        for file in ["README.md", "docs/cloudflare.md", "docs/huaweicloud-ces.md", "docs/zitadel.md"] {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            for (index, block) in text.components(separatedBy: "```yaml\n").dropFirst().enumerated() {
                documents.append(("\(file) block \(index)", block.components(separatedBy: "```")[0]))
            }
        }
        let configMap = try String(contentsOf: root.appendingPathComponent("deploy/kubernetes/configmap.yaml"), encoding: .utf8)
        let embedded = try #require(try YAMLParser().parse(configMap)["data"]?["config.yaml"]?.stringValue)
        documents.append(("deploy/kubernetes/configmap.yaml data.config.yaml", embedded))
        return documents
    }

    @Test func shippedYAMLParsesAsPyYAMLReadsIt() async throws {
        let documents = try Self.documents()
        #expect(documents.count >= 8)
        let expected = try await PyYAMLCrossCheckTests.pyyaml(documents.map(\.text))
        for (document, json) in zip(documents, expected) {
            let json = try #require(json, "PyYAML refused \(document.name)")
            let parsed = try YAMLParser().parse(document.text)
            #expect(parsed.objectValue != nil, "\(document.name)")
            #expect(equivalent(parsed, try JSONValue.parse(json)), "\(document.name)")
        }
    }
}
