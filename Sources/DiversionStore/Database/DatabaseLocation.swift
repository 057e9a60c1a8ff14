import Foundation

/// Where the data lives, read from `DATABASE_URL`.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqliteFile(path: String)
    case sqliteMemory
    case postgres(PostgresLocation)

    /// The default: an SQLite file under `./data/`.
    public static let defaultURL = "sqlite://data/diversion.sqlite"

    /// The connection facts of a PostgreSQL URL.
    public struct PostgresLocation: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var username: String
        public var password: String?
        public var database: String
        public var requireTLS: Bool
        /// Schemas to search, first one for new tables; nil leaves the server's default (`public`).
        public var searchPath: [String]? = nil
    }

    /// The name `/healthz` reports.
    public var engineName: String {
        switch self {
        case .sqliteFile, .sqliteMemory: "sqlite"
        case .postgres: "postgres"
        }
    }

    /// A description without the password, safe to log.
    public var description: String {
        switch self {
        case .sqliteFile(let path): "sqlite file \(path)"
        case .sqliteMemory: "sqlite in memory"
        case .postgres(let p): "postgres \(p.username)@\(p.host):\(p.port)/\(p.database)"
        }
    }

    /// Reads a `DATABASE_URL`; relative SQLite paths are taken from `workingDirectory`.
    public static func parse(_ text: String, workingDirectory: String = FileManager.default.currentDirectoryPath) throws(DatabaseURLError) -> DatabaseLocation {
        let url = text.trimmingCharacters(in: .whitespaces)
        if url.isEmpty { throw DatabaseURLError("DATABASE_URL is empty; use sqlite://data/diversion.sqlite or postgres://user:pass@host:5432/db") }
        if url == "sqlite::memory:" || url == "sqlite://:memory:" { return .sqliteMemory }
        if url.hasPrefix("sqlite://") {
            let rest = String(url.dropFirst("sqlite://".count))
            if rest.isEmpty { throw DatabaseURLError("DATABASE_URL '\(url)' names no SQLite file; use sqlite://data/diversion.sqlite") }
            if rest.hasPrefix("/") { return .sqliteFile(path: rest) }
            let base = workingDirectory.hasSuffix("/") ? workingDirectory : workingDirectory + "/"
            return .sqliteFile(path: base + rest)
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            guard let components = URLComponents(string: url) else {
                throw DatabaseURLError("DATABASE_URL is not a valid URL; use postgres://user:pass@host:5432/db")
            }
            guard let host = components.host, !host.isEmpty else {
                throw DatabaseURLError("DATABASE_URL names no PostgreSQL host; use postgres://user:pass@host:5432/db")
            }
            guard let user = components.user, !user.isEmpty else {
                throw DatabaseURLError("DATABASE_URL names no PostgreSQL user; use postgres://user:pass@host:5432/db")
            }
            let database = String(components.path.drop(while: { $0 == "/" }))
            guard !database.isEmpty, !database.contains("/") else {
                throw DatabaseURLError("DATABASE_URL names no PostgreSQL database; use postgres://user:pass@host:5432/db")
            }
            let sslmode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "disable"
            guard ["disable", "prefer", "require", "verify-full"].contains(sslmode) else {
                throw DatabaseURLError("DATABASE_URL sslmode '\(sslmode)' is not one of disable, require, verify-full")
            }
            return .postgres(PostgresLocation(
                host: host, port: components.port ?? 5432, username: user.removingPercentEncoding ?? user,
                password: components.password?.removingPercentEncoding ?? components.password,
                database: database.removingPercentEncoding ?? database,
                requireTLS: sslmode == "require" || sslmode == "verify-full"
            ))
        }
        let scheme = url.split(separator: ":").first.map(String.init) ?? url
        throw DatabaseURLError("DATABASE_URL scheme '\(scheme.prefix(20))' is not supported; use sqlite://path, sqlite::memory: or postgres://user:pass@host:port/db")
    }
}

/// A `DATABASE_URL` that cannot be used, with a message saying how to write it.
public struct DatabaseURLError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
