import Foundation

/// A justice case: a person's contacts grouped as they move through the legal stages.
public struct JusticeCase: Sendable, Equatable {
    public var id: UUID
    public var personID: UUID
    public var stage: Stage
    public var contactIDs: [UUID]
    public var agencyID: UUID
    public var openedAt: Date

    public init(id: UUID, personID: UUID, stage: Stage, contactIDs: [UUID], agencyID: UUID, openedAt: Date) {
        self.id = id
        self.personID = personID
        self.stage = stage
        self.contactIDs = contactIDs
        self.agencyID = agencyID
        self.openedAt = openedAt
    }

    /// A decision may be taken at the case's stage or a later one; stages never go back.
    public func canDecide(at stage: Stage) -> Bool {
        let order = Stage.allCases
        return (order.firstIndex(of: stage) ?? 0) >= (order.firstIndex(of: self.stage) ?? 0)
    }
}

/// A recorded decision; never edited, only superseded by a later one.
public struct RecordedDecision: Sendable, Equatable {
    public var id: UUID
    public var caseID: UUID
    public var stage: Stage
    public var authority: Authority
    public var measures: [OrderedMeasure]
    public var proportionality: Proportionality
    public var consent: MeasureConsent?
    public var decidedByUserID: UUID
    public var decidedByName: String
    public var agencyID: UUID
    public var decidedAt: Date
    /// The decision this one replaces, if any.
    public var supersedes: UUID?

    public init(
        id: UUID, caseID: UUID, stage: Stage, authority: Authority, measures: [OrderedMeasure], proportionality: Proportionality,
        consent: MeasureConsent?, decidedByUserID: UUID, decidedByName: String, agencyID: UUID, decidedAt: Date, supersedes: UUID?
    ) {
        self.id = id
        self.caseID = caseID
        self.stage = stage
        self.authority = authority
        self.measures = measures
        self.proportionality = proportionality
        self.consent = consent
        self.decidedByUserID = decidedByUserID
        self.decidedByName = decidedByName
        self.agencyID = agencyID
        self.decidedAt = decidedAt
        self.supersedes = supersedes
    }
}
