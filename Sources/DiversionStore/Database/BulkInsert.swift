import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import SQLKit

/// One cell of a bulk write: the only kinds the fact tables hold.
enum BulkValue: Sendable, Equatable {
    case integer(Int)
    case text(String)
    case null

    init(_ value: Int?) { self = value.map(BulkValue.integer) ?? .null }
    init(_ value: String?) { self = value.map(BulkValue.text) ?? .null }
}

/// Appends many rows to one table by the engine's own fast path: PostgreSQL's COPY, SQLite's multi-row INSERT with
/// its values bound directly. SQLKit's builder encodes every value through `Encodable` and serialises a statement of
/// thousands of placeholders per chunk, which costs more than the database's own work at import volume.
///
/// Rows are produced chunk by chunk from `values`, so a file of a million facts is never held twice in memory.
/// Call it inside the caller's transaction: on PostgreSQL the COPY runs on the transaction's connection.
enum BulkInsert {
    static func run<Row>(
        into table: String, columns: [String], rows: some Collection<Row>, on db: any Database, values: (Row) -> [BulkValue]
    ) async throws {
        guard !rows.isEmpty else { return }
        if let sqlite = db as? any SQLiteDatabase {
            try await sqliteInsert(into: table, columns: columns, rows: rows, on: sqlite, values: values)
        } else if let postgres = db as? any PostgresDatabase {
            try await copy(into: table, columns: columns, rows: rows, on: postgres, values: values)
        } else if let sql = db as? any SQLDatabase {
            let perStatement = max(1, 30_000 / columns.count)
            var chunk: [Row] = []
            chunk.reserveCapacity(perStatement)
            func flush() async throws {
                var insert = sql.insert(into: table).columns(columns)
                for row in chunk { insert = insert.values(values(row).map(Self.bind)) }
                try await insert.run()
                chunk.removeAll(keepingCapacity: true)
            }
            for row in rows {
                chunk.append(row)
                if chunk.count == perStatement { try await flush() }
            }
            if !chunk.isEmpty { try await flush() }
        } else {
            throw BulkInsertError(description: "the database does not speak SQL")
        }
    }

    static func bind(_ value: BulkValue) -> any SQLExpression {
        switch value {
        case .integer(let i): SQLBind(i)
        case .text(let s): SQLBind(s)
        case .null: SQLLiteral.null
        }
    }

    /// Multi-row INSERTs, each within SQLite's limit of 32 766 bound values; the statement text is built once per size.
    static func sqliteInsert<Row>(
        into table: String, columns: [String], rows: some Collection<Row>, on db: any SQLiteDatabase, values: (Row) -> [BulkValue]
    ) async throws {
        let perStatement = max(1, 30_000 / columns.count)
        let head = "INSERT INTO \(quoted(table)) (\(columns.map(quoted).joined(separator: ", "))) VALUES "
        let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        func statement(_ count: Int) -> String { head + Array(repeating: tuple, count: count).joined(separator: ",") }
        let full = statement(perStatement)
        var binds: [SQLiteData] = []
        binds.reserveCapacity(perStatement * columns.count)
        var inChunk = 0
        for row in rows {
            let cells = values(row)
            guard cells.count == columns.count else {
                throw BulkInsertError(description: "\(table): \(cells.count) values for \(columns.count) columns")
            }
            for cell in cells {
                switch cell {
                case .integer(let i): binds.append(.integer(i))
                case .text(let s): binds.append(.text(s))
                case .null: binds.append(.null)
                }
            }
            inChunk += 1
            if inChunk == perStatement {
                _ = try await db.query(full, binds)
                binds.removeAll(keepingCapacity: true)
                inChunk = 0
            }
        }
        if inChunk > 0 { _ = try await db.query(statement(inChunk), binds) }
    }

    /// `COPY … FROM STDIN` in text format, sent in blocks of about a megabyte, one COPY per 16 blocks so memory stays bounded.
    static func copy<Row>(
        into table: String, columns: [String], rows: some Collection<Row>, on db: any PostgresDatabase, values: (Row) -> [BulkValue]
    ) async throws {
        var text = ""
        var blocks: [String] = []
        for row in rows {
            let cells = values(row)
            guard cells.count == columns.count else {
                throw BulkInsertError(description: "\(table): \(cells.count) values for \(columns.count) columns")
            }
            for (index, cell) in cells.enumerated() {
                if index > 0 { text.append("\t") }
                switch cell {
                case .integer(let i): text.append(String(i))
                case .text(let s): appendEscaped(s, to: &text)
                case .null: text.append("\\N")
                }
            }
            text.append("\n")
            if text.utf8.count >= 1 << 20 {
                blocks.append(text)
                text = ""
                if blocks.count == 16 {
                    try await copy(blocks, into: table, columns: columns, on: db)
                    blocks.removeAll()
                }
            }
        }
        if !text.isEmpty { blocks.append(text) }
        if !blocks.isEmpty { try await copy(blocks, into: table, columns: columns, on: db) }
    }

    static func copy(_ blocks: [String], into table: String, columns: [String], on db: any PostgresDatabase) async throws {
        // COPY needs the connection itself; inside a transaction `withConnection` hands over the transaction's own.
        let logger = db.logger
        try await db.withConnection { connection in
            let promise = connection.eventLoop.makePromise(of: Void.self)
            promise.completeWithTask {
                try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                    for block in blocks { try await writer.write(ByteBuffer(string: block)) }
                }
            }
            return promise.futureResult
        }.get()
    }

    /// COPY's text format: backslash, tab, newline and carriage return are written as escapes.
    static func appendEscaped(_ s: String, to text: inout String) {
        guard s.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
            text.append(s)
            return
        }
        for character in s.unicodeScalars {
            switch character {
            case "\\": text.append("\\\\")
            case "\t": text.append("\\t")
            case "\n": text.append("\\n")
            case "\r": text.append("\\r")
            default: text.unicodeScalars.append(character)
            }
        }
    }

    static func quoted(_ identifier: String) -> String { "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}

/// Why a bulk write could not start.
struct BulkInsertError: Error, CustomStringConvertible {
    let description: String
}
