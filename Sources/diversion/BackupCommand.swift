import ArgumentParser
import DiversionApp
import DiversionStore
import Foundation

/// `diversion backup --to PATH`: a consistent copy of the configured database, taken while it serves.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up the configured database while the server keeps serving.",
        discussion: """
            Takes one consistent snapshot: SQLite with VACUUM INTO on the live file, PostgreSQL with \
            pg_dump --format=custom (found on PATH or under /usr/lib/postgresql/*/bin; the password goes through \
            PGPASSWORD). Writes PATH and, beside it, PATH.manifest.json: the engine, the time, the migrations applied, \
            every table's row count and the audit chain's length and head, all read from the same snapshot. \
            The drug-testing seed key (DIVERSION_SEED_KEY or seed.key) is not in the backup: back it up separately, since without it no plan can be verified.
            """
    )

    @ArgumentParser.Option(help: ArgumentHelp("The backup file to write; it must not exist. The manifest goes to PATH.manifest.json.", valueName: "PATH"))
    var to: String

    func run() async throws {
        let location = try configuredDatabase()
        let manifest = try await backupFailures { try await DatabaseBackup().backup(location, to: to) }
        let rows = manifest.tables.reduce(0) { $0 + $1.rows }
        say("Backed up \(location) to \(to) with \(manifest.method) in \(String(format: "%.2f", manifest.seconds)) s: "
            + "\(formatBytes(manifest.bytes)), \(manifest.tables.count) tables, \(rows) rows.")
        if let audit = manifest.audit {
            say(audit.intact
                ? "Audit chain: \(audit.entries) entries, head \(audit.headSequence) \(audit.headHash.prefix(16))…, verified."
                : "Warning: the audit chain did not verify at the time of the backup: \(audit.problem ?? "")")
        }
        say("Manifest: \(BackupManifest.path(forBackup: URL(fileURLWithPath: to).standardizedFileURL.path))")
    }
}

/// `diversion restore --from PATH`: a backup into a fresh database, checked against its manifest.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into the configured database, which must be empty, and check it against the manifest.",
        discussion: """
            The server must not be running on the target database. SQLite: the snapshot is copied into place; \
            PostgreSQL: pg_restore --no-owner --exit-on-error in one transaction into an empty database. Afterwards \
            every table is counted and the audit chain verified; the table shows each against the manifest and the \
            command exits 1 on any difference.
            """
    )

    @ArgumentParser.Option(help: ArgumentHelp("The backup file, with PATH.manifest.json beside it.", valueName: "PATH"))
    var from: String

    @ArgumentParser.Flag(help: "Overwrite an SQLite file that holds data. Stop its server first.")
    var replace = false

    func run() async throws {
        let location = try configuredDatabase()
        let restored = try await backupFailures { try await DatabaseBackup().restore(from: from, into: location, replace: replace) }
        let comparison = restored.comparison
        sayTable(["TABLE", "IN BACKUP", "RESTORED", "OK"], comparison.lines.map { [$0.item, $0.inBackup, $0.restored, $0.ok ? "ok" : "MISMATCH"] })
        guard comparison.matches else {
            throw CommandFailure("the restored database differs from the backup's manifest in \(comparison.mismatches.count) of \(comparison.lines.count) lines (marked MISMATCH above)")
        }
        say("Restored \(from) (taken \(restored.manifest.createdAt.formatted(.iso8601))) into \(location) in "
            + "\(String(format: "%.2f", restored.seconds)) s: every table matches the manifest and the audit chain verifies.")
    }
}

/// The database `DATABASE_URL` names; configuration problems are one line.
private func configuredDatabase() throws -> DatabaseLocation {
    do {
        return try AppConfiguration.fromEnvironment().database
    } catch {
        throw CommandFailure("\(error)")
    }
}

/// Backup and database errors as one line a person can act on.
private func backupFailures<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let failure as BackupError {
        throw CommandFailure(failure.message)
    } catch {
        throw CommandFailure.describing(error)
    }
}

/// Like `printTable`, but each line goes out at once, in order with the lines `say` writes.
private func sayTable(_ header: [String], _ rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
    for row in all {
        say(row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  "))
    }
}

private func formatBytes(_ bytes: Int64) -> String {
    bytes >= 1 << 20 ? String(format: "%.1f MB", Double(bytes) / 1_048_576) : String(format: "%.1f kB", Double(bytes) / 1024)
}
