import Foundation

/// `pg_dump` and `pg_restore` of one PostgreSQL version, chosen to suit the server.
public struct PostgresTools: Sendable, Equatable {
    /// A `pg_dump` found on this machine and its major version.
    public struct Candidate: Sendable, Equatable {
        public var directory: String
        public var major: Int
        public init(directory: String, major: Int) {
            self.directory = directory
            self.major = major
        }
    }

    public var directory: String
    public var major: Int
    public var pgDump: String { directory + "/pg_dump" }
    public var pgRestore: String { directory + "/pg_restore" }

    /// The same major version as the server, else the newest newer one: `pg_dump` refuses servers newer than itself,
    /// and an archive restores only with a `pg_restore` at least as new as the `pg_dump` that wrote it.
    public static func choose(serverMajor: Int, from candidates: [Candidate]) throws(BackupError) -> PostgresTools {
        if let same = candidates.first(where: { $0.major == serverMajor }) {
            return PostgresTools(directory: same.directory, major: same.major)
        }
        if let newer = candidates.filter({ $0.major > serverMajor }).max(by: { $0.major < $1.major }) {
            return PostgresTools(directory: newer.directory, major: newer.major)
        }
        let found = candidates.isEmpty ? "none was found" : "found only version " + Set(candidates.map { String($0.major) }).sorted().joined(separator: ", ")
        throw BackupError(
            "pg_dump for PostgreSQL \(serverMajor) or newer is needed (looked on PATH and in /usr/lib/postgresql/*/bin; \(found)); "
                + "install it, for example: apt-get install postgresql-client-\(serverMajor)"
        )
    }

    /// Finds the `pg_dump` programs on `PATH` (first) and under `/usr/lib/postgresql/*/bin`, each with its version,
    /// keeping only those with a `pg_restore` beside them.
    public static func candidates(
        path: String = ProcessInfo.processInfo.environment["PATH"] ?? "", libraryRoot: String = "/usr/lib/postgresql"
    ) async -> [Candidate] {
        let files = FileManager.default
        var directories = path.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        let versions = ((try? files.contentsOfDirectory(atPath: libraryRoot)) ?? []).sorted { $0.compare($1, options: .numeric) == .orderedDescending }
        directories += versions.map { "\(libraryRoot)/\($0)/bin" }
        var found: [Candidate] = []
        var seen = Set<String>()
        for directory in directories where seen.insert(directory).inserted {
            guard files.isExecutableFile(atPath: directory + "/pg_dump"), files.isExecutableFile(atPath: directory + "/pg_restore") else { continue }
            guard let run = try? await ExternalProgram.run(directory + "/pg_dump", ["--version"]), run.status == 0,
                  let major = majorVersion(run.output)
            else { continue }
            found.append(Candidate(directory: directory, major: major))
        }
        return found
    }

    /// The major version in `pg_dump (PostgreSQL) 15.8 (Debian 15.8-0+deb12u1)`.
    public static func majorVersion(_ versionLine: String) -> Int? {
        guard let range = versionLine.range(of: "(PostgreSQL) ") else { return nil }
        let digits = versionLine[range.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }

    /// The connection for `pg_dump`/`pg_restore` as libpq environment variables, so the password never shows
    /// on a command line (where `ps` would show it).
    public static func environment(for p: DatabaseLocation.PostgresLocation) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("PG") { environment[key] = nil }
        environment["PGHOST"] = p.host
        environment["PGPORT"] = String(p.port)
        environment["PGUSER"] = p.username
        environment["PGDATABASE"] = p.database
        environment["PGSSLMODE"] = p.requireTLS ? "require" : "prefer"
        environment["PGCONNECT_TIMEOUT"] = "10"
        if let password = p.password { environment["PGPASSWORD"] = password }
        return environment
    }
}

/// Runs another program and waits for it without holding a thread.
enum ExternalProgram {
    struct Outcome {
        var status: Int32
        /// Standard output and error together.
        var output: String
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> Outcome {
        let logURL = FileManager.default.temporaryDirectory.appendingPathComponent("diversion-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: logURL.path, contents: nil) else {
            throw BackupError("cannot create a temporary file in \(FileManager.default.temporaryDirectory.path)")
        }
        defer { try? FileManager.default.removeItem(at: logURL) }
        let log = try FileHandle(forWritingTo: logURL)
        defer { try? log.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        // Into a file rather than a pipe: a chatty program can never fill a pipe nobody reads yet.
        process.standardOutput = log
        process.standardError = log
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: BackupError("cannot run \(executable): \(error.localizedDescription)"))
            }
        }
        let output = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        return Outcome(status: status, output: output.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// A backup or restore that cannot go ahead, with a message that says what to do.
public struct BackupError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
