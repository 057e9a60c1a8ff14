import DiversionCore
import Foundation
import Vapor

extension Request {
    /// The purpose the caller stated in `X-Purpose`, checked: at most 200 printable characters.
    func statedPurpose() throws -> String? {
        guard let raw = headers.first(name: "X-Purpose")?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        guard raw.count <= 200, !raw.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw ValidationFailure([FieldError("X-Purpose", "State the purpose in at most 200 characters on one line.")])
        }
        return raw
    }

    /// An audit event for something the signed-in user did now.
    func auditEvent(_ action: AuditAction, _ resourceType: String, id resourceID: String?, person personID: UUID? = nil) throws -> AuditEvent {
        let principal = session?.principal
        return AuditEvent(
            occurredAt: now, userID: principal?.userID, username: principal?.username, agencyID: principal?.agencyID,
            action: action, resourceType: resourceType, resourceID: resourceID, personID: personID,
            purpose: try statedPurpose(), requestID: id
        )
    }
}

extension Request {
    /// The `:id` path parameter as a UUID; anything else is a 422 naming `id`.
    func idParameter(of noun: String) throws -> UUID {
        guard let text = parameters.get("id"), let id = UUID(uuidString: text) else {
            throw ValidationFailure([FieldError("id", "A \(noun) id is a UUID such as 3f2c9a1e-0000-4000-8000-000000000000.")])
        }
        return id
    }
}
