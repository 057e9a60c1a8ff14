import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// FHIR R4 interchange: a referral as a Bundle, its Task, a service; and Task updates from a provider's own system.
/// Errors stay `application/problem+json`, like the rest of the API.
struct FHIRController {
    static let mediaType = HTTPMediaType(type: "application", subType: "fhir+json", parameters: ["charset": "utf-8"])

    func register(_ api: any RoutesBuilder) {
        let fhir = api.grouped("fhir")
        fhir.endpoint(.GET, "ServiceRequest", ":id", access: .allowed(.read, .referral), use: serviceRequest)
        fhir.endpoint(.GET, "Task", ":id", access: .allowed(.read, .referral), use: task)
        fhir.endpoint(.POST, "Task", ":id", access: .allowed(.update, .referral), use: updateTask)
        fhir.endpoint(.PUT, "Task", ":id", access: .allowed(.update, .referral), use: updateTask)
        fhir.endpoint(.GET, "HealthcareService", ":id", access: .allowed(.read, .service), use: healthcareService)
    }

    /// The referral as a `collection` Bundle. Justice readers never get the service's notes; screenings and
    /// drug-test results come only where the consent rules allow them, and the Patient is named only under consent.
    @Sendable func serviceRequest(_ req: Request) async throws -> Response {
        let (referral, side) = try await ReferralService(request: req).read(try req.idParameter(of: "referral"))
        let (export, view) = try await FHIRExportService(request: req).export(referral, side: side, withPatient: true, withHealth: true)
        guard let view else { throw Abort(.internalServerError) }
        let response = try Self.response(FHIRExport.bundle(export, patient: view, references: FHIRExportService.bundleReferences, now: req.now))
        if export.disclosesHealthData {
            // The Bundle carries the obligation as a security label; the policy's own words travel in a header too.
            let notice = try await req.activePolicy().policy.disclosure.redisclosureNotice
            response.headers.replaceOrAdd(name: "X-Redisclosure-Notice", value: String(notice.unicodeScalars.filter { $0.isASCII && $0.value >= 32 }.map(Character.init)))
        }
        return response
    }

    /// The referral's Task alone, with relative references.
    @Sendable func task(_ req: Request) async throws -> Response {
        let (referral, side) = try await ReferralService(request: req).read(try req.idParameter(of: "referral"))
        let (export, _) = try await FHIRExportService(request: req).export(referral, side: side, withPatient: false, withHealth: false)
        return try Self.response(FHIRExport.task(export, .relative))
    }

    /// A provider's system moves the referral by sending its Task back: the status (and business status) name the
    /// event, which goes through the same rules and audit as `POST /api/v1/referrals/{id}/events`.
    @Sendable func updateTask(_ req: Request) async throws -> Response {
        let id = try req.idParameter(of: "referral")
        let principal = try req.requirePrincipal()
        guard let current = try await ReferralStore().find(id, on: req.db) else {
            throw APIError.notFound("No referral has the id \(id.uuidString.lowercased()).")
        }
        switch current.side(of: principal.agencyID) {
        case .receiving: break
        case .referring:
            throw APIError.forbidden("Only the receiving service updates the Task from its own system; the referring agency withdraws through POST /api/v1/referrals/{id}/events.")
        case .neither:
            throw APIError.forbidden("Only the receiving service updates this referral's Task.")
        }
        let posted = try Self.decodeTask(req, id: id)
        var appointment: Date?
        var appointmentText: String?
        if let input = posted.input?.first(where: { $0.type.code(in: FHIRSystem.taskInput) == "intake-appointment" }) {
            guard let text = input.valueDateTime, let date = FHIRTime.parse(text) else {
                throw ValidationFailure([FieldError("input", "Give the intake appointment as valueDateTime with a time and zone, such as 2026-11-27T10:00:00Z.")])
            }
            appointment = date
            appointmentText = FHIRTime.dateTime(date)
        }
        let event: ReferralEventType?
        do {
            event = try ReferralTaskStatus.event(
                status: posted.status, businessStatus: posted.businessStatus, current: current.status, currentAppointment: current.scheduledFor,
                appointment: appointment
            )
        } catch {
            switch error {
            case .impossible(let message): throw APIError.conflict(message)
            case .notYourSide(let message): throw APIError.forbidden(message)
            case .invalid(let field, let message): throw ValidationFailure([FieldError(field, message)])
            }
        }
        let referral: ReferralRecord
        if let event {
            // Notes already exported carry their time; only the new ones become the event's note.
            let fresh = (posted.note ?? []).filter { n in n.time.flatMap(FHIRTime.parse).map { $0 > current.statusSince } ?? true }.map(\.text)
            referral = try await ReferralService(request: req).record(
                id, type: event.rawValue, reason: posted.statusReason?.text, note: fresh.isEmpty ? nil : fresh.joined(separator: "\n"),
                scheduledFor: event == .intakeScheduled ? appointmentText : nil
            ).0
        } else {
            referral = try await ReferralService(request: req).read(id).0
        }
        let (export, _) = try await FHIRExportService(request: req).export(referral, side: .receiving, withPatient: false, withHealth: false)
        return try Self.response(FHIRExport.task(export, .relative))
    }

    /// A service from the directory (no personal data).
    @Sendable func healthcareService(_ req: Request) async throws -> Response {
        let id = try req.idParameter(of: "service")
        guard let service = try await ServiceStore().find(id, on: req.db) else {
            throw APIError.notFound("No service has the id \(id.uuidString.lowercased()).")
        }
        let agency = try await FHIRExportService(request: req).agency(service.agencyID)
        return try Self.response(FHIRExport.healthcareService(id: service.id, agency: agency, profile: service.profile, .relative))
    }

    /// Reads a posted Task: any body that is not a JSON Task is 422 with the field named.
    static func decodeTask(_ req: Request, id: UUID) throws -> FHIRTask {
        guard let contentType = req.headers.contentType, contentType.type == "application",
              contentType.subType == "json" || contentType.subType.hasSuffix("+json")
        else { throw Abort(.unsupportedMediaType) }
        guard let buffer = req.body.data, buffer.readableBytes > 0 else {
            throw ValidationFailure([FieldError("body", "Send the Task as FHIR JSON with Content-Type: application/fhir+json.")])
        }
        let data = Data(buffer: buffer)
        guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            throw ValidationFailure([FieldError("body", "The body is not a JSON object; send the Task as FHIR JSON.")])
        }
        let task: FHIRTask
        do {
            task = try JSONDecoder().decode(FHIRTask.self, from: data)
        } catch let error as DecodingError {
            let problem = ProblemMiddleware.problem(for: error)
            throw ValidationFailure(problem.errors ?? [FieldError("body", "The Task does not read as FHIR R4: \(problem.detail)")])
        }
        guard task.resourceType == "Task" else {
            throw ValidationFailure([FieldError("resourceType", "Send a Task resource (resourceType Task).")])
        }
        if let given = task.id, given.lowercased() != id.uuidString.lowercased() {
            throw ValidationFailure([FieldError("id", "The Task's id must be the referral id in the path, \(id.uuidString.lowercased()).")])
        }
        return task
    }

    static func response(_ resource: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var headers = HTTPHeaders()
        headers.contentType = mediaType
        return Response(status: .ok, headers: headers, body: .init(data: try encoder.encode(resource)))
    }
}
