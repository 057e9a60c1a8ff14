import Foundation

/// How close one seizure came to its threshold.
public struct ThresholdShare: Sendable, Equatable, Codable {
    public var substance: String
    public var percentOfThreshold: Double

    public init(substance: String, percentOfThreshold: Double) {
        self.substance = substance
        self.percentOfThreshold = percentOfThreshold
    }
}

/// An earlier contact as the history rules need it: when, what was decided, how close each seizure came.
public struct PastContact: Sendable, Equatable {
    public var occurredOn: CalendarDate
    public var decision: OfficerDecision?
    public var seizures: [ThresholdShare]

    public init(occurredOn: CalendarDate, decision: OfficerDecision?, seizures: [ThresholdShare]) {
        self.occurredOn = occurredOn
        self.decision = decision
        self.seizures = seizures
    }
}

extension PriorRecord {
    /// The record the eligibility rules count, built from the person's earlier contacts and convictions.
    /// Only contacts up to and including `date` count (the store passes only those before the contact's time); near-threshold evidence uses the policy's band.
    public static func from(_ contacts: [PastContact], seriousConvictions: [CalendarDate] = [], before date: CalendarDate, band: JurisdictionPolicy.Band) -> PriorRecord {
        let earlier = contacts.filter { $0.occurredOn <= date }.sorted { $0.occurredOn < $1.occurredOn }
        return PriorRecord(
            contacts: earlier.map(\.occurredOn),
            diversions: earlier.filter { $0.decision == .divert }.map(\.occurredOn),
            seriousConvictions: seriousConvictions.filter { $0 <= date },
            nearThresholdSeizures: earlier.flatMap { contact in
                contact.seizures
                    .filter { $0.percentOfThreshold >= band.fromPercent && $0.percentOfThreshold <= band.toPercent }
                    .map { NearThresholdEvidence(date: contact.occurredOn, substance: $0.substance, percentOfThreshold: $0.percentOfThreshold) }
            }
        )
    }
}

extension CalendarDate {
    /// The same date `days` days later (or earlier).
    public func adding(days: Int) -> CalendarDate {
        CalendarDate(dayNumber: dayNumber + days)
    }
}
