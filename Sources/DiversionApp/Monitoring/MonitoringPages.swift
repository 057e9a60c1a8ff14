import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The supervision officer's alert list (sweeping for silent devices first) and a measure's monitoring page.
struct MonitoringPages {
    struct AlertRow: Encodable {
        var id: String
        var person: String
        var personId: String
        var measure: String
        var measureId: String
        var code: String
        var what: String
        var subject: String
        var since: String
        var closed: String
        var acknowledged: Bool
        var acknowledgedBy: String
        var acknowledgedAt: String
        var note: String
    }

    struct AlertsPage: Encodable {
        var open: [AlertRow]
        var hasOpen: Bool
        var closed: [AlertRow]
        var hasClosed: Bool
        var canAcknowledge: Bool
        var notice: String?
        var errors: [ShownError]
        var hasErrors: Bool
        var errorAlert: String
    }

    struct DeviceRow: Encodable {
        var deviceId: String
        var assigned: String
        var active: Bool
        var latest: String
    }

    struct ZoneRow: Encodable {
        var name: String
        var kind: String
    }

    struct MeasurePage: Encodable {
        var measureId: String
        var measure: String
        var person: String
        var personId: String
        var devices: [DeviceRow]
        var hasDevices: Bool
        var latest: String
        var hasCurfew: Bool
        var curfewPlace: String
        var curfewHours: String
        var curfewDays: String
        var curfewTimeZone: String
        var zones: [ZoneRow]
        var hasZones: Bool
        var noSignalMinutes: Int
        var problems: [String]
        var hasProblems: Bool
        var alerts: [AlertRow]
        var hasAlerts: Bool
    }

    struct AcknowledgeForm: Decodable {
        var note: String?
    }

    func register(_ web: any RoutesBuilder) {
        web.endpoint(.GET, "supervision", "alerts", access: .allowed(.search, .monitoring), use: alerts)
        web.endpoint(.POST, "supervision", "alerts", ":id", "acknowledge", access: .allowed(.update, .monitoring), use: acknowledge)
        web.endpoint(.GET, "measures", ":id", "monitoring", access: .allowed(.read, .monitoring), use: measure)
    }

    @Sendable func alerts(_ req: Request) async throws -> Response {
        try await renderAlerts(req, errors: [], errorAlert: "", status: .ok)
    }

    private func renderAlerts(_ req: Request, errors: [FieldError], errorAlert: String, status: HTTPResponseStatus) async throws -> Response {
        let principal = try req.requirePrincipal()
        // Silence is noticed on the way in, so the list is current even between the background sweeps.
        try await MonitoringSweep.run(req.application, now: req.now)
        let store = MonitoringStore()
        let open = try await store.alerts(status: .open, limit: 200, on: req.db)
        let closed = try await store.alerts(status: .closed, limit: 20, on: req.db)
        let rows = try await Self.rows(open + closed, req)
        let t = req.messages
        let page = AlertsPage(
            open: Array(rows.prefix(open.count)), hasOpen: !open.isEmpty, closed: Array(rows.dropFirst(open.count)), hasClosed: !closed.isEmpty,
            canAcknowledge: req.diversion.policy.decide(principal, .update, .monitoring).isAllowed,
            notice: req.query[String.self, at: "notice"].flatMap { t["alerts_notice_\($0)"] },
            errors: errors.map(ShownError.init), hasErrors: !errors.isEmpty, errorAlert: errorAlert
        )
        return try await req.page("alerts", title: "alerts_title", content: page, status: status)
    }

    @Sendable func acknowledge(_ req: Request) async throws -> Response {
        let id = try req.idParameter(of: "alert")
        let form = try req.content.decode(AcknowledgeForm.self)
        let anchor = id.uuidString.lowercased()
        do {
            _ = try await MonitoringController.acknowledge(req, id: id, note: form.note)
            return req.redirect(to: "/supervision/alerts?notice=acknowledged", redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await renderAlerts(req, errors: failure.errors.map { FieldError("note-\(anchor)", $0.reason) }, errorAlert: anchor, status: .unprocessableEntity)
        } catch let error as APIError {
            guard case .conflict(let message) = error else { throw error }
            return try await renderAlerts(req, errors: [FieldError("note-\(anchor)", message)], errorAlert: anchor, status: .conflict)
        }
    }

    @Sendable func measure(_ req: Request) async throws -> Response {
        let measure = try await req.measureParameter()
        let t = req.messages
        let person = try await PeopleService(request: req).read(measure.personID)
        let store = MonitoringStore()
        let devices = try await store.devices(measureID: measure.id, on: req.db)
        let alerts = try await store.alerts(status: .all, measureID: measure.id, limit: 50, on: req.db)
        let policy = try await req.activePolicy().policy
        var problems: [String] = []
        var plan: MonitoringPlan?
        do {
            plan = try MonitoringPlan(conditions: measure.conditions, noSignalMinutes: policy.supervision.noSignalMinutes,
                                      defaultTimeZone: policy.supervision.timeZone)
        } catch {
            problems = error.errors.map { "\($0.field): \($0.reason)" }
        }
        try await req.diversion.auditTrail.record(
            [try req.auditEvent(.read, "monitoring", id: measure.id.uuidString.lowercased(), person: measure.personID)]
        )
        let curfew = plan?.rules.curfew
        let zones = (plan?.rules.zones ?? []).map { z in
            ZoneRow(name: plan?.zoneNames[z.id] ?? z.id, kind: t["monitoring_zone_\(z.kind.rawValue)"] ?? z.kind.rawValue)
        }
        let latest = devices.compactMap(\.state.latestPing).max()
        let page = MeasurePage(
            measureId: measure.id.uuidString.lowercased(), measure: t["measure_\(measure.type.rawValue)"] ?? measure.type.words,
            person: person.details.fullName, personId: measure.personID.uuidString.lowercased(),
            devices: devices.map { d in
                DeviceRow(deviceId: d.deviceID, assigned: req.shown(d.assignedAt), active: d.active,
                          latest: d.state.latestPing.map { req.shown($0) } ?? (t["monitoring_never"] ?? "none yet"))
            },
            hasDevices: !devices.isEmpty, latest: latest.map { req.shown($0) } ?? (t["monitoring_never"] ?? "none yet"),
            hasCurfew: curfew != nil, curfewPlace: plan?.curfewPlace ?? "",
            curfewHours: curfew.map { "\($0.start)–\($0.end)" } ?? "",
            curfewDays: curfew.map { $0.days.sorted().map { d in t["day_\(d.rawValue)"] ?? d.rawValue }.joined(separator: ", ") } ?? "",
            curfewTimeZone: curfew?.timeZoneID ?? "",
            zones: zones, hasZones: !zones.isEmpty, noSignalMinutes: policy.supervision.noSignalMinutes,
            problems: problems, hasProblems: !problems.isEmpty,
            alerts: try await Self.rows(alerts, req, names: [measure.personID: person.details.fullName], measures: [measure.id: measure], plan: plan),
            hasAlerts: !alerts.isEmpty
        )
        return try await req.page("measure_monitoring", title: "monitoring_title", content: page)
    }

    /// Alert rows with the person's name, the measure and what the alert is about; each person shown is recorded as seen.
    static func rows(
        _ alerts: [StoredAlert], _ req: Request, names known: [UUID: String] = [:], measures knownMeasures: [UUID: MeasureRecord] = [:],
        plan knownPlan: MonitoringPlan? = nil
    ) async throws -> [AlertRow] {
        let t = req.messages
        let unknown = Set(alerts.map(\.personID)).subtracting(known.keys)
        let names = known.merging(try await req.personNames(Array(unknown))) { a, _ in a }
        var measures = knownMeasures
        let missing = Set(alerts.map(\.measureID)).subtracting(measures.keys)
        if !missing.isEmpty { measures.merge(try await MonitoringStore().measures(Array(missing), on: req.db)) { a, _ in a } }
        let policy = try await req.activePolicy().policy
        var plans: [UUID: MonitoringPlan] = [:]
        for (id, m) in measures { plans[id] = (knownMeasures[id] != nil ? knownPlan : nil) ?? MonitoringService.plan(m, policy: policy) }
        return alerts.map { a in
            let measure = measures[a.measureID]
            return AlertRow(
                id: a.id.uuidString.lowercased(), person: names[a.personID] ?? "", personId: a.personID.uuidString.lowercased(),
                measure: measure.map { t["measure_\($0.type.rawValue)"] ?? $0.type.words } ?? "", measureId: a.measureID.uuidString.lowercased(),
                code: a.alert.code, what: t["alert_code_\(a.alert.code)"] ?? a.alert.description,
                // A curfew's day is written the page's way; zones keep their names.
                subject: a.alert.curfewDay.map(req.format.date) ?? plans[a.measureID]?.subject(of: a.alert) ?? (a.alert.zoneID ?? ""),
                since: req.shown(a.openedAt), closed: req.shown(a.closedAt), acknowledged: a.acknowledgement != nil,
                acknowledgedBy: a.acknowledgement?.byName ?? "", acknowledgedAt: req.shown(a.acknowledgement?.at), note: a.acknowledgement?.note ?? ""
            )
        }
    }
}
