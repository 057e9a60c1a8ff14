import Foundation

/// What the court decides on a breach (Tokyo Rule 14): carry on, change the conditions, revoke, or end the measure.
public enum BreachAction: String, Sendable, CaseIterable, Codable {
    /// The measure continues unchanged; the breach stays on the record.
    case `continue`
    /// The conditions change through a new decision in the case, which the breach decision names.
    case modify
    /// The measure is revoked; what follows is for the court's next decision.
    case revoke
    /// The measure ends without revocation (for example, it can no longer be carried out).
    case terminate

    /// The outcome the measure gets, for actions that end it.
    public var outcome: MeasureOutcome? {
        switch self {
        case .revoke: .revoked
        case .terminate: .terminated
        case .continue, .modify: nil
        }
    }
}

/// The court's decision on a breach.
public struct BreachDecision: Sendable, Equatable, Codable {
    public var action: BreachAction
    public var reason: String
    /// For `modify`: the new decision in the case that changed the conditions.
    public var decisionID: UUID?
    public var decidedByName: String
    public var decidedAt: Date

    public init(action: BreachAction, reason: String, decisionID: UUID?, decidedByName: String, decidedAt: Date) {
        self.action = action
        self.reason = reason
        self.decisionID = decisionID
        self.decidedByName = decidedByName
        self.decidedAt = decidedAt
    }
}

/// A breach of a measure's conditions, filed by supervision for the court's worklist.
public struct Breach: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var measureID: UUID
    public var caseID: UUID
    public var personID: UUID
    /// What happened, in the supervision officer's words.
    public var description: String
    /// The behaviours the breach concerns, such as missed tests or a zone violation.
    public var behaviours: [Behaviour]
    public var filedByName: String
    public var filedAt: Date
    public var decision: BreachDecision?

    public init(
        id: UUID, measureID: UUID, caseID: UUID, personID: UUID, description: String, behaviours: [Behaviour], filedByName: String,
        filedAt: Date, decision: BreachDecision? = nil
    ) {
        self.id = id
        self.measureID = measureID
        self.caseID = caseID
        self.personID = personID
        self.description = description
        self.behaviours = behaviours
        self.filedByName = filedByName
        self.filedAt = filedAt
        self.decision = decision
    }

    public var isOpen: Bool { decision == nil }

    public static let maxTextLength = 4000

    /// Checks a breach before it is filed: a description, and only behaviours that breach a condition (not progress).
    public static func check(description: String, behaviours: [Behaviour]) throws(ValidationFailure) {
        var errors = FieldErrors()
        let text = description.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { errors.add("description", "Describe what happened and when, for the court.") }
        if text.count > maxTextLength { errors.add("description", "Keep the description to \(maxTextLength) characters.") }
        for (i, b) in behaviours.enumerated() where b.isDesired {
            errors.add("behaviours[\(i)]", "\(b.words.prefix(1).uppercased() + b.words.dropFirst()) is progress, not a breach.")
        }
        if behaviours.count > 20 { errors.add("behaviours", "Name at most 20 behaviours.") }
        try errors.throwIfAny()
    }

    /// Checks the court's decision on this breach: a reason always, and for `modify` a later decision in the same case.
    public func checkDecision(
        action: BreachAction, reason: String, modifyingDecision: RecordedDecision?
    ) throws(ValidationFailure) {
        var errors = FieldErrors()
        let text = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { errors.add("reason", "Give the reason for the decision on the breach.") }
        if text.count > Self.maxTextLength { errors.add("reason", "Keep the reason to \(Self.maxTextLength) characters.") }
        if action == .modify {
            if let d = modifyingDecision {
                if d.caseID != caseID { errors.add("decisionId", "The decision belongs to another case.") }
                if d.decidedAt < filedAt { errors.add("decisionId", "The decision came before the breach was filed; record the modified conditions as a new decision first.") }
            } else {
                errors.add("decisionId", "Record the modified conditions as a new decision in the case, then name it here.")
            }
        } else if modifyingDecision != nil {
            errors.add("decisionId", "Only a decision to modify names a new decision.")
        }
        try errors.throwIfAny()
    }
}
