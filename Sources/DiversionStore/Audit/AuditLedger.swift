import DiversionCore
import FluentKit
import Foundation

/// Reads the audit trail back: verification and the entries about one person.
public struct AuditLedger: Sendable {
    /// The result of walking the whole chain.
    public enum Verification: Sendable, Equatable {
        case intact(entries: Int64)
        case broken(AuditVerifier.Break)
        /// The chain is consistent but shorter than its head says: entries were cut off the end.
        case truncated(lastSequence: Int64, headSequence: Int64)
    }

    public init() {}

    /// Walks every entry in sequence order, in pages so memory stays flat on a long trail.
    public func verify(on db: any Database, pageSize: Int = 5000) async throws -> Verification {
        var verifier = AuditVerifier(chain: .sha256)
        var after: Int64 = 0
        var last: AuditEntry?
        while true {
            let page = try await AuditEntryModel.query(on: db)
                .filter(\.$id > after)
                .sort(\.$id)
                .limit(pageSize)
                .all()
            for row in page {
                let entry = row.entry
                if let broken = verifier.check(entry) { return .broken(broken) }
                last = entry
            }
            guard let tail = page.last?.id, page.count == pageSize else { break }
            after = tail
        }
        let head = try await AuditChainHeadModel.find(1, on: db)
        let lastSequence = last?.sequence ?? 0
        if let head, head.sequence != lastSequence || (last != nil && head.hash != last?.hash) {
            if head.sequence > lastSequence {
                return .truncated(lastSequence: lastSequence, headSequence: head.sequence)
            }
            return .broken(.previousHashMismatch(sequence: lastSequence))
        }
        return .intact(entries: verifier.checked)
    }

    /// The newest entries, for review pages and tests.
    public func latest(_ count: Int, on db: any Database) async throws -> [AuditEntry] {
        try await AuditEntryModel.query(on: db).sort(\.$id, .descending).limit(count).all().map(\.entry)
    }

    public func count(on db: any Database) async throws -> Int {
        try await AuditEntryModel.query(on: db).count()
    }
}
