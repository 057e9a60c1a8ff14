import Foundation

/// What a backup holds, written beside it as `BACKUP.manifest.json`: restore checks the restored
/// database against it table by table and against the audit chain's head.
public struct BackupManifest: Codable, Sendable, Equatable {
    /// The engine a backup comes from; a backup restores only into the same engine.
    public enum Kind: String, Codable, Sendable {
        case sqlite, postgres
    }

    /// The manifest layout; a later layout would raise it.
    public static let currentFormat = 1

    public var format: Int
    public var kind: Kind
    public var createdAt: Date
    /// The source database, without its password.
    public var database: String
    /// How the snapshot was taken, such as `VACUUM INTO` or `pg_dump 15.8 --format=custom`.
    public var method: String
    /// The backup file's name, its size and SHA-256, so a damaged or swapped file is refused before restoring.
    public var backupFile: String
    public var bytes: Int64
    public var sha256: String
    /// Seconds from the start of the snapshot to the backup file being complete.
    public var seconds: Double
    /// The schema version: the migrations applied, in the order they ran.
    public var migrations: [String]
    public var tables: [DatabaseInventory.TableCount]
    public var audit: DatabaseInventory.AuditState?

    /// Where the manifest of the backup at `backupPath` lives.
    public static func path(forBackup backupPath: String) -> String { backupPath + ".manifest.json" }

    public init(
        kind: Kind, createdAt: Date, database: String, method: String, backupFile: String, bytes: Int64, sha256: String,
        seconds: Double, inventory: DatabaseInventory
    ) {
        self.format = Self.currentFormat
        self.kind = kind
        self.createdAt = createdAt
        self.database = database
        self.method = method
        self.backupFile = backupFile
        self.bytes = bytes
        self.sha256 = sha256
        self.seconds = seconds
        self.migrations = inventory.migrations
        self.tables = inventory.tables
        self.audit = inventory.audit
    }

    /// The manifest as stable, readable JSON.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    public static func decode(_ data: Data) throws -> BackupManifest {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(BackupManifest.self, from: data)
    }

    /// The contents as an inventory, to compare with a restored database.
    public var inventory: DatabaseInventory {
        DatabaseInventory(tables: tables, migrations: migrations, audit: audit)
    }
}
