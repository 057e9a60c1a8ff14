import Foundation

/// Who a consent lets receive the data: one named agency, or every agency of a type.
public enum ConsentRecipient: Sendable, Equatable, Codable {
    case agency(UUID)
    case agencyType(AgencyType)

    public func covers(agencyID: UUID, agencyType: AgencyType) -> Bool {
        switch self {
        case .agency(let id): id == agencyID
        case .agencyType(let type): type == agencyType
        }
    }
}

/// A person's consent to disclose named categories of their health data to a recipient for a purpose and a period.
public struct ConsentGrant: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var personID: UUID
    public var disclosingAgencyID: UUID
    public var recipient: ConsentRecipient
    public var categories: [DataCategory]
    public var purpose: DisclosurePurpose
    public var validFrom: Date
    public var validUntil: Date
    public var method: ConsentMethod
    /// The court-ordered measure whose consent cannot be revoked until it ends, when the policy says so.
    public var irrevocableWhileMeasure: UUID?
    public var recordedByName: String
    public var recordedAt: Date
    public var revokedAt: Date?
    public var revokedByName: String?

    public init(
        id: UUID, personID: UUID, disclosingAgencyID: UUID, recipient: ConsentRecipient, categories: [DataCategory], purpose: DisclosurePurpose,
        validFrom: Date, validUntil: Date, method: ConsentMethod, irrevocableWhileMeasure: UUID? = nil, recordedByName: String, recordedAt: Date,
        revokedAt: Date? = nil, revokedByName: String? = nil
    ) {
        self.id = id
        self.personID = personID
        self.disclosingAgencyID = disclosingAgencyID
        self.recipient = recipient
        self.categories = categories.sorted()
        self.purpose = purpose
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.method = method
        self.irrevocableWhileMeasure = irrevocableWhileMeasure
        self.recordedByName = recordedByName
        self.recordedAt = recordedAt
        self.revokedAt = revokedAt
        self.revokedByName = revokedByName
    }

    /// The longest a consent may run.
    public static let longestDays = 5 * 366

    /// Whether the consent lets its recipient see its categories at `now`: within its period and not revoked, or
    /// revoked while the court-ordered measure it is tied to still runs (the policy made it irrevocable until then).
    public func isInForce(at now: Date, activeMeasures: Set<UUID>) -> Bool {
        guard validFrom <= now && now < validUntil else { return false }
        guard let revokedAt, revokedAt <= now else { return true }
        if let measure = irrevocableWhileMeasure, activeMeasures.contains(measure) { return true }
        return false
    }

    /// Checks a consent before it is recorded.
    public static func check(categories: [DataCategory], validFrom: Date?, validUntil: Date?, now: Date) throws(ValidationFailure) {
        var errors = FieldErrors()
        if categories.isEmpty { errors.add("categories", "Name at least one category the person agrees to share.") }
        for (i, c) in categories.enumerated() where !c.isHealth {
            errors.add("categories[\(i)]", "\(c.rawValue) is justice data, which needs no consent; name health categories (\(DataCategory.health.map(\.rawValue).joined(separator: ", "))).")
        }
        if validFrom == nil { errors.add("validFrom", "Give the first moment the consent applies (ISO 8601).") }
        if validUntil == nil { errors.add("validUntil", "Give the moment the consent ends (ISO 8601); an open-ended consent is not allowed.") }
        if let from = validFrom, let until = validUntil {
            if until <= from { errors.add("validUntil", "The consent ends before it starts.") }
            if until.timeIntervalSince(from) > Double(longestDays) * 86_400 { errors.add("validUntil", "A consent runs at most \(longestDays) days; record a new one later.") }
            if until <= now { errors.add("validUntil", "The consent would already have ended.") }
        }
        try errors.throwIfAny()
    }
}

/// A judge's order that authorises named categories for a purpose and a period, without the person's consent.
public struct CourtOrder: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var personID: UUID
    public var categories: [DataCategory]
    public var purpose: DisclosurePurpose
    public var validFrom: Date
    public var validUntil: Date
    /// The court's reference for the order, such as a docket number.
    public var reference: String
    public var orderedByName: String
    public var courtAgencyID: UUID
    public var orderedAt: Date

    public init(
        id: UUID, personID: UUID, categories: [DataCategory], purpose: DisclosurePurpose, validFrom: Date, validUntil: Date, reference: String,
        orderedByName: String, courtAgencyID: UUID, orderedAt: Date
    ) {
        self.id = id
        self.personID = personID
        self.categories = categories.sorted()
        self.purpose = purpose
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.reference = reference
        self.orderedByName = orderedByName
        self.courtAgencyID = courtAgencyID
        self.orderedAt = orderedAt
    }

    public func isInForce(at now: Date) -> Bool { validFrom <= now && now < validUntil }
}

/// An administrator's time-limited emergency access to one person's records, with the written reason.
public struct BreakGlassAccess: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var personID: UUID
    public var userID: UUID
    public var userName: String
    public var reason: String
    public var startedAt: Date
    public var expiresAt: Date

    public init(id: UUID, personID: UUID, userID: UUID, userName: String, reason: String, startedAt: Date, expiresAt: Date) {
        self.id = id
        self.personID = personID
        self.userID = userID
        self.userName = userName
        self.reason = reason
        self.startedAt = startedAt
        self.expiresAt = expiresAt
    }

    /// Emergency access lasts at most this long; a longer need is a court order.
    public static let longestHours = 4

    public func isInForce(for userID: UUID, at now: Date) -> Bool { self.userID == userID && startedAt <= now && now < expiresAt }
}
