import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The service directory as Open Referral HSDS JSON over the API: anyone who reads the directory exports it,
/// administrators import it.
struct ServiceInterchangeController {
    struct ImportParameters: Decodable {
        var agency: String?
    }

    /// The answer to an import.
    struct ImportResponse: Content {
        var created: Int
        var updated: Int
        var unchanged: Int
    }

    func register(_ api: any RoutesBuilder) {
        api.endpoint(.GET, "services", "export.hsds.json", access: .allowed(.search, .service), use: export)
        api.endpoint(.POST, "services", "import", access: .allowed(.create, .service), body: .collect(maxSize: "10mb"), use: importDirectory)
    }

    @Sendable func export(_ req: Request) async throws -> Response {
        let data = try await ServiceInterchange().export(on: req.db)
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    /// All or nothing: every service in the file is created or updated by id in one transaction, or, on any problem, none.
    @Sendable func importDirectory(_ req: Request) async throws -> ImportResponse {
        guard let contentType = req.headers.contentType, contentType.type == "application",
              contentType.subType == "json" || contentType.subType.hasSuffix("+json")
        else { throw Abort(.unsupportedMediaType) }
        guard let body = req.body.data, body.readableBytes > 0 else {
            throw APIError.badRequest("The body is empty. Send an HSDS JSON array of services with Content-Type: application/json.")
        }
        guard let params = try? req.query.decode(ImportParameters.self) else {
            throw ValidationFailure([FieldError("query", "Give agency at most once.")])
        }
        let interchange = ServiceInterchange()
        var agencyID: UUID?
        if let reference = params.agency?.trimmingCharacters(in: .whitespaces), !reference.isEmpty {
            agencyID = try await interchange.agency(reference, on: req.db)
        }
        // One template checks X-Purpose once; each written service gets its own copy.
        let template = try req.auditEvent(.create, "service", id: nil)
        let outcome = try await interchange.importDocument(
            Data(buffer: body), agencyID: agencyID, now: req.now, on: req.db, auditTrail: req.diversion.auditTrail
        ) { action, id in
            var event = template
            event.action = action
            event.resourceID = id
            return event
        }
        return ImportResponse(created: outcome.created, updated: outcome.updated, unchanged: outcome.unchanged)
    }
}
