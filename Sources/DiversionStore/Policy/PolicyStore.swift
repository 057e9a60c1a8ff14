import DiversionCore
import FluentKit
import Foundation

/// A stored policy version as people see it in lists.
public struct PolicyVersionSummary: Sendable, Equatable {
    public let id: UUID
    public let jurisdiction: String
    public let version: String
    public let effectiveDate: String
    public let illustrative: Bool
    public let active: Bool
    public let activatedAt: Date?
    public let activatedBy: String?
    public let createdAt: Date
}

/// The active policy with the stored version it came from.
public struct ActivePolicy: Sendable {
    public let id: UUID
    public let policy: JurisdictionPolicy
    public let activatedAt: Date?

    public init(id: UUID, policy: JurisdictionPolicy, activatedAt: Date?) {
        self.id = id
        self.policy = policy
        self.activatedAt = activatedAt
    }
}

/// Why a policy document could not be activated.
public enum PolicyActivationError: Error, Sendable, Equatable {
    /// The document has problems; nothing was stored.
    case invalid(PolicyProblems)
    /// The same jurisdiction and version is stored with different content.
    case versionTaken(jurisdiction: String, version: String)
}

/// Keeps every policy version and which one is active.
public struct PolicyStore: Sendable {
    public init() {}

    /// Checks `document`, stores it if it is new, and makes it the active version. Re-activating a
    /// stored version with the same content is allowed; the same version with other content is not.
    public func activate(_ document: String, by username: String, at now: Date, on db: any Database) async throws -> PolicyVersionSummary {
        let policy: JurisdictionPolicy
        switch PolicyFile.read(document) {
        case .success(let p): policy = p
        case .failure(let problems): throw PolicyActivationError.invalid(problems)
        }
        let hash = HexDigest.sha256(Data(document.utf8))
        return try await db.transaction { tx in
            let existing = try await PolicyVersionModel.query(on: tx)
                .filter(\.$jurisdiction == policy.jurisdiction).filter(\.$version == policy.version).first()
            if let existing, existing.documentHash != hash {
                throw PolicyActivationError.versionTaken(jurisdiction: policy.jurisdiction, version: policy.version)
            }
            try await PolicyVersionModel.query(on: tx).filter(\.$active == true).set(\.$active, to: false).update()
            let model = existing ?? PolicyVersionModel()
            if existing == nil {
                model.jurisdiction = policy.jurisdiction
                model.version = policy.version
                model.effectiveDate = policy.effectiveDate.description
                model.illustrative = policy.illustrative
                model.document = document
                model.documentHash = hash
                model.createdAt = now
            }
            model.active = true
            model.activatedAt = now
            model.activatedBy = username
            try await model.save(on: tx)
            return Self.summary(model)
        }
    }

    /// Only the active version's id: enough for a cache to tell whether its copy is current.
    public func activeID(on db: any Database) async throws -> UUID? {
        try await PolicyVersionModel.query(on: db).filter(\.$active == true).field(\.$id).first()?.id
    }

    /// The active version's id and document, or nil when no policy was ever activated.
    public func activeDocument(on db: any Database) async throws -> (id: UUID, document: String, activatedAt: Date?)? {
        guard let model = try await PolicyVersionModel.query(on: db).filter(\.$active == true).first(), let id = model.id else { return nil }
        return (id, model.document, model.activatedAt)
    }

    public func versions(on db: any Database) async throws -> [PolicyVersionSummary] {
        try await PolicyVersionModel.query(on: db).sort(\.$createdAt, .descending).all().map(Self.summary)
    }

    static func summary(_ m: PolicyVersionModel) -> PolicyVersionSummary {
        PolicyVersionSummary(
            id: m.id ?? UUID(), jurisdiction: m.jurisdiction, version: m.version, effectiveDate: m.effectiveDate,
            illustrative: m.illustrative, active: m.active, activatedAt: m.activatedAt, activatedBy: m.activatedBy, createdAt: m.createdAt
        )
    }
}
