import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// A person's timeline: every contact, decision, measure, test, compliance record, response, alert and breach in
/// order, each kind shown only to the roles the access policy lets read it.
struct TimelinePages {
    struct Item: Encodable {
        var at: String
        var kind: String
        var kindLabel: String
        var text: String
        var href: String?
    }

    struct TimelinePage: Encodable {
        var person: String
        var personId: String
        var items: [Item]
        var hasItems: Bool
        var hidden: [String]
        var hasHidden: Bool
        var notice: String?
    }

    func register(_ web: any RoutesBuilder) {
        web.endpoint(.GET, "people", ":id", "timeline", access: .allowed(.read, .person), use: show)
        web.endpoint(.GET, "people", ":id", "emergency", access: .allowed(.read, .breakGlass), use: emergency)
    }

    @Sendable func show(_ req: Request) async throws -> Response {
        try await render(req, emergency: false)
    }

    /// The whole timeline for an administrator with emergency access in force for this person; health data shows under
    /// it, each disclosure accounted for and its holder told.
    @Sendable func emergency(_ req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        let personID = try req.idParameter(of: "person")
        let access = try await ConsentStore().breakGlass(of: personID, on: req.db)
        guard access.contains(where: { $0.isInForce(for: principal.userID, at: req.now) }) else {
            throw APIError.forbidden("Open emergency access for this person first, with the reason (POST /api/v1/persons/{id}/break-glass); it lasts at most \(BreakGlassAccess.longestHours) hours.")
        }
        return try await render(req, emergency: true)
    }

    private func render(_ req: Request, emergency: Bool) async throws -> Response {
        let t = req.messages
        let principal = try req.requirePrincipal()
        let personID = try req.idParameter(of: "person")
        let person = try await PeopleService(request: req).read(personID)
        let policy = req.diversion.policy
        func may(_ resource: Resource) -> Bool { emergency || policy.decide(principal, .read, resource).isAllowed }
        let db = req.db
        var items: [(Date, Item)] = []
        var hidden: [String] = []
        var audited: [String] = []
        var notice: String?
        func add(_ at: Date, _ kind: String, _ text: String, _ href: String? = nil) {
            items.append((at, Item(at: req.shown(at), kind: kind, kindLabel: t["timeline_\(kind)"] ?? kind, text: text, href: href)))
        }
        func name(_ type: MeasureType) -> String { t["measure_\(type.rawValue)"] ?? type.words }

        let wording = req.policyWording
        // Without an active policy the offence codes still read through their messages or as words.
        let jurisdiction = try? await req.activePolicy().policy
        if may(.contact) {
            for c in try await ContactStore().forPerson(personID, req.sealedView, on: db) {
                let decision = c.decision.map { " \(req.format.arrow) \(t["decision_\($0.rawValue)"] ?? $0.rawValue)" } ?? ""
                add(c.occurredAt, "contact", "\(c.region) · \(c.offences.map { wording.offence($0, in: jurisdiction) }.joined(separator: ", "))\(decision)", "/contacts/\(c.id.uuidString.lowercased())")
            }
            audited.append("contact")
        } else { hidden.append(t["timeline_contact"] ?? "contact") }

        var measures: [MeasureRecord] = []
        if may(.justiceCase) {
            for c in try await CaseStore().forPerson(personID, req.sealedView, on: db) {
                add(c.openedAt, "case", t["timeline_case_opened"] ?? "Case opened", "/cases/\(c.id.uuidString.lowercased())")
                for d in try await CaseStore().decisions(of: c.id, on: db) {
                    add(d.decidedAt, "decision", "\(t["stage_\(d.stage.rawValue)"] ?? d.stage.rawValue): \(d.measures.map { name($0.type) }.joined(separator: ", ")) — \(d.decidedByName)",
                        "/cases/\(c.id.uuidString.lowercased())")
                }
            }
            audited.append("case")
        } else { hidden.append(t["timeline_decision"] ?? "decisions") }
        if may(.measure) {
            measures = try await MeasureStore().forPerson(personID, req.sealedView, on: db)
            for m in measures {
                let conditions = m.conditions.map { t["condition_\($0.type.rawValue)"] ?? $0.type.rawValue }.joined(separator: ", ")
                add(m.start.startOfDayUTC, "measure", "\(name(m.type))\(conditions.isEmpty ? "" : " · \(conditions)")", "/measures/\(m.id.uuidString.lowercased())")
                if let o = m.outcome {
                    add(o.recordedAt, "outcome", "\(name(m.type)): \(t["measure_status_\(o.outcome.rawValue)"] ?? o.outcome.rawValue) — \(o.note)", "/measures/\(m.id.uuidString.lowercased())")
                }
            }
            audited.append("measure")
        } else { hidden.append(t["timeline_measure"] ?? "measures") }
        if may(.drugTest) {
            for plan in try await DrugTestStore().plans(forPerson: personID, on: db) {
                let all = try await DrugTestStore().results(of: plan.plan.id, on: db)
                let visible = try await DisclosureService(request: req).visible(all, personID: personID, what: "timeline") { $0.disclosure }
                notice = notice ?? visible.notice
                if visible.withheld > 0 { hidden.append(t["outcome_withheld"] ?? "health service results") }
                for r in visible.shown {
                    let outcome = t["outcome_\(r.result.outcome.code)"] ?? r.result.outcome.code
                    var text = "\(req.format.date(r.result.testDay)) · \(outcome)"
                    if case .positive(let s) = r.result.outcome { text += " (\(s.joined(separator: ", ")))" }
                    if r.outsideWindow { text += " · \(t["timeline_outside_window"] ?? "outside the window")" }
                    add(r.result.collectedAt ?? r.recordedAt, "test", text, "/measures/\(plan.measureID.uuidString.lowercased())/tests")
                }
            }
            audited.append("drug_test")
        } else { hidden.append(t["timeline_test"] ?? "tests") }
        if may(.compliance), !measures.isEmpty {
            for (measureID, all) in try await ComplianceStore().entries(measureIDs: measures.map(\.id), on: db) {
                let visible = try await DisclosureService(request: req).visible(all, personID: personID, what: "timeline") { $0.disclosure }
                notice = notice ?? visible.notice
                let entries = visible.shown
                for e in entries {
                    let text: String = switch e.detail {
                    case .communityService(let h): "\(req.format.number(h.hours)) \(t["compliance_hours_unit"] ?? "h") · \(h.site)"
                    case .payment(let p): req.format.money(p.amount, currency: p.currency)
                    case .appointment(let a): "\(a.service) · \(t["attendance_\(a.attendance.rawValue)"] ?? a.attendance.rawValue)"
                    case .report(let r): "\(r.officer) · \(t["attendance_\(r.attendance.rawValue)"] ?? r.attendance.rawValue)"
                    }
                    add(e.date.startOfDayUTC, "compliance_\(e.kind.rawValue)", text, "/measures/\(measureID.uuidString.lowercased())/compliance")
                }
            }
            audited.append("compliance")
        } else if !may(.compliance) { hidden.append(t["timeline_compliance"] ?? "compliance") }
        if may(.response) {
            for r in try await ResponseStore().responses(personID: personID, on: db) {
                add(r.decidedAt, "response", "\(t["behaviour_\(r.behaviour.rawValue)"] ?? r.behaviour.words) \(req.format.arrow) \(wording.response(r.option)) — \(r.decidedByName)",
                    "/measures/\(r.measureID.uuidString.lowercased())/responses")
            }
            audited.append("response")
        } else { hidden.append(t["timeline_response"] ?? "responses") }
        if may(.monitoring) {
            for a in try await MonitoringStore().alerts(status: .all, personID: personID, on: db) {
                add(a.openedAt, "alert", "\(t["alert_code_\(a.alert.code)"] ?? a.alert.description)\(a.closedAt.map { " · \(t["timeline_closed"] ?? "closed") \(req.shown($0))" } ?? "")",
                    "/measures/\(a.measureID.uuidString.lowercased())/monitoring")
            }
            audited.append("monitoring")
        } else { hidden.append(t["timeline_alert"] ?? "alerts") }
        if may(.breach) {
            for b in try await BreachStore().forPerson(personID, on: db) {
                add(b.filedAt, "breach", b.description, "/measures/\(b.measureID.uuidString.lowercased())")
                if let d = b.decision {
                    add(d.decidedAt, "breach_decision", "\(t["breach_action_\(d.action.rawValue)"] ?? d.action.rawValue) — \(d.reason)", "/measures/\(b.measureID.uuidString.lowercased())")
                }
            }
            audited.append("breach")
        } else { hidden.append(t["timeline_breach"] ?? "breaches") }

        try await req.diversion.auditTrail.record(try audited.map { try req.auditEvent(.read, "timeline_\($0)", id: personID.uuidString.lowercased(), person: personID) })
        let ordered = items.sorted { $0.0 < $1.0 }.map(\.1)
        let page = TimelinePage(person: person.details.fullName, personId: personID.uuidString.lowercased(), items: ordered, hasItems: !ordered.isEmpty,
                                hidden: hidden, hasHidden: !hidden.isEmpty, notice: notice.map { StandardWording.notice($0, t) })
        return try await req.page("timeline", title: "timeline_title", content: page)
    }
}

extension CalendarDate {
    /// Midnight UTC of the day, to place a dated record among timed ones.
    var startOfDayUTC: Date { Date(timeIntervalSince1970: TimeInterval(dayNumber) * 86_400) }
}
