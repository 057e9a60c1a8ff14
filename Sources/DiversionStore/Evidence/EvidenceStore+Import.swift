import DiversionCore
import FluentKit
import Foundation
import SQLKit

/// What a historical import wrote.
public struct HistoricalImportOutcome: Sendable, Equatable {
    /// Contacts loaded from the file.
    public var imported: Int
    /// Historical contacts removed first (with `replace`).
    public var removed: Int
    /// Historical contacts on record afterwards.
    public var total: Int
}

extension EvidenceStore {
    /// Rows of one source in the fact tables.
    public func count(source: FactSource, on db: any Database) async throws -> (contacts: Int, tests: Int) {
        guard let sql = db as? any SQLDatabase else { throw EvidenceStoreError.notSQL }
        let contacts = try await sql.raw("SELECT COUNT(*) AS n FROM evidence_contacts WHERE source = \(bind: source.rawValue)").first()?.decode(column: "n", as: Int.self) ?? 0
        let tests = try await sql.raw("SELECT COUNT(*) AS n FROM evidence_tests WHERE source = \(bind: source.rawValue)").first()?.decode(column: "n", as: Int.self) ?? 0
        return (contacts, tests)
    }

    /// The contact keys on record of one source (historical keys carry their own prefix, so they meet no other source's).
    public func contactKeys(source: FactSource, on db: any Database) async throws -> Set<String> {
        guard let sql = db as? any SQLDatabase else { throw EvidenceStoreError.notSQL }
        var keys = Set<String>()
        for row in try await sql.raw("SELECT contact_key FROM evidence_contacts WHERE source = \(bind: source.rawValue)").all() {
            keys.insert(try row.decode(column: "contact_key", as: String.self))
        }
        return keys
    }

    /// Loads a checked historical file in one transaction together with its audit entry: with `replace` the earlier
    /// historical contacts go first; without it a contact already on record is a problem and nothing is written.
    public func importHistorical(
        _ file: HistoricalImport, replace: Bool, fileName: String, at now: Date, trail: AuditTrail, on db: any Database
    ) async throws -> HistoricalImportOutcome {
        try await trail.perform { tx in
            let before = try await count(source: .historical, on: tx).contacts
            if replace { try await remove(source: .historical, on: tx) }
            // Checked inside the transaction, so a concurrent import cannot slip the same contacts in between.
            if let problems = file.alreadyImported(try await contactKeys(source: .historical, on: tx)) { throw problems }
            if replace || before == 0 {
                try await writeLinked(file.facts, tests: [], source: .historical, on: tx)
            } else {
                // Added to earlier imports: a person's contacts may span files, so the table is walked.
                try await insert(file.facts, tests: [], source: .historical, on: tx)
                try await linkFollowUps(source: .historical, on: tx)
            }
            let after = try await count(source: .historical, on: tx)
            try await noteRefresh(source: .historical, at: now, contacts: after.contacts, tests: after.tests, on: tx)
            let outcome = HistoricalImportOutcome(imported: file.facts.count, removed: replace ? before : 0, total: after.contacts)
            let replaced = replace ? ", replacing \(before) earlier" : ""
            let event = AuditEvent(
                occurredAt: now, userID: nil, username: "command line", agencyID: nil, action: replace ? .update : .create,
                resourceType: "evidence", resourceID: FactSource.historical.rawValue,
                purpose: "historical contacts import of \(fileName.suffix(120)): \(file.facts.count) contacts\(replaced)"
            )
            return (outcome, [event])
        }
    }
}
