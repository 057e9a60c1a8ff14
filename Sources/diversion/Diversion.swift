import ArgumentParser
import DiversionApp
import Foundation
import Logging

/// The `diversion` command: serve, migrate, and the administration commands.
@main
struct Diversion: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diversion",
        abstract: "Treatment instead of prison: the Diversion server and its administration commands.",
        subcommands: [Serve.self, Migrate.self, UserCommand.self, AgencyCommand.self, AuditCommand.self, PolicyCommand.self, ServicesCommand.self, DemoCommand.self, BenchCommand.self, RetentionCommand.self, ImportCommand.self, EvidenceCommand.self, ExportCommand.self, SimulateCommand.self, BackupCommand.self, RestoreCommand.self]
    )

    static func main() async {
        let level = Logger.Level(rawValue: ProcessInfo.processInfo.environment["LOG_LEVEL"]?.lowercased() ?? "") ?? .info
        LoggingSystem.bootstrap { label in
            var handler = JSONLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("error: \(failure.message)\n".utf8))
            Foundation.exit(1)
        } catch {
            exit(withError: error)
        }
    }
}
