import Foundation

extension JurisdictionPolicy {
    /// Sealing: a case that ends well disappears from police and prosecution, and still counts in statistics.
    public struct Sealing: Sendable, Equatable, Codable {
        /// Whether a case is sealed once its measures have ended with one of `outcomes`.
        public var onCompletion: Bool
        /// The outcomes that seal; every measure of the case must have ended with one of them.
        public var outcomes: [MeasureOutcome]
        /// Days after the last outcome is recorded before the seal takes effect (0: at once).
        public var afterDays: Int

        public static let standard = Sealing(onCompletion: false, outcomes: [.completed], afterDays: 0)
        public static let afterDaysRange = 0...3650

        public init(onCompletion: Bool, outcomes: [MeasureOutcome], afterDays: Int) {
            self.onCompletion = onCompletion
            self.outcomes = outcomes
            self.afterDays = afterDays
        }

        /// Whether a case with these measures is sealed: none is still running, and every measure that was not
        /// replaced by a later decision ended with a sealing outcome.
        public func seals(_ measures: [MeasureRecord]) -> Bool {
            guard onCompletion else { return false }
            let current = measures.filter { $0.status != .superseded }
            guard !current.isEmpty else { return false }
            return current.allSatisfy { m in m.outcome.map { outcomes.contains($0.outcome) } ?? false }
        }

        /// When a seal decided at `now` takes effect.
        public func effective(from now: Date) -> Date {
            now.addingTimeInterval(Double(afterDays) * 86_400)
        }
    }

    /// Retention periods in days per kind of record; a kind absent from `days` is kept for good.
    /// The audit trail is never removed: every entry is chained to the one before it.
    public struct Retention: Sendable, Equatable, Codable {
        public var days: [RetainedRecord: Int]

        public static let standard = Retention(days: [
            .contacts: 1825, .screenings: 1825, .referrals: 1825, .casesAndMeasures: 3650,
            .drugTestResults: 730, .monitoringPings: 90, .monitoringAlerts: 730,
        ])
        public static let daysRange = 1...36_500

        public init(days: [RetainedRecord: Int]) {
            self.days = days
        }

        /// The instant before which records of `kind` are past their period, or nil when they are kept for good.
        public func cutoff(_ kind: RetainedRecord, now: Date) -> Date? {
            days[kind].map { now.addingTimeInterval(-Double($0) * 86_400) }
        }
    }
}

/// The kinds of record a retention period applies to, named as in the policy file.
public enum RetainedRecord: String, Sendable, CaseIterable, Codable {
    case contacts, screenings, referrals, casesAndMeasures, drugTestResults, monitoringPings, monitoringAlerts

    /// What retention does to an expired record of this kind, in words for reports.
    public var treatment: String {
        switch self {
        case .monitoringPings: "deleted"
        case .monitoringAlerts: "deleted once closed"
        case .contacts: "coordinates and decision reason removed"
        case .screenings: "answers removed; instrument, score and level kept"
        case .referrals: "reason, needs and event notes removed once closed"
        case .casesAndMeasures: "decision reasons, outcome notes and breach descriptions removed once every measure ended"
        case .drugTestResults: "substances, excuse and chain of custody removed once the measure ended; outcome kept"
        }
    }
}

/// Who sees sealed records. Police and prosecution lose them; judges and supervision officers keep
/// their access; administrators read them only through the audited route that asks for a reason.
public enum SealedRecords {
    /// Roles whose access survives a seal.
    public static let keptBy: Set<Role> = [.judge, .supervisor, .provider]

    /// Whether someone holding `roles` sees sealed cases, their contacts and their measures in ordinary views.
    public static func visible(to roles: Set<Role>) -> Bool {
        !roles.isDisjoint(with: keptBy)
    }

    /// The longest reason an administrator may give for reading a sealed record, and the shortest.
    public static let reasonLength = 10...200

    /// Checks the written reason for reading a sealed record.
    public static func checkReason(_ text: String?) throws(ValidationFailure) -> String {
        let trimmed = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard reasonLength.contains(trimmed.count),
              !trimmed.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) })
        else {
            throw ValidationFailure([FieldError("reason", "Say why you need this sealed record, in \(reasonLength.lowerBound) to \(reasonLength.upperBound) characters on one line; the reason is kept in the audit trail.")])
        }
        return trimmed
    }
}
