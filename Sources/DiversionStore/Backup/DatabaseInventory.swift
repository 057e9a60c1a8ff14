import DiversionCore
import FluentKit
import Foundation
import SQLKit

/// Every table's row count, the migrations applied and the audit chain's state: what a backup
/// promises and what a restore is checked against.
public struct DatabaseInventory: Sendable, Equatable {
    /// One table and how many rows it holds.
    public struct TableCount: Codable, Sendable, Equatable {
        public var table: String
        public var rows: Int
        public init(table: String, rows: Int) {
            self.table = table
            self.rows = rows
        }
    }

    /// The audit chain: its length, its head and whether it verified.
    public struct AuditState: Codable, Sendable, Equatable {
        /// Entries walked by verification.
        public var entries: Int64
        public var headSequence: Int64
        public var headHash: String
        public var intact: Bool
        /// Why verification failed, when it did.
        public var problem: String?

        public init(entries: Int64, headSequence: Int64, headHash: String, intact: Bool, problem: String? = nil) {
            self.entries = entries
            self.headSequence = headSequence
            self.headHash = headHash
            self.intact = intact
            self.problem = problem
        }
    }

    public var tables: [TableCount]
    public var migrations: [String]
    public var audit: AuditState?

    public init(tables: [TableCount], migrations: [String], audit: AuditState?) {
        self.tables = tables
        self.migrations = migrations
        self.audit = audit
    }

    /// The tables of the schema in use (SQLite's own tables left out), sorted by name.
    public static func tableNames(on db: any Database) async throws -> [String] {
        guard let sql = db as? any SQLDatabase else { return [] }
        let rows: [any SQLRow]
        if db.isSQLite {
            rows = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all()
        } else {
            // current_schema() is the first schema of the search path that exists, or NULL when none does.
            rows = try await sql.raw("""
                SELECT c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
                """).all()
        }
        return try rows.map { try $0.decode(column: "name", as: String.self) }.sorted()
    }

    /// Reads the whole inventory. Inside one transaction (PostgreSQL) or on a file nobody writes
    /// (a SQLite backup), every number describes the same moment.
    public static func take(on db: any Database) async throws -> DatabaseInventory {
        guard let sql = db as? any SQLDatabase else { return DatabaseInventory(tables: [], migrations: [], audit: nil) }
        let names = try await tableNames(on: db)
        var tables: [TableCount] = []
        for name in names {
            let row = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: name)").first()
            tables.append(TableCount(table: name, rows: try row?.decode(column: "n", as: Int.self) ?? 0))
        }
        var migrations: [String] = []
        if names.contains("_fluent_migrations") {
            migrations = try await sql.raw("SELECT name FROM _fluent_migrations ORDER BY batch, created_at, name").all()
                .map { try $0.decode(column: "name", as: String.self) }
        }
        var audit: AuditState?
        if names.contains(AuditEntryModel.schema), names.contains(AuditChainHeadModel.schema) {
            audit = try await auditState(on: db)
        }
        return DatabaseInventory(tables: tables, migrations: migrations, audit: audit)
    }

    static func auditState(on db: any Database) async throws -> AuditState {
        let head = try await AuditChainHeadModel.find(1, on: db)
        let sequence = head?.sequence ?? 0, hash = head?.hash ?? ""
        switch try await AuditLedger().verify(on: db) {
        case .intact(let entries):
            return AuditState(entries: entries, headSequence: sequence, headHash: hash, intact: true)
        case .broken(let brk):
            return AuditState(entries: -1, headSequence: sequence, headHash: hash, intact: false, problem: brk.description)
        case .truncated(let last, let headSequence):
            return AuditState(
                entries: last, headSequence: sequence, headHash: hash, intact: false,
                problem: "entries \(last + 1) to \(headSequence) are missing (removed from the end)"
            )
        }
    }

    /// Whether the database holds no table at all: the only kind a restore writes into.
    public var isEmpty: Bool { tables.isEmpty }
}
