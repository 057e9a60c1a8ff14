import Foundation

/// What happened, as the audit trail records it.
public enum AuditAction: String, Codable, Sendable, CaseIterable {
    case create, read, search, update, delete
    case loginSucceeded = "login_succeeded"
    case loginFailed = "login_failed"
    case loginLocked = "login_locked"
    case logout
}

/// One thing to record in the audit trail, before it is given its place in the chain.
public struct AuditEvent: Sendable, Equatable {
    public var occurredAt: Date
    public var userID: UUID?
    public var username: String?
    public var agencyID: UUID?
    public var action: AuditAction
    public var resourceType: String
    public var resourceID: String?
    public var personID: UUID?
    public var purpose: String?
    public var requestID: String?

    public init(
        occurredAt: Date, userID: UUID?, username: String?, agencyID: UUID?, action: AuditAction,
        resourceType: String, resourceID: String?, personID: UUID? = nil, purpose: String? = nil, requestID: String? = nil
    ) {
        self.occurredAt = occurredAt
        self.userID = userID
        self.username = username
        self.agencyID = agencyID
        self.action = action
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.personID = personID
        self.purpose = purpose
        self.requestID = requestID
    }
}

/// An audit entry in its place in the chain: sequence number, previous hash and its own hash.
public struct AuditEntry: Sendable, Equatable {
    public let sequence: Int64
    public let event: AuditEvent
    public let previousHash: String
    public let hash: String

    public init(sequence: Int64, event: AuditEvent, previousHash: String, hash: String) {
        self.sequence = sequence
        self.event = event
        self.previousHash = previousHash
        self.hash = hash
    }
}
