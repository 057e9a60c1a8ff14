import DiversionCore
import DiversionTestSupport
import FluentKit
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import Testing
@testable import DiversionStore

/// A seeded database to back up and fresh ones to restore into: SQLite files in a temporary folder, or, when
/// `DIVERSION_TEST_DATABASE_URL` names PostgreSQL, a schema of its own there and new databases beside it.
struct BackupFixture {
    let folder: String
    let source: DatabaseLocation
    let schema: String?

    static func with(_ body: (BackupFixture) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("diversion-backup-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let fresh = try TestDatabaseLocation.fresh()
        let fixture = BackupFixture(
            folder: folder, source: fresh.schema == nil ? .sqliteFile(path: folder + "/source.sqlite") : fresh.location, schema: fresh.schema
        )
        do {
            try await fixture.seed()
            try await body(fixture)
        } catch {
            await fixture.cleanUp()
            throw error
        }
        await fixture.cleanUp()
    }

    /// Two agencies, two users and five audit entries, through the stores as the app writes them.
    func seed() async throws {
        try await Self.withMigrated(source, creatingSchema: schema) { db in
            let accounts = AccountStore()
            let police = try await accounts.createAgency(name: "North Police", type: .police, region: "R1", on: db)
            let court = try await accounts.createAgency(name: "North Court", type: .court, region: "R1", on: db)
            _ = try await accounts.createUser(username: "ana", displayName: "Ana", passwordHash: "x", roles: [.officer], agencyID: try police.requireID(), on: db)
            _ = try await accounts.createUser(username: "ben", displayName: "Ben", passwordHash: "x", roles: [.judge], agencyID: try court.requireID(), on: db)
            let trail = AuditTrail(database: db)
            for n in 1...5 {
                try await trail.record([AuditEvent(
                    occurredAt: Date(), userID: nil, username: "ana", agencyID: nil, action: .read, resourceType: "person",
                    resourceID: "p\(n)", personID: nil, purpose: nil, requestID: "r\(n)"
                )])
            }
        }
    }

    /// An empty database to restore into, numbered so the clean-up finds it.
    func target(_ n: Int) async throws -> DatabaseLocation {
        guard case .postgres(var p) = source, let schema else { return .sqliteFile(path: folder + "/restored-\(n).sqlite") }
        let name = "\(schema)_r\(n)"
        try await DatabaseBackup.withDatabase(source) { db in
            try await (db as? any SQLDatabase)?.raw("CREATE DATABASE \(ident: name)").run()
        }
        // The backup holds the source's schema under its own name; the search path finds it in the new database.
        p.database = name
        return .postgres(p)
    }

    func backupPath(_ name: String = "backup") -> String { folder + "/" + name }

    func cleanUp() async {
        if let schema {
            try? await DatabaseBackup.withDatabase(source) { db in
                guard let sql = db as? any SQLDatabase else { return }
                try await sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
                for n in 1...3 { try await sql.raw("DROP DATABASE IF EXISTS \(ident: "\(schema)_r\(n)") WITH (FORCE)").run() }
            }
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    static func withMigrated(_ location: DatabaseLocation, creatingSchema schema: String?, _ body: (any Database) async throws -> Void) async throws {
        let databases = Databases(threadPool: NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
        try DatabaseSetup.register(location, on: databases, connectionsPerEventLoop: 1)
        var logger = Logger(label: "test")
        logger.logLevel = .error
        do {
            guard let db = databases.database(logger: logger, on: MultiThreadedEventLoopGroup.singleton.any()) else {
                throw DatabaseUnavailable("no default database was registered")
            }
            if let schema, let sql = db as? any SQLDatabase { try await sql.raw("CREATE SCHEMA \(ident: schema)").run() }
            let migrations = Migrations()
            migrations.add(DatabaseSetup.migrations)
            let migrator = Migrator(databases: databases, migrations: migrations, logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())
            try await migrator.setupIfNeeded().get()
            try await migrator.prepareBatch().get()
            try await body(db)
            await databases.shutdownAsync()
        } catch {
            await databases.shutdownAsync()
            throw error
        }
    }

    func inventory(_ location: DatabaseLocation) async throws -> DatabaseInventory {
        try await DatabaseBackup.withDatabase(location) { try await DatabaseInventory.take(on: $0) }
    }
}

@Suite("Backups and restores")
struct DatabaseBackupTests {
    @Test("A seeded database backed up and restored into a fresh one has the same rows in every table and a verifying audit chain")
    func backupThenRestoreRoundTrips() async throws {
        try await BackupFixture.with { f in
            let manifest = try await DatabaseBackup().backup(f.source, to: f.backupPath())
            let counts = Dictionary(uniqueKeysWithValues: manifest.tables.map { ($0.table, $0.rows) })
            #expect(counts["agencies"] == 2 && counts["users"] == 2 && counts["audit_entries"] == 5)
            #expect(manifest.audit == DatabaseInventory.AuditState(
                entries: 5, headSequence: 5, headHash: manifest.audit?.headHash ?? "", intact: true))
            #expect(manifest.migrations.count == DatabaseSetup.migrations.count)
            #expect(FileManager.default.fileExists(atPath: BackupManifest.path(forBackup: f.backupPath())))

            let target = try await f.target(1)
            let restored = try await DatabaseBackup().restore(from: f.backupPath(), into: target)

            #expect(restored.comparison.matches, "\(restored.comparison.mismatches)")
            let after = try await f.inventory(target)
            #expect(after == manifest.inventory)
            #expect(after.audit?.intact == true)
            #expect(after == (try await f.inventory(f.source)))
        }
    }

    @Test("A restore into a database that holds data is refused and changes nothing")
    func restoreIntoUsedDatabaseIsRefused() async throws {
        try await BackupFixture.with { f in
            _ = try await DatabaseBackup().backup(f.source, to: f.backupPath())
            let before = try await f.inventory(f.source)
            await #expect {
                try await DatabaseBackup().restore(from: f.backupPath(), into: f.source)
            } throws: { error in
                (error as? BackupError)?.message.contains("is not empty") == true
            }
            #expect(try await f.inventory(f.source) == before)
        }
    }

    @Test("A restored database that differs from the manifest is reported on the table's line")
    func manifestMismatchIsReported() async throws {
        try await BackupFixture.with { f in
            var manifest = try await DatabaseBackup().backup(f.source, to: f.backupPath())
            let index = try #require(manifest.tables.firstIndex { $0.table == "agencies" })
            manifest.tables[index].rows = 3
            try manifest.encoded().write(to: URL(fileURLWithPath: BackupManifest.path(forBackup: f.backupPath())))

            let restored = try await DatabaseBackup().restore(from: f.backupPath(), into: try await f.target(1))

            #expect(!restored.comparison.matches)
            #expect(restored.comparison.mismatches == [BackupComparison.Line(item: "agencies", inBackup: "3", restored: "2", ok: false)])
        }
    }

    @Test("A backup never overwrites a file, and a damaged backup is refused before anything is restored")
    func existingAndDamagedBackupsAreRefused() async throws {
        try await BackupFixture.with { f in
            _ = try await DatabaseBackup().backup(f.source, to: f.backupPath())
            await #expect { try await DatabaseBackup().backup(f.source, to: f.backupPath()) } throws: { error in
                (error as? BackupError)?.message.contains("exists already") == true
            }
            let handle = try #require(FileHandle(forUpdatingAtPath: f.backupPath()))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("x".utf8))
            try handle.close()
            let target = try await f.target(1)
            await #expect { try await DatabaseBackup().restore(from: f.backupPath(), into: target) } throws: { error in
                (error as? BackupError)?.message.contains("not the file its manifest describes") == true
            }
            #expect(try await f.inventory(target).isEmpty)
        }
    }

    @Test("A backup into a folder that does not exist is refused with the folder's name")
    func missingFolderIsNamed() async throws {
        try await BackupFixture.with { f in
            await #expect { try await DatabaseBackup().backup(f.source, to: f.folder + "/missing/backup") } throws: { error in
                (error as? BackupError)?.message == "the folder \(f.folder)/missing does not exist; create it first"
            }
        }
    }
}

@Suite("Comparing a restored database with its manifest")
struct BackupComparisonTests {
    static let chain = DatabaseInventory.AuditState(entries: 4, headSequence: 4, headHash: "abc", intact: true)
    static let expected = DatabaseInventory(
        tables: [.init(table: "agencies", rows: 2), .init(table: "users", rows: 3)], migrations: ["M.CreateAgency", "M.CreateUser"], audit: chain
    )

    @Test("Each kind of difference marks its own line and only that one", arguments: [
        ("identical", expected, [String]()),
        ("a table with fewer rows", DatabaseInventory(tables: [.init(table: "agencies", rows: 1), .init(table: "users", rows: 3)],
                                                      migrations: expected.migrations, audit: chain), ["agencies"]),
        ("a missing table", DatabaseInventory(tables: [.init(table: "agencies", rows: 2)], migrations: expected.migrations, audit: chain), ["users"]),
        ("an extra table", DatabaseInventory(tables: expected.tables + [.init(table: "extra", rows: 0)], migrations: expected.migrations, audit: chain),
         ["extra"]),
        ("a shorter chain", DatabaseInventory(tables: expected.tables, migrations: expected.migrations,
                                              audit: .init(entries: 3, headSequence: 3, headHash: "def", intact: true)),
         ["audit chain length", "audit chain head"]),
        ("a chain that does not verify", DatabaseInventory(tables: expected.tables, migrations: expected.migrations,
                                                           audit: .init(entries: -1, headSequence: 4, headHash: "abc", intact: false, problem: "x")),
         ["audit chain length", "audit chain verifies"]),
        ("another schema version", DatabaseInventory(tables: expected.tables, migrations: ["M.CreateAgency"], audit: chain), ["migrations applied"]),
    ])
    func differencesAreNamed(_ name: String, _ restored: DatabaseInventory, _ wrong: [String]) {
        let comparison = BackupComparison(expected: Self.expected, restored: restored)
        #expect(comparison.mismatches.map(\.item) == wrong, "\(name)")
        #expect(comparison.matches == wrong.isEmpty)
    }

    @Test("The schema version line names the count and the last migration without its module")
    func schemaVersionIsShort() {
        #expect(BackupComparison.schemaVersion(["DiversionStore.CreateAgency", "DiversionStore.CreateUser"]) == "2, last CreateUser")
        #expect(BackupComparison.schemaVersion([]) == "none")
    }
}

@Suite("Finding pg_dump for the server")
struct PostgresToolsTests {
    @Test("The same major version wins, else the newest newer one", arguments: [
        (15, [("/a", 16), ("/b", 15), ("/c", 17)], "/b"),
        (15, [("/a", 16), ("/c", 17)], "/c"),
        (16, [("/a", 16), ("/b", 16)], "/a"),
    ] as [(Int, [(String, Int)], String)])
    func choosesMatchingVersion(_ server: Int, _ found: [(String, Int)], _ chosen: String) throws {
        let tools = try PostgresTools.choose(serverMajor: server, from: found.map { .init(directory: $0.0, major: $0.1) })
        #expect(tools.directory == chosen)
        #expect(tools.pgRestore == chosen + "/pg_restore")
    }

    @Test("Without a pg_dump as new as the server the message says what to install")
    func missingPgDumpIsNamed() {
        #expect {
            try PostgresTools.choose(serverMajor: 16, from: [.init(directory: "/usr/lib/postgresql/15/bin", major: 15)])
        } throws: { error in
            let message = (error as? BackupError)?.message ?? ""
            return message.contains("pg_dump for PostgreSQL 16 or newer") && message.contains("found only version 15")
                && message.contains("postgresql-client-16")
        }
        #expect(throws: BackupError.self) { try PostgresTools.choose(serverMajor: 15, from: []) }
    }

    @Test("The major version is read from pg_dump --version", arguments: [
        ("pg_dump (PostgreSQL) 15.8 (Debian 15.8-0+deb12u1)", 15 as Int?),
        ("pg_dump (PostgreSQL) 17beta1", 17),
        ("something else", nil),
    ])
    func readsMajorVersion(_ line: String, _ major: Int?) {
        #expect(PostgresTools.majorVersion(line) == major)
    }

    @Test("The password travels in PGPASSWORD, never on the command line")
    func passwordGoesThroughTheEnvironment() {
        let p = DatabaseLocation.PostgresLocation(host: "db", port: 5433, username: "u", password: "s3cret", database: "d", requireTLS: true)
        let environment = PostgresTools.environment(for: p)
        #expect(environment["PGPASSWORD"] == "s3cret" && environment["PGHOST"] == "db" && environment["PGPORT"] == "5433")
        #expect(environment["PGSSLMODE"] == "require" && environment["PGDATABASE"] == "d" && environment["PGUSER"] == "u")
    }
}
