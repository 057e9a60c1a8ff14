import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// Offline captures and the revisioned person details they may correct.
///
/// `POST /api/v1/captures` (bearer) and `POST /contacts/offline/captures` (the officer's signed-in page,
/// `csrf` in the body) both take one whole capture with an `Idempotency-Key` header.
struct CaptureController {
    struct DetailsChange: Decodable {
        var preferredLanguage: String?
        var flags: [String]?
    }

    func register(api: any RoutesBuilder) {
        api.endpoint(.POST, "captures", access: .allowed(.create, .contact), use: capture)
        api.endpoint(.GET, "captures", "directory", access: .allowed(.search, .service), use: OfflinePages().directory)
        api.endpoint(.GET, "persons", ":id", "details", access: .allowed(.read, .person), use: details)
        api.endpoint(.PATCH, "persons", ":id", "details", access: .allowed(.update, .person), use: changeDetails)
    }

    func register(web: any RoutesBuilder) {
        web.endpoint(.POST, "contacts", "offline", "captures", access: .allowed(.create, .contact), use: captureFromPage)
    }

    /// The page's own route answers problems as JSON too, since the page's script reads them, not a person.
    @Sendable func captureFromPage(_ req: Request) async throws -> Response {
        do {
            return try await capture(req)
        } catch {
            return ProblemMiddleware.response(ProblemMiddleware.problem(for: error, request: req), error: error)
        }
    }

    @Sendable func capture(_ req: Request) async throws -> Response {
        let key = try Self.idempotencyKey(req)
        let input = try req.decodeJSON(CaptureInput.self)
        return try await CaptureService(request: req).record(input, key: key, hash: try Self.fingerprint(req))
    }

    /// The key a client picked for one write: 8 to 200 visible ASCII characters, a UUID being typical.
    static func idempotencyKey(_ req: Request) throws -> String {
        guard let key = req.headers.first(name: "Idempotency-Key")?.trimmingCharacters(in: .whitespaces), !key.isEmpty else {
            throw ValidationFailure([FieldError("Idempotency-Key", "Send an Idempotency-Key header (a new UUID per capture) so a retry never records twice.")])
        }
        guard (8...200).contains(key.count), key.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 }) else {
            throw ValidationFailure([FieldError("Idempotency-Key", "Use 8 to 200 visible ASCII characters, such as a UUID.")])
        }
        return key
    }

    /// SHA-256 of the body with its keys sorted and the page's `csrf` left out: the token changes when the
    /// officer signs in again, the capture does not.
    static func fingerprint(_ req: Request) throws -> String {
        guard let buffer = req.body.data, let object = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any] else {
            throw APIError.badRequest("The body must be a JSON object.")
        }
        var canonical = object
        canonical.removeValue(forKey: CSRFMiddleware.field)
        let data = try JSONSerialization.data(withJSONObject: canonical, options: [.sortedKeys])
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    @Sendable func details(_ req: Request) async throws -> Response {
        let id = try req.idParameter(of: "person")
        let (person, revision) = try await Self.read(id, req)
        let response = try await PersonDetailsResponse(person, revision: revision).encodeResponse(for: req)
        response.headers.replaceOrAdd(name: .eTag, value: "\"\(revision)\"")
        return response
    }

    /// Changes a person's details only when `If-Match` names their current revision; otherwise 409 with the current values.
    @Sendable func changeDetails(_ req: Request) async throws -> Response {
        let id = try req.idParameter(of: "person")
        guard let tag = req.headers.first(name: .ifMatch)?.trimmingCharacters(in: CharacterSet(charactersIn: "\" W/")), let base = Int(tag) else {
            throw ValidationFailure([FieldError("If-Match", "Send If-Match with the revision you read (the ETag of GET /api/v1/persons/{id}/details).")])
        }
        let body = try req.decodeJSON(DetailsChange.self)
        var errors = FieldErrors()
        let checked = CaptureInput.PersonChange(baseRevision: base, preferredLanguage: body.preferredLanguage, flags: body.flags).check(prefix: "", into: &errors)
        try errors.throwIfAny()
        guard let checked else { throw ValidationFailure(errors.all) }
        let (person, current) = try await Self.read(id, req)
        let people = req.diversion.people
        let event = try req.auditEvent(.update, "person", id: id.uuidString.lowercased(), person: id)
        let raised = current == base ? try await req.diversion.auditTrail.perform { db in
            // The audit entry is kept only when the details were changed; a lost race writes nothing.
            let updated = try await people.update(id, checked.change, base: base, on: db)
            return (updated, updated == nil ? [] : [event])
        } : nil
        guard let raised else {
            return try RevisionConflictProblem(
                detail: "The person's details are at revision \(current), not \(base): someone changed them since you read them. Nothing was changed.",
                instance: req.url.path, requestId: req.id, current: PersonDetailsResponse(person, revision: current),
                yours: .init(baseRevision: base, preferredLanguage: checked.change.preferredLanguage, flags: checked.change.flags.map(\.rawValue))
            ).response()
        }
        var details = person.details
        details.preferredLanguage = checked.change.preferredLanguage
        details.flags = checked.change.flags
        let response = try await PersonDetailsResponse(Person(id: id, details: details, createdAt: person.createdAt), revision: raised).encodeResponse(for: req)
        response.headers.replaceOrAdd(name: .eTag, value: "\"\(raised)\"")
        return response
    }

    /// A person and their revision, the read audited. The revision is read first: should a change land in between,
    /// the details shown are newer than the revision, and a write based on them is refused rather than overwriting it.
    static func read(_ id: UUID, _ req: Request) async throws -> (Person, Int) {
        guard let revision = try await req.diversion.people.revision(of: id, on: req.db), let person = try await req.diversion.people.find(id, on: req.db) else {
            throw APIError.notFound("No person has the id \(id.uuidString.lowercased()).")
        }
        try await req.diversion.auditTrail.record([try req.auditEvent(.read, "person", id: id.uuidString.lowercased(), person: id)])
        return (person, revision)
    }
}
