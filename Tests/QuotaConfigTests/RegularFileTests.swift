import Foundation
import Testing
@testable import QuotaConfig

/// A FIFO given as the config file or a `*_file` secret used to block
/// start-up forever in `open`; devices and directories are no better.
@Suite(.timeLimit(.minutes(1))) struct RegularFileTests {
    final class Directory: @unchecked Sendable {
        let path = NSTemporaryDirectory() + "quota-config-regular-" + UUID().uuidString
        init() { try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    @Test func aFIFOIsRefusedAtOnceSayingWhatItIs() throws {
        let directory = Directory()
        let fifo = directory.path + "/token"
        #expect(mkfifo(fifo, 0o600) == 0)
        let error = #expect(throws: FileReadError.self) { try ConfigEnvironment.readFileFromDisk(fifo) }
        #expect(error?.reason == "not a regular file (a FIFO); only regular files are read")
    }

    @Test func aSecretFileThatIsAFIFOIsAConfigErrorNamingTheField() throws {
        let directory = Directory()
        let fifo = directory.path + "/token"
        #expect(mkfifo(fifo, 0o600) == 0)
        let root = try ConfigObject.parse(Array(#"{"api_token_file": "\#(fifo)"}"#.utf8), environment: .process)
        #expect {
            _ = try root.requiredSecret("api_token")
        } throws: { error in
            let text = String(describing: error)
            return text.contains("api_token_file") && text.contains("a FIFO")
        }
    }

    @Test func aConfigFileThatIsAFIFOIsRefused() throws {
        let directory = Directory()
        let fifo = directory.path + "/config.json"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect {
            _ = try ConfigObject.load(file: fifo, environment: .process)
        } throws: { error in
            String(describing: error).contains("cannot read config file \"\(fifo)\": not a regular file (a FIFO)")
        }
    }

    @Test func directoriesAndDevicesAreRefusedRegularFilesRead() throws {
        let directory = Directory()
        #expect(throws: FileReadError(path: directory.path, reason: "not a regular file (a directory); only regular files are read")) {
            try ConfigEnvironment.readFileFromDisk(directory.path)
        }
        #expect(throws: FileReadError(path: "/dev/zero", reason: "not a regular file (a character device); only regular files are read")) {
            try ConfigEnvironment.readFileFromDisk("/dev/zero")
        }
        let file = directory.path + "/secret"
        try Data("s3cret\n".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try ConfigEnvironment.readFileFromDisk(file) == Array("s3cret\n".utf8))
    }
}
