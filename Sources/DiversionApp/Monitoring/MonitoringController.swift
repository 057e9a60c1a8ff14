import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// A monitoring device as the API answers it.
struct DeviceResponse: Content {
    var deviceId: String
    var measureId: String
    var personId: String
    var assignedAt: String
    var active: Bool
    var latestPingAt: String?
    /// Codes of the alerts open now for this device's wearer.
    var openAlerts: [String]

    init(_ d: MonitoringDevice) {
        deviceId = d.deviceID
        measureId = d.measureID.uuidString.lowercased()
        personId = d.personID.uuidString.lowercased()
        assignedAt = d.assignedAt.formatted(.iso8601)
        active = d.active
        latestPingAt = d.state.latestPing?.formatted(.iso8601)
        openAlerts = d.state.openAlerts.sorted().map(\.code)
    }
}

/// A monitoring alert as the API answers it.
struct AlertResponse: Content {
    var id: String
    var deviceId: String
    var measureId: String
    var personId: String
    var code: String
    var zoneId: String?
    var curfewDay: String?
    var openedAt: String
    var closedAt: String?
    var acknowledgedBy: String?
    var acknowledgedAt: String?
    var note: String?

    init(_ a: StoredAlert) {
        id = a.id.uuidString.lowercased()
        deviceId = a.deviceID
        measureId = a.measureID.uuidString.lowercased()
        personId = a.personID.uuidString.lowercased()
        code = a.alert.code
        zoneId = a.alert.zoneID
        curfewDay = a.alert.curfewDay?.description
        openedAt = a.openedAt.formatted(.iso8601)
        closedAt = a.closedAt?.formatted(.iso8601)
        acknowledgedBy = a.acknowledgement?.byName
        acknowledgedAt = a.acknowledgement?.at.formatted(.iso8601)
        note = a.acknowledgement?.note
    }
}

/// Electronic monitoring: devices assigned to measures, batches of pings, and the alerts they raise.
struct MonitoringController {
    struct AssignRequest: Decodable {
        var deviceId: String?
        var measureId: String?
    }

    struct PingBatchRequest: Decodable {
        var pings: [PingInput]?
    }

    struct AcknowledgeRequest: Decodable {
        var note: String?
    }

    struct DeviceList: Content {
        var items: [DeviceResponse]
    }

    struct AlertList: Content {
        var items: [AlertResponse]
    }

    func register(_ api: any RoutesBuilder) {
        api.endpoint(.POST, "monitoring", "devices", access: .allowed(.create, .monitoring), use: assign)
        api.endpoint(.GET, "monitoring", "devices", access: .allowed(.search, .monitoring), use: devices)
        // A batch of 5000 pings is about 650 kB of JSON, more than the default body limit.
        api.endpoint(.POST, "monitoring", "pings", access: .allowed(.create, .monitoring), body: .collect(maxSize: "1mb"), use: pings)
        api.endpoint(.GET, "monitoring", "alerts", access: .allowed(.search, .monitoring), use: alerts)
        api.endpoint(.POST, "monitoring", "alerts", ":id", "acknowledge", access: .allowed(.update, .monitoring), use: acknowledge)
    }

    @Sendable func assign(_ req: Request) async throws -> Response {
        let body = try req.decodeJSON(AssignRequest.self)
        let (device, created) = try await MonitoringService(request: req).assign(deviceID: body.deviceId, measureID: body.measureId)
        return try await DeviceResponse(device).encodeResponse(status: created ? .created : .ok, for: req)
    }

    @Sendable func devices(_ req: Request) async throws -> DeviceList {
        guard let text = req.query[String.self, at: "measureId"] else {
            throw ValidationFailure([FieldError("measureId", "Give measureId, the measure whose devices to list (a UUID).")])
        }
        guard let measureID = UUID(uuidString: text) else { throw ValidationFailure([FieldError("measureId", "A measure id is a UUID.")]) }
        let devices = try await MonitoringStore().devices(measureID: measureID, on: req.db)
        try await req.diversion.auditTrail.record(try devices.map { try req.auditEvent(.search, "monitoring_device", id: $0.deviceID, person: $0.personID) })
        return DeviceList(items: devices.map(DeviceResponse.init))
    }

    @Sendable func pings(_ req: Request) async throws -> PingBatchResponse {
        let body = try req.decodeJSON(PingBatchRequest.self)
        guard let pings = body.pings else { throw ValidationFailure([FieldError("pings", "Give pings, a list of {deviceId, time, lat, lon, accuracyMeters}.")]) }
        return try await MonitoringService(request: req).ingest(pings)
    }

    @Sendable func alerts(_ req: Request) async throws -> AlertList {
        var errors = FieldErrors()
        let statusText = req.query[String.self, at: "status"] ?? "open"
        let status = AlertStatusFilter(rawValue: statusText)
        if status == nil { errors.add("status", "Use open, closed or all.") }
        let measureID = try Self.uuid(req, "measureId", into: &errors)
        let personID = try Self.uuid(req, "personId", into: &errors)
        try errors.throwIfAny()
        let found = try await req.withoutSealed(try await MonitoringStore().alerts(status: status ?? .open, measureID: measureID, personID: personID, on: req.db)) {
            try await MeasureStore().find($0.measureID, on: req.db)?.caseID
        }
        try await req.diversion.auditTrail.record(try found.map { try req.auditEvent(.search, "monitoring_alert", id: $0.id.uuidString.lowercased(), person: $0.personID) })
        return AlertList(items: found.map(AlertResponse.init))
    }

    @Sendable func acknowledge(_ req: Request) async throws -> AlertResponse {
        let id = try req.idParameter(of: "alert")
        let body = try req.decodeJSON(AcknowledgeRequest.self)
        return AlertResponse(try await MonitoringController.acknowledge(req, id: id, note: body.note))
    }

    /// Records that a supervision officer saw the alert, with a note; once only.
    static func acknowledge(_ req: Request, id: UUID, note: String?) async throws -> StoredAlert {
        let principal = try req.requirePrincipal()
        let text = try StoredAlert.checkNote(note)
        guard var alert = try await MonitoringStore().alert(id, on: req.db) else {
            throw APIError.notFound("No monitoring alert has the id \(id.uuidString.lowercased()).")
        }
        if let ack = alert.acknowledgement {
            throw APIError.conflict("\(ack.byName) acknowledged this alert at \(ack.at.formatted(.iso8601)).")
        }
        let ack = StoredAlert.Acknowledgement(byName: principal.displayName, at: req.now, note: text)
        let event = try req.auditEvent(.update, "monitoring_alert", id: id.uuidString.lowercased(), person: alert.personID)
        let done = try await req.diversion.auditTrail.perform { db in
            (try await MonitoringStore().acknowledge(id, ack, on: db), [event])
        }
        guard done else { throw APIError.conflict("Someone acknowledged this alert meanwhile; reload it.") }
        alert.acknowledgement = ack
        return alert
    }

    private static func uuid(_ req: Request, _ name: String, into errors: inout FieldErrors) throws -> UUID? {
        guard let text = req.query[String.self, at: name], !text.isEmpty else { return nil }
        guard let id = UUID(uuidString: text) else {
            errors.add(name, "A \(name == "measureId" ? "measure" : "person") id is a UUID.")
            return nil
        }
        return id
    }
}
