@testable import QuotaCrypto
import Testing

@Suite("PEM (RFC 7468)")
struct PEMBlockTests {
    @Test func toleratesSurroundingTextCRLFAndIndentation() throws {
        let text = "Explanatory text\r\n  -----BEGIN TEST-----\r\n  AAEC\r\n AwQ=  \r\n-----END TEST-----  \r\ntrailer"
        let blocks = try PEMBlock.parseAll(text)
        #expect(blocks.count == 1)
        #expect(blocks.first?.label == "TEST")
        #expect(blocks.first?.der == [0, 1, 2, 3, 4])
    }

    @Test func readsSeveralBlocksAndHeaders() throws {
        let text = """
            -----BEGIN CERTIFICATE-----
            AQ==
            -----END CERTIFICATE-----
            -----BEGIN RSA PRIVATE KEY-----
            Proc-Type: 4,ENCRYPTED
            DEK-Info: AES-256-CBC,00

            Ag==
            -----END RSA PRIVATE KEY-----
            """
        let blocks = try PEMBlock.parseAll(text)
        #expect(blocks.map(\.label) == ["CERTIFICATE", "RSA PRIVATE KEY"])
        #expect(blocks[1].headers["Proc-Type"] == "4,ENCRYPTED")
        #expect(blocks[1].der == [2])
    }

    @Test func rejectsBrokenBlocks() throws {
        #expect(throws: KeyDecodingError.malformedPEM("BEGIN A has no matching END line")) {
            try PEMBlock.parseAll("-----BEGIN A-----\nAQ==\n")
        }
        #expect(throws: KeyDecodingError.malformedPEM("BEGIN A is closed by END B")) {
            try PEMBlock.parseAll("-----BEGIN A-----\nAQ==\n-----END B-----")
        }
        #expect(throws: KeyDecodingError.malformedPEM("the body of the A block is not valid base64")) {
            try PEMBlock.parseAll("-----BEGIN A-----\nA!==\n-----END A-----")
        }
        #expect(throws: KeyDecodingError.malformedPEM("the A block is empty")) {
            try PEMBlock.parseAll("-----BEGIN A-----\r\n\r\n-----END A-----")
        }
        #expect(try PEMBlock.parseAll("no pem here").isEmpty)
    }
}
