import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Vapor

/// The jurisdiction policy: everyone reads the active one; administrators publish new versions.
struct PolicyController {
    /// The active policy as the API shows it: the policy's own fields, plus which stored version it is.
    struct ActivePolicyResponse: AsyncResponseEncodable, Encodable {
        let id: UUID
        let activatedAt: Date?
        let policy: JurisdictionPolicy

        enum Extra: String, CodingKey { case id, activatedAt }

        func encode(to encoder: any Encoder) throws {
            try policy.encode(to: encoder)
            var container = encoder.container(keyedBy: Extra.self)
            try container.encode(id.uuidString.lowercased(), forKey: .id)
            try container.encodeIfPresent(activatedAt?.formatted(.iso8601), forKey: .activatedAt)
        }

        func encodeResponse(for request: Request) async throws -> Response {
            var headers = HTTPHeaders()
            headers.contentType = .json
            return Response(status: .ok, headers: headers, body: .init(data: try JSONEncoder().encode(self)))
        }
    }

    struct VersionResponse: Content {
        var id: String
        var jurisdiction: String
        var version: String
        var effectiveDate: String
        var illustrative: Bool
        var active: Bool
        var activatedAt: String?
        var activatedBy: String?
        var createdAt: String

        init(_ s: PolicyVersionSummary) {
            id = s.id.uuidString.lowercased()
            jurisdiction = s.jurisdiction
            version = s.version
            effectiveDate = s.effectiveDate
            illustrative = s.illustrative
            active = s.active
            activatedAt = s.activatedAt?.formatted(.iso8601)
            activatedBy = s.activatedBy
            createdAt = s.createdAt.formatted(.iso8601)
        }
    }

    struct VersionList: Content {
        var items: [VersionResponse]
    }

    struct PublishRequest: Decodable {
        var document: String?
    }

    func register(_ api: any RoutesBuilder) {
        api.endpoint(.GET, "policy", access: .allowed(.read, .policy), use: active)
        api.endpoint(.GET, "policy", "versions", access: .allowed(.search, .policy), use: versions)
        api.endpoint(.POST, "policy", "versions", access: .allowed(.create, .policy), use: publish)
    }

    @Sendable func active(_ req: Request) async throws -> ActivePolicyResponse {
        guard let active = try await req.diversion.policies.active(on: req.db) else {
            throw APIError.notFound("No jurisdiction policy is active yet; an administrator activates one with `diversion policy activate FILE`.")
        }
        return ActivePolicyResponse(id: active.id, activatedAt: active.activatedAt, policy: active.policy)
    }

    @Sendable func versions(_ req: Request) async throws -> VersionList {
        VersionList(items: try await PolicyStore().versions(on: req.db).map(VersionResponse.init))
    }

    /// Checks a policy document and makes it the active version at once, without a restart.
    @Sendable func publish(_ req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        let body = try req.decodeJSON(PublishRequest.self)
        guard let document = body.document, !document.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ValidationFailure([FieldError("document", "Send the policy's YAML text in `document`.")])
        }
        guard document.utf8.count <= 200_000 else {
            throw ValidationFailure([FieldError("document", "A policy document has at most 200 kB.")])
        }
        do {
            let summary = try await PolicyStore().activate(document, by: principal.username, at: req.now, on: req.db)
            try await req.diversion.auditTrail.record([try req.auditEvent(.create, "policy_version", id: summary.id.uuidString.lowercased())])
            let response = try await VersionResponse(summary).encodeResponse(status: .created, for: req)
            response.headers.replaceOrAdd(name: .location, value: "/api/v1/policy")
            return response
        } catch PolicyActivationError.invalid(let problems) {
            throw ValidationFailure(problems.all.map { problem in
                let place = problem.line.map { "line \($0), column \(problem.column ?? 1): " } ?? ""
                return FieldError(problem.path.isEmpty ? "document" : "document.\(problem.path)", place + problem.message)
            })
        } catch PolicyActivationError.versionTaken(let jurisdiction, let version) {
            throw APIError.conflict("\(jurisdiction) version \(version) is stored with different content; give the changed policy a new version.")
        }
    }
}

extension Request {
    /// The active policy, or 409: the pathway cannot run before an administrator activates one.
    func activePolicy() async throws -> ActivePolicy {
        guard let active = try await diversion.policies.active(on: db) else {
            throw APIError.conflict("No jurisdiction policy is active yet; an administrator activates one first.")
        }
        return active
    }
}

/// The parsed active policy, kept until another version becomes active (on any instance).
actor PolicyCache {
    private var cached: ActivePolicy?

    func active(on db: any Database) async throws -> ActivePolicy? {
        // Asking for the id alone keeps the per-request check small; the document is read on a change.
        if let cached, try await PolicyStore().activeID(on: db) == cached.id { return cached }
        guard let row = try await PolicyStore().activeDocument(on: db) else { return nil }
        if let cached, cached.id == row.id { return cached }
        guard case .success(let policy) = PolicyFile.read(row.document) else { return nil }
        let active = ActivePolicy(id: row.id, policy: policy, activatedAt: row.activatedAt)
        cached = active
        return active
    }
}
