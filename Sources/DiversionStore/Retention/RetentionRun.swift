import DiversionCore
import FluentKit
import Foundation

/// What one retention run found or did for one kind of record.
public struct RetentionLine: Sendable, Equatable {
    /// The policy's name for the kind (`monitoringPings`), or `people`.
    public let kind: String
    /// The retention period in days; nil when the kind is kept for good.
    public let days: Int?
    /// Records older than this instant are past their period.
    public let cutoff: Date?
    /// Records past their period (dry run), or records changed (real run).
    public let count: Int
    public let treatment: String
}

/// Applies a policy's retention periods: one transaction per kind of record, each with its audit
/// entry (counts only, never personal data), then the people left with nothing inside its period.
public struct RetentionRun: Sendable {
    public let retention: JurisdictionPolicy.Retention
    /// Names the policy in the audit entries.
    public let policyName: String
    /// How long the answers to idempotent writes are kept: long enough for a device's retries, no longer.
    public let idempotencyDays: Int

    public static let defaultIdempotencyDays = 30

    public init(retention: JurisdictionPolicy.Retention, policyName: String, idempotencyDays: Int = Self.defaultIdempotencyDays) {
        self.retention = retention
        self.policyName = policyName
        self.idempotencyDays = max(1, idempotencyDays)
    }

    /// Runs retention as of `now`. A dry run only counts: it changes nothing and writes no audit entry.
    public func run(now: Date, dryRun: Bool, trail: AuditTrail, on db: any Database) async throws -> [RetentionLine] {
        let store = RetentionStore()
        var lines: [RetentionLine] = []
        for kind in RetainedRecord.allCases {
            guard let cutoff = retention.cutoff(kind, now: now) else {
                lines.append(RetentionLine(kind: kind.rawValue, days: nil, cutoff: nil, count: 0, treatment: "kept for good"))
                continue
            }
            let count: Int
            if dryRun {
                count = try await store.due(kind, before: cutoff, on: db)
            } else {
                let action: AuditAction = [.monitoringPings, .monitoringAlerts, .drugTestResults].contains(kind) ? .delete : .update
                let purpose = purpose(kind.rawValue, cutoff: cutoff)
                count = try await trail.perform { db in
                    let n = try await store.apply(kind, before: cutoff, on: db)
                    return (n, [Self.event(action, kind.rawValue, now: now, purpose: "\(purpose): \(n) \(kind.treatment)")])
                }
            }
            lines.append(RetentionLine(kind: kind.rawValue, days: retention.days[kind], cutoff: cutoff, count: count, treatment: kind.treatment))
        }
        lines.append(try await pruneIdempotencyAnswers(now: now, dryRun: dryRun, trail: trail, on: db))
        let treatment = "names deleted, birth date cut to the year; the id stays so audit entries resolve"
        let people: Int
        if dryRun {
            people = try await store.expiredPeople(retention, now: now, on: db).count
        } else {
            let purpose = purpose("people", cutoff: nil)
            people = try await trail.perform { db in
                let n = try await store.anonymise(try await store.expiredPeople(retention, now: now, on: db), at: now, on: db)
                return (n, [Self.event(.update, "people", now: now, purpose: "\(purpose): \(n) anonymised")])
            }
        }
        lines.append(RetentionLine(kind: "people", days: nil, cutoff: nil, count: people, treatment: treatment))
        return lines
    }

    /// Stored answers to captures name a person and a contact; they serve retries only, so they go after a short period.
    private func pruneIdempotencyAnswers(now: Date, dryRun: Bool, trail: AuditTrail, on db: any Database) async throws -> RetentionLine {
        let kind = "idempotencyAnswers", treatment = "deleted"
        let cutoff = now.addingTimeInterval(-Double(idempotencyDays) * 86_400)
        let store = IdempotencyStore()
        let count: Int
        if dryRun {
            count = try await store.count(before: cutoff, on: db)
        } else {
            let purpose = purpose(kind, cutoff: cutoff)
            count = try await trail.perform { db in
                let n = try await store.prune(before: cutoff, on: db)
                return (n, [Self.event(.delete, kind, now: now, purpose: "\(purpose): \(n) \(treatment)")])
            }
        }
        return RetentionLine(kind: kind, days: idempotencyDays, cutoff: cutoff, count: count, treatment: treatment)
    }

    private func purpose(_ kind: String, cutoff: Date?) -> String {
        let before = cutoff.map { " before \(CalendarDate($0))" } ?? ""
        return "retention run under \(policyName.prefix(80)), \(kind)\(before)"
    }

    static func event(_ action: AuditAction, _ kind: String, now: Date, purpose: String) -> AuditEvent {
        AuditEvent(occurredAt: now, userID: nil, username: "retention", agencyID: nil, action: action,
                   resourceType: "retention", resourceID: kind, personID: nil, purpose: purpose, requestID: nil)
    }
}
