import Foundation

/// A contact as recorded by an officer, with the evaluation it received and the decision taken.
public struct ContactRecord: Sendable, Equatable {
    public var id: UUID
    public var personID: UUID
    public var occurredAt: Date
    public var region: String
    public var latitude: Double?
    public var longitude: Double?
    public var offences: [String]
    public var seizures: [SeizureRecord]
    public var circumstances: ContactCircumstances
    public var officerUserID: UUID
    public var officerName: String
    public var agencyID: UUID
    public var policyVersionID: UUID
    public var evaluation: EligibilityAnswer
    public var decision: OfficerDecision?
    public var decisionReason: String?
    public var decidedAt: Date?
    public var createdAt: Date

    public init(
        id: UUID, personID: UUID, occurredAt: Date, region: String, latitude: Double? = nil, longitude: Double? = nil, offences: [String],
        seizures: [SeizureRecord], circumstances: ContactCircumstances, officerUserID: UUID, officerName: String, agencyID: UUID,
        policyVersionID: UUID, evaluation: EligibilityAnswer, decision: OfficerDecision? = nil, decisionReason: String? = nil,
        decidedAt: Date? = nil, createdAt: Date
    ) {
        self.id = id
        self.personID = personID
        self.occurredAt = occurredAt
        self.region = region
        self.latitude = latitude
        self.longitude = longitude
        self.offences = offences
        self.seizures = seizures
        self.circumstances = circumstances
        self.officerUserID = officerUserID
        self.officerName = officerName
        self.agencyID = agencyID
        self.policyVersionID = policyVersionID
        self.evaluation = evaluation
        self.decision = decision
        self.decisionReason = decisionReason
        self.decidedAt = decidedAt
        self.createdAt = createdAt
    }

    /// What the history rules of a later contact need from this one.
    public var past: PastContact {
        PastContact(occurredOn: CalendarDate(occurredAt), decision: decision, seizures: evaluation.percentOfThreshold)
    }
}

/// Where a contact happened: a region code and, optionally, coordinates.
public enum ContactPlace {
    /// Checks region and coordinates, naming each wrong field.
    public static func check(region: String?, latitude: Double?, longitude: Double?, required: Bool = true, into errors: inout FieldErrors) -> String? {
        let trimmed = region?.trimmingCharacters(in: .whitespaces) ?? ""
        if trimmed.isEmpty {
            if required { errors.add("region", "Give the region code where the contact happened, such as R1.") }
        } else if trimmed.count > 40 || !trimmed.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
            errors.add("region", "A region code is up to 40 letters, digits, - or _.")
        }
        if let latitude, !(latitude.isFinite && (-90...90).contains(latitude)) { errors.add("latitude", "A latitude is from -90 to 90.") }
        if let longitude, !(longitude.isFinite && (-180...180).contains(longitude)) { errors.add("longitude", "A longitude is from -180 to 180.") }
        if (latitude == nil) != (longitude == nil) { errors.add("longitude", "Give both latitude and longitude, or neither.") }
        return trimmed.isEmpty ? nil : trimmed
    }
}
