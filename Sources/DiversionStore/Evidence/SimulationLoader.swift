import DiversionCore
import FluentKit
import Foundation
import SQLKit

/// Reads the contacts of the evidence fact table that the policy simulation replays, in the order it replays them.
public struct SimulationLoader: Sendable {
    public init() {}

    /// Every contact up to `to` (all when nil), by person and day: contacts before a report's period are still loaded,
    /// because they are the history its diversion limit looks back on. Only the columns the replay needs are read.
    public func load(to: CalendarDate? = nil, sources: [FactSource]? = nil, on db: any Database) async throws -> ReplayContacts {
        guard let sql = db as? any SQLDatabase else { return ReplayContactsBuilder().build() }
        var conditions: [SQLQueryString] = []
        if let to { conditions.append("occurred_day <= \(bind: to.dayNumber)") }
        if let sources, let first = sources.first {
            var list: SQLQueryString = "\(bind: first.rawValue)"
            for s in sources.dropFirst() { list = "\(list), \(bind: s.rawValue)" }
            conditions.append("source IN (\(list))")
        }
        let count = try await sql.raw("SELECT COUNT(*) AS n FROM evidence_contacts\(whereClause(conditions))").first()?.decode(column: "n", as: Int.self) ?? 0
        let rows = Collector(expectedCount: count)
        try await sql.raw("""
            SELECT person_key, occurred_day, sex, age, region, nationality, offence, substance, seizures, circumstances,
                   serious_convictions, eligible, diverted
            FROM evidence_contacts\(whereClause(conditions))
            ORDER BY person_key, occurred_day, contact_key
            """).run { row in rows.add(row) }
        return try rows.build()
    }

    private func whereClause(_ conditions: [SQLQueryString]) -> SQLQueryString {
        guard var sql = conditions.first else { return "" }
        for c in conditions.dropFirst() { sql = "\(sql) AND \(c)" }
        return " WHERE \(sql)"
    }

    /// Rows arrive one at a time on the database's event loop; the builder collects them under a lock.
    private final class Collector: @unchecked Sendable {
        private var builder: ReplayContactsBuilder
        private var failure: (any Error)?
        private let lock = NSLock()

        init(expectedCount: Int) { builder = ReplayContactsBuilder(expectedCount: expectedCount) }

        func add(_ row: any SQLRow) {
            lock.lock()
            defer { lock.unlock() }
            guard failure == nil else { return }
            do {
                builder.append(
                    personKey: try row.decode(column: "person_key", as: String.self),
                    day: try row.decode(column: "occurred_day", as: Int.self),
                    sex: try row.decode(column: "sex", as: String.self),
                    age: try row.decode(column: "age", as: Int?.self),
                    region: try row.decode(column: "region", as: String.self),
                    nationality: try row.decode(column: "nationality", as: String?.self),
                    offence: try row.decode(column: "offence", as: String.self),
                    substance: try row.decode(column: "substance", as: String?.self),
                    seizures: try row.decode(column: "seizures", as: String.self),
                    circumstances: try row.decode(column: "circumstances", as: Int.self),
                    seriousConvictions: try row.decode(column: "serious_convictions", as: String.self),
                    eligible: try row.decode(column: "eligible", as: Int.self) != 0,
                    diverted: try row.decode(column: "diverted", as: Int.self) != 0
                )
            } catch {
                failure = error
            }
        }

        func build() throws -> ReplayContacts {
            lock.lock()
            defer { lock.unlock() }
            if let failure { throw failure }
            return builder.build()
        }
    }
}
