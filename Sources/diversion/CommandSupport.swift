import DiversionApp
import DiversionStore
import Foundation
import Vapor

/// A command that failed for a reason the user can act on: printed as one line, exit status 1.
struct CommandFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Runs `body` with a configured application that does not serve, then shuts it down.
/// Known configuration and database errors become one-line failures.
func withApplication<T>(
    arguments: [String] = ["diversion"], migrate: Bool = false,
    _ body: (Application, AppConfiguration) async throws -> T
) async throws -> T {
    let config: AppConfiguration
    do {
        config = try AppConfiguration.fromEnvironment()
    } catch {
        throw CommandFailure("\(error)")
    }
    let app = try await Application.make(Environment(name: "production", arguments: arguments))
    do {
        try await configure(app, config)
        if migrate {
            // Each migration logs at info; a newcomer needs the outcome, not the steps.
            let level = app.logger.logLevel
            app.logger.logLevel = max(level, .notice)
            try await app.autoMigrate()
            app.logger.logLevel = level
        }
        let result = try await body(app, config)
        try await app.asyncShutdown()
        return result
    } catch {
        try? await app.asyncShutdown()
        throw CommandFailure.describing(error)
    }
}

extension CommandFailure {
    static func describing(_ error: any Error) -> any Error {
        switch error {
        case let e as CommandFailure: e
        case let e as DatabaseUnavailable: CommandFailure(e.message)
        case let e as DatabaseURLError: CommandFailure(e.message)
        case let e as ConfigurationError: CommandFailure(e.message)
        case let e as any AbortError: CommandFailure(e.reason)
        default: CommandFailure(String(describing: error).split(separator: "\n").first.map(String.init) ?? "unknown error")
        }
    }
}

/// Prints a line at once, even when standard output is a pipe (the server runs on after it).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
