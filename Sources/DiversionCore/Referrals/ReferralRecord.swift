import Foundation

/// A referral of a person to a service, and where it stands.
public struct ReferralRecord: Sendable, Equatable {
    public var id: UUID
    public var personID: UUID
    public var serviceID: UUID
    public var contactID: UUID?
    /// The agency that sent it and the agency that runs the service: the two sides of the loop.
    public var referringAgencyID: UUID
    public var receivingAgencyID: UUID
    public var referredByUserID: UUID
    public var referredByName: String
    public var reason: String
    public var urgency: ReferralUrgency
    public var needs: [Modality]
    public var status: ReferralStatus
    public var statusSince: Date
    public var scheduledFor: Date?
    public var dueBy: Date?
    public var createdAt: Date

    public init(
        id: UUID, personID: UUID, serviceID: UUID, contactID: UUID?, referringAgencyID: UUID, receivingAgencyID: UUID, referredByUserID: UUID,
        referredByName: String, reason: String, urgency: ReferralUrgency, needs: [Modality], status: ReferralStatus, statusSince: Date,
        scheduledFor: Date? = nil, dueBy: Date?, createdAt: Date
    ) {
        self.id = id
        self.personID = personID
        self.serviceID = serviceID
        self.contactID = contactID
        self.referringAgencyID = referringAgencyID
        self.receivingAgencyID = receivingAgencyID
        self.referredByUserID = referredByUserID
        self.referredByName = referredByName
        self.reason = reason
        self.urgency = urgency
        self.needs = needs
        self.status = status
        self.statusSince = statusSince
        self.scheduledFor = scheduledFor
        self.dueBy = dueBy
        self.createdAt = createdAt
    }

    /// The side of this referral a member of `agencyID` is on.
    public func side(of agencyID: UUID) -> ReferralSide {
        if agencyID == receivingAgencyID { return .receiving }
        if agencyID == referringAgencyID { return .referring }
        return .neither
    }

    public func isOverdue(at now: Date) -> Bool {
        guard let dueBy, !status.isClosed else { return false }
        return now > dueBy
    }
}

/// One event in a referral's history.
public struct ReferralEventRecord: Sendable, Equatable {
    public var id: UUID
    public var referralID: UUID
    public var type: ReferralEventType
    public var reason: String?
    /// Free text for the receiving service; it may be clinical and is never shown to the referring side.
    public var note: String?
    public var scheduledFor: Date?
    public var recordedByUserID: UUID
    public var recordedByName: String
    public var agencyID: UUID
    public var occurredAt: Date

    public init(
        id: UUID, referralID: UUID, type: ReferralEventType, reason: String?, note: String?, scheduledFor: Date?, recordedByUserID: UUID,
        recordedByName: String, agencyID: UUID, occurredAt: Date
    ) {
        self.id = id
        self.referralID = referralID
        self.type = type
        self.reason = reason
        self.note = note
        self.scheduledFor = scheduledFor
        self.recordedByUserID = recordedByUserID
        self.recordedByName = recordedByName
        self.agencyID = agencyID
        self.occurredAt = occurredAt
    }
}
