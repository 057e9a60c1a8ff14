import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import SQLKit

/// Opens the configured database and describes the schema's migrations.
public enum DatabaseSetup {
    /// Registers `location` as the default database; creates the folder of an SQLite file.
    /// Two registrations with the same `memoryIdentifier` share one in-memory SQLite database.
    public static func register(
        _ location: DatabaseLocation, on databases: Databases, sqlLogLevel: Logger.Level = .debug,
        connectionsPerEventLoop: Int = 4, memoryIdentifier: String = UUID().uuidString
    ) throws {
        switch location {
        case .sqliteMemory:
            databases.use(.sqlite(.init(storage: .memory(identifier: memoryIdentifier)), sqlLogLevel: sqlLogLevel), as: .sqlite)
        case .sqliteFile(let path):
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                do {
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                } catch {
                    throw DatabaseUnavailable("cannot create the folder \(folder) for the SQLite database: \(error.localizedDescription)")
                }
            }
            databases.use(.sqlite(.file(path), sqlLogLevel: sqlLogLevel), as: .sqlite)
        case .postgres(let p):
            var tls: PostgresConnection.Configuration.TLS = .disable
            if p.requireTLS {
                do {
                    tls = .require(try .init(configuration: .clientDefault))
                } catch {
                    throw DatabaseUnavailable("cannot set up TLS for PostgreSQL: \(error)")
                }
            }
            var config = SQLPostgresConfiguration(
                hostname: p.host, port: p.port, username: p.username, password: p.password, database: p.database, tls: tls
            )
            config.searchPath = p.searchPath
            databases.use(.postgres(configuration: config, maxConnectionsPerEventLoop: connectionsPerEventLoop, connectionPoolTimeout: .seconds(10), sqlLogLevel: sqlLogLevel), as: .psql)
        }
    }

    /// Every migration, in the order it must run. Append only: never edit one that has shipped.
    public static let migrations: [any Migration] = [
        CreateAgency(),
        CreateUser(),
        CreateAccessToken(),
        CreatePerson(),
        CreatePersonIdentity(),
        CreateAuditEntry(),
        CreateAuditChainHead(),
        AddAuditEntryGuards(),
        CreateScreening(),
        CreatePolicyVersion(),
        CreateContact(),
        CreateService(),
        CreateReferral(),
        CreateJusticeCase(),
        CreateMeasure(),
        CreateBreach(),
        CreateMonitoringDevice(),
        CreateMonitoringPing(),
        CreateMonitoringAlert(),
        CreateDrugTestPlan(),
        CreateDrugTestPlanSeed(),
        CreateDrugTestResult(),
        CreateCallInCode(),
        CreateComplianceEntry(),
        CreateResponse(),
        UpdateCasesAndContactsAddSealing(),
        UpdatePersonsAddAnonymisedAt(),
        CreateConsent(),
        CreateEvidenceFacts(),
        CreateIdempotencyRecords(),
        UpdatePersonsAddRevision(),
        CreateParticipantCode(),
    ]

    /// Checks the database answers, then sets SQLite's durability settings. One line on failure.
    public static func prepare(_ db: any Database, location: DatabaseLocation) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        do {
            switch location {
            case .sqliteFile, .sqliteMemory:
                // WAL is remembered by the file; synchronous FULL is SQLite's compiled default and set again here.
                try await sql.raw("PRAGMA journal_mode = WAL").run()
                try await sql.raw("PRAGMA synchronous = FULL").run()
            case .postgres:
                try await sql.raw("SELECT 1").run()
            }
        } catch {
            throw DatabaseUnavailable("cannot reach the database (\(location)): \(DatabaseUnavailable.describe(error))")
        }
    }
}

/// The database could not be opened or reached; the message names why.
public struct DatabaseUnavailable: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    static func describe(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] { return message }
            if let underlying = psql.underlying { return String(describing: underlying) }
            return String(describing: psql.code)
        }
        return String(describing: error)
    }
}

extension Database {
    /// Whether this is SQLite, whose dialect differs in a few statements.
    public var isSQLite: Bool {
        (self as? any SQLDatabase)?.dialect.name == "sqlite"
    }
}
