import Crypto
import FluentKit
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit

/// Online backups of the configured database and restores into a fresh one.
///
/// A backup is one consistent snapshot taken while the server keeps serving: SQLite's `VACUUM INTO`
/// reads a single WAL snapshot of the live file; PostgreSQL's `pg_dump` reads a snapshot exported by a
/// repeatable-read transaction that also counts the rows and verifies the audit chain, so the manifest
/// describes exactly what the backup holds.
public struct DatabaseBackup: Sendable {
    /// The outcome of a restore: the manifest and the line-by-line check of the restored database.
    public struct Restored: Sendable {
        public var manifest: BackupManifest
        public var comparison: BackupComparison
        public var seconds: Double
    }

    let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    // MARK: Backup

    /// Writes a backup of `location` to `path` and its manifest to `path.manifest.json`; refuses to overwrite either.
    public func backup(_ location: DatabaseLocation, to path: String) async throws -> BackupManifest {
        let target = URL(fileURLWithPath: path).standardizedFileURL
        let manifestPath = BackupManifest.path(forBackup: target.path)
        let files = FileManager.default
        for existing in [target.path, manifestPath] where files.fileExists(atPath: existing) {
            throw BackupError("\(existing) exists already; choose a new path (a backup never overwrites another)")
        }
        let folder = target.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard files.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw BackupError("the folder \(folder) does not exist; create it first")
        }
        // The backup is written under a temporary name and renamed when complete, so a half-written
        // file never carries the backup's name.
        let partial = target.path + ".partial"
        try? files.removeItem(atPath: partial)
        // Created empty and private first: it holds personal data, and both VACUUM INTO and pg_dump write into
        // an existing empty file and keep its permissions.
        guard files.createFile(atPath: partial, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw BackupError("cannot write to \(folder): check that the folder exists and this user may write there")
        }
        defer { try? files.removeItem(atPath: partial) }

        let started = Date()
        let kind: BackupManifest.Kind, method: String, inventory: DatabaseInventory
        switch location {
        case .sqliteMemory:
            throw BackupError("an in-memory database cannot be backed up; set DATABASE_URL to the database to back up")
        case .sqliteFile(let source):
            guard files.fileExists(atPath: source) else {
                throw BackupError("no SQLite database at \(source); check DATABASE_URL")
            }
            try await Self.withDatabase(location) { db in
                guard let sql = db as? any SQLDatabase else { throw BackupError("the database does not speak SQL") }
                try await sql.raw("VACUUM INTO \(bind: partial)").run()
            }
            // Counted from the copy itself: the live database has moved on since.
            inventory = try await Self.withDatabase(.sqliteFile(path: partial), prepare: false) { try await DatabaseInventory.take(on: $0) }
            kind = .sqlite
            method = "VACUUM INTO"
        case .postgres(let p):
            (method, inventory) = try await Self.dumpPostgres(location, p, to: partial)
            kind = .postgres
        }
        try Self.flush(partial)
        let seconds = Date().timeIntervalSince(started)
        let (bytes, digest) = try Self.sizeAndDigest(partial)
        do {
            try files.moveItem(atPath: partial, toPath: target.path)
        } catch {
            throw BackupError("cannot name the backup \(target.path): \(error.localizedDescription)")
        }
        let manifest = BackupManifest(
            kind: kind, createdAt: now(), database: location.description, method: method, backupFile: target.lastPathComponent,
            bytes: bytes, sha256: digest, seconds: seconds, inventory: inventory
        )
        do {
            // Written last: a backup without its manifest is one that did not finish.
            try manifest.encoded().write(to: URL(fileURLWithPath: manifestPath), options: .atomic)
        } catch {
            throw BackupError("cannot write the manifest \(manifestPath): \(error.localizedDescription)")
        }
        return manifest
    }

    static func dumpPostgres(_ location: DatabaseLocation, _ p: DatabaseLocation.PostgresLocation, to partial: String) async throws -> (String, DatabaseInventory) {
        try await withDatabase(location) { db in
            guard let sql = db as? any SQLDatabase else { throw BackupError("the database does not speak SQL") }
            let serverMajor = try await sql.raw("SELECT current_setting('server_version_num')::int / 10000 AS major").first()?
                .decode(column: "major", as: Int.self) ?? 0
            let tools = try PostgresTools.choose(serverMajor: serverMajor, from: await PostgresTools.candidates())
            return try await db.transaction { tx in
                guard let sql = tx as? any SQLDatabase else { throw BackupError("the database does not speak SQL") }
                try await sql.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").run()
                let snapshot = try await sql.raw("SELECT pg_export_snapshot() AS id").first()?.decode(column: "id", as: String.self) ?? ""
                let inventory = try await DatabaseInventory.take(on: tx)
                var arguments = ["--format=custom", "--no-password", "--snapshot=\(snapshot)", "--file=\(partial)"]
                // A database shared between schemas (one per test run, say) is backed up one schema at a time.
                if let schema = p.searchPath?.first { arguments.append("--schema=\(schema)") }
                // The transaction stays open while pg_dump runs: its snapshot lives only as long.
                let run = try await ExternalProgram.run(tools.pgDump, arguments, environment: PostgresTools.environment(for: p))
                guard run.status == 0 else {
                    throw BackupError("pg_dump failed (exit \(run.status)): \(run.output.split(separator: "\n").first ?? "")")
                }
                return ("pg_dump \(tools.major) --format=custom", inventory)
            }
        }
    }

    // MARK: Restore

    /// Restores the backup at `path` into `location`, which must hold no table (or, with `replace`, be an SQLite file
    /// whose server is stopped), then recounts and verifies it against the manifest.
    public func restore(from path: String, into location: DatabaseLocation, replace: Bool = false) async throws -> Restored {
        let backup = URL(fileURLWithPath: path).standardizedFileURL.path
        let manifest = try Self.readManifest(forBackup: backup)
        let started = Date()
        switch (manifest.kind, location) {
        case (_, .sqliteMemory):
            throw BackupError("cannot restore into an in-memory database; set DATABASE_URL to an SQLite file or a PostgreSQL database")
        case (.sqlite, .postgres):
            throw BackupError("\(path) is an SQLite backup but DATABASE_URL names PostgreSQL; restore it into an SQLite file")
        case (.postgres, .sqliteFile):
            throw BackupError("\(path) is a PostgreSQL backup but DATABASE_URL names an SQLite file; restore it into a PostgreSQL database")
        case (.sqlite, .sqliteFile(let target)):
            try await Self.placeSQLite(backup, at: target, replace: replace)
        case (.postgres, .postgres(let p)):
            if replace { throw BackupError("--replace is for SQLite files only; create an empty PostgreSQL database and restore into it") }
            try await Self.restorePostgres(backup, into: location, p)
        }
        let restored = try await Self.withDatabase(location) { try await DatabaseInventory.take(on: $0) }
        return Restored(
            manifest: manifest, comparison: BackupComparison(expected: manifest.inventory, restored: restored),
            seconds: Date().timeIntervalSince(started)
        )
    }

    /// Reads the manifest beside a backup and checks the backup is the file it describes.
    public static func readManifest(forBackup backup: String) throws -> BackupManifest {
        let files = FileManager.default
        guard files.fileExists(atPath: backup) else { throw BackupError("no backup at \(backup)") }
        let manifestPath = BackupManifest.path(forBackup: backup)
        guard let data = files.contents(atPath: manifestPath) else {
            throw BackupError("no manifest at \(manifestPath); a backup without its manifest did not finish and cannot be checked")
        }
        let manifest: BackupManifest
        do {
            manifest = try BackupManifest.decode(data)
        } catch {
            throw BackupError("\(manifestPath) is not a backup manifest")
        }
        guard manifest.format <= BackupManifest.currentFormat else {
            throw BackupError("\(manifestPath) has format \(manifest.format); this version of Diversion reads up to \(BackupManifest.currentFormat)")
        }
        let (bytes, digest) = try sizeAndDigest(backup)
        guard bytes == manifest.bytes, digest == manifest.sha256 else {
            throw BackupError("\(backup) is not the file its manifest describes (size or SHA-256 differs); it may be damaged")
        }
        let known = Set(DatabaseSetup.migrations.map(\.name))
        if let unknown = manifest.migrations.first(where: { !known.contains($0) }) {
            throw BackupError("the backup has a migration this version of Diversion does not know (\(unknown)); restore it with the version that made it")
        }
        return manifest
    }

    static func placeSQLite(_ backup: String, at target: String, replace: Bool) async throws {
        let files = FileManager.default
        if files.fileExists(atPath: target), (try? files.attributesOfItem(atPath: target)[.size] as? Int) ?? 0 > 0 {
            let tables = try await withDatabase(.sqliteFile(path: target), prepare: false) { try await DatabaseInventory.tableNames(on: $0) }
            if !tables.isEmpty, !replace {
                throw BackupError(
                    "the database \(target) is not empty (\(tables.count) tables); restore into a fresh DATABASE_URL, "
                        + "or give --replace to overwrite this file once its server is stopped"
                )
            }
        }
        let folder = (target as NSString).deletingLastPathComponent
        do {
            try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw BackupError("cannot create the folder \(folder): \(error.localizedDescription)")
        }
        let partial = target + ".restoring"
        try? files.removeItem(atPath: partial)
        do {
            try files.copyItem(atPath: backup, toPath: partial)
        } catch {
            throw BackupError("cannot write \(partial): \(error.localizedDescription)")
        }
        try flush(partial)
        // The old file's write-ahead log belongs to the old file: left in place, SQLite would replay it into the new one.
        for suffix in ["-wal", "-shm", "-journal"] { try? files.removeItem(atPath: target + suffix) }
        if rename(partial, target) != 0 {
            let reason = String(cString: strerror(errno))
            try? files.removeItem(atPath: partial)
            throw BackupError("cannot put the restored database at \(target): \(reason)")
        }
    }

    static func restorePostgres(_ backup: String, into location: DatabaseLocation, _ p: DatabaseLocation.PostgresLocation) async throws {
        let serverMajor = try await withDatabase(location) { db in
            let tables = try await DatabaseInventory.tableNames(on: db)
            if !tables.isEmpty {
                throw BackupError(
                    "the database \(p.database) is not empty (\(tables.count) tables); create an empty database, "
                        + "point DATABASE_URL at it and restore again"
                )
            }
            guard let sql = db as? any SQLDatabase else { throw BackupError("the database does not speak SQL") }
            return try await sql.raw("SELECT current_setting('server_version_num')::int / 10000 AS major").first()?
                .decode(column: "major", as: Int.self) ?? 0
        }
        let tools = try PostgresTools.choose(serverMajor: serverMajor, from: await PostgresTools.candidates())
        // One transaction: a restore that fails part way leaves the database as empty as it was.
        let run = try await ExternalProgram.run(
            tools.pgRestore,
            ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--no-password", "--dbname=\(p.database)", backup],
            environment: PostgresTools.environment(for: p)
        )
        guard run.status == 0 else {
            throw BackupError("pg_restore failed (exit \(run.status)), nothing was restored: \(run.output.split(separator: "\n").first ?? "")")
        }
    }

    // MARK: Support

    /// Opens `location` on its own for the length of `body`, beside whatever server is running on it.
    static func withDatabase<T: Sendable>(
        _ location: DatabaseLocation, prepare: Bool = true, _ body: (any Database) async throws -> T
    ) async throws -> T {
        let databases = Databases(threadPool: NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
        var logger = Logger(label: "diversion.backup")
        logger.logLevel = .critical
        do {
            try DatabaseSetup.register(location, on: databases, sqlLogLevel: .trace, connectionsPerEventLoop: 1)
            guard let db = databases.database(logger: logger, on: MultiThreadedEventLoopGroup.singleton.any()) else {
                throw DatabaseUnavailable("no database was registered")
            }
            if prepare { try await DatabaseSetup.prepare(db, location: location) }
            let result = try await body(db)
            await databases.shutdownAsync()
            return result
        } catch {
            await databases.shutdownAsync()
            throw error
        }
    }

    /// Makes the file's contents durable before it is renamed into place.
    static func flush(_ path: String) throws {
        guard let handle = FileHandle(forUpdatingAtPath: path) else { throw BackupError("cannot open \(path) to flush it") }
        defer { try? handle.close() }
        try handle.synchronize()
    }

    static func sizeAndDigest(_ path: String) throws -> (Int64, String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw BackupError("cannot read \(path)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        var bytes: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            bytes += Int64(chunk.count)
        }
        return (bytes, hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }
}
