import Foundation

/// On what ground health data reaches its reader.
public enum DisclosureBasis: Sendable, Equatable, Codable {
    /// The reader's own agency holds the data; nothing is disclosed.
    case ownRecord
    /// Justice data read by justice users under the access policy; not a disclosure of health data.
    case justiceRecord
    case consent(UUID)
    case courtOrder(UUID)
    case breakGlass(UUID)

    /// Whether using this basis is a disclosure of health data to be accounted for.
    public var isDisclosure: Bool {
        switch self {
        case .consent, .courtOrder, .breakGlass: true
        case .ownRecord, .justiceRecord: false
        }
    }
}

/// The answer for one category: shown (and why), the referral's status only, or withheld with the reason.
public enum DisclosureDecision: Sendable, Equatable {
    case allowed(DisclosureBasis)
    case statusOnly
    case withheld(reason: String)

    public var isAllowed: Bool {
        if case .allowed = self { return true }
        return false
    }
}

/// What a reader asks to see.
public struct DisclosureRequest: Sendable, Equatable {
    public var userID: UUID
    public var agencyID: UUID
    public var agencyType: AgencyType
    public var category: DataCategory
    public var personID: UUID
    /// The agency that holds the data, when known (a provider's records, a referral's receiving service).
    public var holderAgencyID: UUID?
    public var now: Date

    public init(userID: UUID, agencyID: UUID, agencyType: AgencyType, category: DataCategory, personID: UUID, holderAgencyID: UUID?, now: Date) {
        self.userID = userID
        self.agencyID = agencyID
        self.agencyType = agencyType
        self.category = category
        self.personID = personID
        self.holderAgencyID = holderAgencyID
        self.now = now
    }
}

/// What is on file for one person: consents, orders, emergency access, and the measures still running.
public struct DisclosureFile: Sendable, Equatable {
    public var consents: [ConsentGrant]
    public var orders: [CourtOrder]
    public var breakGlass: [BreakGlassAccess]
    public var activeMeasures: Set<UUID>

    public init(consents: [ConsentGrant] = [], orders: [CourtOrder] = [], breakGlass: [BreakGlassAccess] = [], activeMeasures: Set<UUID> = []) {
        self.consents = consents
        self.orders = orders
        self.breakGlass = breakGlass
        self.activeMeasures = activeMeasures
    }
}

/// The one place that decides whether a category of a person's data reaches a reader (purpose limitation).
public enum DisclosureRules {
    /// Decides in this order: justice data follows the access policy; treatment data never reaches police, whatever
    /// any consent, order or emergency says; the holder sees its own records; then an emergency access, a consent
    /// in force for this recipient, category and purpose, or a court order; then, for a referral's status alone,
    /// the status where the policy allows it; otherwise "no consent on file".
    public static func decide(_ r: DisclosureRequest, file: DisclosureFile, statusWithoutConsent: Bool) -> DisclosureDecision {
        guard r.category.isHealth else { return .allowed(.justiceRecord) }
        if r.agencyType == .police {
            if r.category == .referralStatus && statusWithoutConsent { return .statusOnly }
            return .withheld(reason: r.category == .referralStatus
                ? "No consent on file for referral status."
                : "Treatment information never reaches police agencies; police see at most the status of a referral.")
        }
        if r.agencyType.runsServices, r.holderAgencyID == nil || r.holderAgencyID == r.agencyID { return .allowed(.ownRecord) }
        if r.agencyType == .administration, let access = file.breakGlass.first(where: { $0.personID == r.personID && $0.isInForce(for: r.userID, at: r.now) }) {
            return .allowed(.breakGlass(access.id))
        }
        if let purpose = DisclosurePurpose.of(r.agencyType) {
            let consent = file.consents.first { c in
                c.personID == r.personID && c.purpose == purpose && c.categories.contains(r.category)
                    && c.recipient.covers(agencyID: r.agencyID, agencyType: r.agencyType)
                    && (r.holderAgencyID == nil || c.disclosingAgencyID == r.holderAgencyID)
                    && c.isInForce(at: r.now, activeMeasures: file.activeMeasures)
            }
            if let consent { return .allowed(.consent(consent.id)) }
            if r.agencyType == .court || r.agencyType == .prosecution || r.agencyType == .supervision,
               let order = file.orders.first(where: { $0.personID == r.personID && $0.purpose == purpose && $0.categories.contains(r.category) && $0.isInForce(at: r.now) }) {
                return .allowed(.courtOrder(order.id))
            }
        }
        if r.category == .referralStatus && statusWithoutConsent { return .statusOnly }
        return .withheld(reason: "No consent on file for \(r.category.words).")
    }
}
