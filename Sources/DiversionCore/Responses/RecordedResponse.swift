import Foundation

/// The response a team chose for a behaviour, with who chose it, when and why.
public struct RecordedResponse: Sendable, Equatable, Codable {
    public var id: UUID
    public var measureID: UUID
    public var personID: UUID
    /// The treatment court or supervision programme, so its ratio can be shown beside each person's.
    public var programmeID: UUID
    public var behaviour: Behaviour
    public var behaviourAt: Date
    public var phase: Int
    /// A copy of the option as chosen, so a later change to the catalogue does not rewrite history.
    public var option: ResponseOption
    /// Whether the advisor suggested it; choices outside the suggestions are worth reviewing.
    public var wasSuggested: Bool
    public var decidedByUserID: UUID
    public var decidedByName: String
    public var decidedAt: Date
    public var why: String

    public init(
        id: UUID, measureID: UUID, personID: UUID, programmeID: UUID, behaviour: Behaviour, behaviourAt: Date, phase: Int,
        option: ResponseOption, wasSuggested: Bool, decidedByUserID: UUID, decidedByName: String, decidedAt: Date, why: String
    ) {
        self.id = id
        self.measureID = measureID
        self.personID = personID
        self.programmeID = programmeID
        self.behaviour = behaviour
        self.behaviourAt = behaviourAt
        self.phase = phase
        self.option = option
        self.wasSuggested = wasSuggested
        self.decidedByUserID = decidedByUserID
        self.decidedByName = decidedByName
        self.decidedAt = decidedAt
        self.why = why
    }

    /// The occurrence this response answered, as escalation counts it.
    public var behaviourRecord: BehaviourRecord { BehaviourRecord(behaviour: behaviour, occurredAt: behaviourAt) }

    public static let maxWhyLength = 4000

    /// Checks a chosen response before it is recorded, naming each wrong field; returns the option chosen.
    public static func checkChoice(
        optionCode: String?, why: String?, behaviour: Behaviour, matrix: ResponseMatrix = .standard
    ) throws(ValidationFailure) -> ResponseOption {
        var errors = FieldErrors()
        let code = optionCode?.trimmingCharacters(in: .whitespaces) ?? ""
        let option = matrix.option(code)
        if code.isEmpty {
            errors.add("optionCode", "Choose a response, such as one of the suggestions.")
        } else if option == nil {
            errors.add("optionCode", "There is no response '\(code)'; use a code from the suggestions.")
        }
        if let option, behaviour.isDesired && option.kind == .sanction {
            errors.add("optionCode", "\(behaviour.words.prefix(1).uppercased() + behaviour.words.dropFirst()) is progress; answer it with an incentive, not a sanction.")
        }
        if let option, !behaviour.isDesired && option.kind == .incentive {
            errors.add("optionCode", "An incentive does not answer a \(behaviour.words); choose a sanction or a treatment adjustment.")
        }
        let reason = why?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if reason.isEmpty { errors.add("why", "Say why this response was chosen, so the person and the team can follow it.") }
        if reason.count > maxWhyLength { errors.add("why", "Keep it to \(maxWhyLength) characters.") }
        try errors.throwIfAny()
        guard let option else { throw ValidationFailure([FieldError("optionCode", "Choose a response.")]) }
        return option
    }
}
