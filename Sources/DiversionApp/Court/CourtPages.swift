import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The court's pages: the docket of cases awaiting a decision, the case with its decision form, and the breach worklist.
struct CourtPages {
    struct DocketRow: Encodable {
        var id: String
        var person: String
        var personId: String
        var stage: String
        var opened: String
    }

    struct BreachRow: Encodable {
        var id: String
        var person: String
        var personId: String
        var caseId: String
        var measureId: String
        var measure: String
        var description: String
        var behaviours: [String]
        var filedBy: String
        var filed: String
        var decisions: [Option]
        var hasDecisions: Bool
    }

    struct DocketPage: Encodable {
        var rows: [DocketRow]
        var hasRows: Bool
        var openBreaches: Int
    }

    struct BreachPage: Encodable {
        var rows: [BreachRow]
        var hasRows: Bool
        var actions: [Option]
        var notice: String?
        var errors: [ShownError]
        var hasErrors: Bool
    }

    struct DecisionRow: Encodable {
        var stage: String
        var authority: String
        var measures: [String]
        var decidedBy: String
        var decided: String
        var current: Bool
        var reasons: String
    }

    struct MeasureRow: Encodable {
        var id: String
        var type: String
        var status: String
        var statusLabel: String
        var period: String
    }

    struct MenuGroup: Encodable {
        var stage: String
        var label: String
        var options: [Option]
    }

    struct CasePage: Encodable {
        var id: String
        var person: String
        var personId: String
        var minor: Bool
        var stage: String
        var opened: String
        var decisions: [DecisionRow]
        var hasDecisions: Bool
        var measures: [MeasureRow]
        var hasMeasures: Bool
        var canDecide: Bool
        var stages: [Option]
        var menu: [MenuGroup]
        var specimens: [Option]
        var days: [Option]
        var consentMethods: [Option]
        var form: DecisionForm
        var timeZone: String
        var today: String
        var notice: String?
        var errors: [ShownError]
        var hasErrors: Bool
    }

    func register(_ web: any RoutesBuilder) {
        web.endpoint(.GET, "court", access: .allowed(.update, .justiceCase), use: docket)
        web.endpoint(.GET, "court", "breaches", access: .allowed(.update, .breach), use: breaches)
        web.endpoint(.POST, "court", "breaches", ":id", access: .allowed(.update, .breach), use: decideBreach)
        web.endpoint(.POST, "people", ":id", "cases", access: .allowed(.create, .justiceCase), use: openCase)
        web.endpoint(.GET, "cases", ":id", access: .allowed(.read, .justiceCase), use: show)
        web.endpoint(.POST, "cases", ":id", "decisions", access: .allowed(.update, .justiceCase), use: decide)
    }

    @Sendable func docket(_ req: Request) async throws -> Response {
        let t = req.messages
        let cases = try await CaseStore().awaitingDecision(on: req.db)
        let names = try await req.personNames(cases.map(\.personID))
        try await req.diversion.auditTrail.record(try cases.map { try req.auditEvent(.search, "case", id: $0.id.uuidString.lowercased(), person: $0.personID) })
        let open = try await BreachStore().list(open: true, on: req.db).count
        let rows = cases.map { c in
            DocketRow(id: c.id.uuidString.lowercased(), person: names[c.personID] ?? "", personId: c.personID.uuidString.lowercased(),
                      stage: t["stage_\(c.stage.rawValue)"] ?? c.stage.rawValue, opened: req.shown(c.openedAt))
        }
        return try await req.page("court", title: "court_title", content: DocketPage(rows: rows, hasRows: !rows.isEmpty, openBreaches: open))
    }

    @Sendable func breaches(_ req: Request) async throws -> Response {
        try await renderBreaches(req, errors: [], status: .ok)
    }

    private func renderBreaches(_ req: Request, errors: [FieldError], status: HTTPResponseStatus) async throws -> Response {
        let t = req.messages
        let open = try await req.withoutSealed(try await BreachStore().list(open: true, on: req.db)) { $0.caseID }
        let names = try await req.personNames(open.map(\.personID))
        try await req.diversion.auditTrail.record(try open.map { try req.auditEvent(.search, "breach", id: $0.id.uuidString.lowercased(), person: $0.personID) })
        var rows: [BreachRow] = []
        for b in open {
            let measure = try await MeasureStore().find(b.measureID, on: req.db)
            let later = try await CaseStore().decisions(of: b.caseID, on: req.db).filter { $0.decidedAt >= b.filedAt }
            let decisions = later.map { d in
                Option(value: d.id.uuidString.lowercased(), label: "\(req.shown(d.decidedAt)) · \(d.measures.map { t["measure_\($0.type.rawValue)"] ?? $0.type.words }.joined(separator: ", "))", selected: false)
            }
            rows.append(BreachRow(
                id: b.id.uuidString.lowercased(), person: names[b.personID] ?? "", personId: b.personID.uuidString.lowercased(),
                caseId: b.caseID.uuidString.lowercased(), measureId: b.measureID.uuidString.lowercased(),
                measure: measure.map { t["measure_\($0.type.rawValue)"] ?? $0.type.words } ?? "", description: b.description,
                behaviours: b.behaviours.map { t["behaviour_\($0.rawValue)"] ?? $0.words }, filedBy: b.filedByName, filed: req.shown(b.filedAt),
                decisions: decisions, hasDecisions: !decisions.isEmpty
            ))
        }
        let page = BreachPage(
            rows: rows, hasRows: !rows.isEmpty,
            actions: BreachAction.allCases.map { Option(value: $0.rawValue, label: t["breach_action_\($0.rawValue)"] ?? $0.rawValue, selected: $0 == .continue) },
            notice: req.query[String.self, at: "notice"].flatMap { t["notice_\($0)"] },
            errors: errors.map(ShownError.init), hasErrors: !errors.isEmpty
        )
        return try await req.page("breaches", title: "breaches_title", content: page, status: status)
    }

    struct BreachDecisionForm: Content {
        var action: String?
        var reason: String?
        var decisionId: String?
    }

    @Sendable func decideBreach(_ req: Request) async throws -> Response {
        let form = try req.content.decode(BreachDecisionForm.self)
        let body = BreachController.DecideRequest(action: form.action, reason: form.reason, decisionId: (form.decisionId ?? "").isEmpty ? nil : form.decisionId)
        do {
            _ = try await BreachController.record(body, req)
            return req.redirect(to: "/court/breaches?notice=breach_decided", redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await renderBreaches(req, errors: failure.errors, status: .unprocessableEntity)
        } catch let error as APIError {
            guard case .conflict(let message) = error else { throw error }
            return try await renderBreaches(req, errors: [FieldError("action", message)], status: .conflict)
        }
    }

    @Sendable func openCase(_ req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        let personID = try req.idParameter(of: "person")
        guard try await req.diversion.people.find(personID, on: req.db) != nil else { throw APIError.notFound("No person has this id.") }
        let justiceCase = JusticeCase(id: UUID(), personID: personID, stage: .preTrial, contactIDs: [], agencyID: principal.agencyID, openedAt: req.now)
        let event = try req.auditEvent(.create, "case", id: justiceCase.id.uuidString.lowercased(), person: personID)
        try await req.diversion.auditTrail.perform { db in
            try await CaseStore().create(justiceCase, on: db)
            return ((), [event])
        }
        return req.redirect(to: "/cases/\(justiceCase.id.uuidString.lowercased())?notice=case_opened", redirectType: .normal)
    }

    @Sendable func show(_ req: Request) async throws -> Response {
        let id = try req.idParameter(of: "case")
        return try await render(req, id: id, form: nil, errors: [], status: .ok)
    }

    @Sendable func decide(_ req: Request) async throws -> Response {
        let id = try req.idParameter(of: "case")
        let form = try req.content.decode(DecisionForm.self)
        do {
            _ = try await CaseController.record(form.request, onCase: id, req)
            return req.redirect(to: "/cases/\(id.uuidString.lowercased())?notice=decision_recorded", redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await render(req, id: id, form: form, errors: failure.errors, status: .unprocessableEntity)
        } catch let error as APIError {
            switch error {
            case .forbidden(let rule): return try await render(req, id: id, form: form, errors: [FieldError("type", rule)], status: .forbidden)
            case .conflict(let message): return try await render(req, id: id, form: form, errors: [FieldError("stage", message)], status: .conflict)
            default: throw error
            }
        }
    }

    private func render(_ req: Request, id: UUID, form: DecisionForm?, errors: [FieldError], status: HTTPResponseStatus) async throws -> Response {
        let t = req.messages
        let principal = try req.requirePrincipal()
        guard let c = try await CaseStore().find(id, req.sealedView, on: req.db) else { throw APIError.notFound("No case has the id \(id.uuidString.lowercased()).") }
        let person = try await PeopleService(request: req).read(c.personID)
        try await req.diversion.auditTrail.record([try req.auditEvent(.read, "case", id: id.uuidString.lowercased(), person: c.personID)])
        let decisions = try await CaseStore().decisions(of: id, on: req.db)
        let replaced = Set(decisions.compactMap(\.supersedes))
        let measures = try await MeasureStore().forCase(id, on: req.db)
        let active = try await req.activePolicy()
        let today = CalendarDate(req.now)
        let age = person.details.birthDate.completedYears(on: today)
        let minor = age < active.policy.ageOfMajority
        let authority = principal.agencyType.authority
        let canDecide = req.diversion.policy.decide(principal, .update, .justiceCase).isAllowed && authority != nil && authority != .police
        // The menu offers only what this authority may order at each stage still open, and for a minor what the juvenile rules allow.
        let menu: [MenuGroup] = Stage.allCases.filter { c.canDecide(at: $0) }.compactMap { stage in
            guard let authority, let rule = active.policy.measures.first(where: { $0.authority == authority && $0.stage == stage }) else { return nil }
            let allowed = rule.allowed.filter { !minor || active.policy.juvenile.allowed?.contains($0) ?? true }
            guard !allowed.isEmpty else { return nil }
            return MenuGroup(stage: stage.rawValue, label: t["stage_\(stage.rawValue)"] ?? stage.rawValue,
                             options: allowed.map { Option(value: $0.rawValue, label: t["measure_\($0.rawValue)"] ?? $0.words, selected: form?.type == $0.rawValue) })
        }
        var shownForm = form ?? DecisionForm()
        if form == nil {
            shownForm.start = today.description
            shownForm.plannedEnd = today.adding(days: 182).description
            shownForm.testMinimumPerWeek = "2"
            shownForm.testWindowStart = "07:00"
            shownForm.testWindowHours = "8"
            shownForm.curfewTimeZone = active.policy.supervision.timeZone
            shownForm.curfewRadius = "100"
            shownForm.curfewStart = "22:00"
            shownForm.curfewEnd = "06:00"
            shownForm.paymentCurrency = "EUR"
        }
        let chosenStage = form?.stage ?? menu.first?.stage
        let week = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        let page = CasePage(
            id: id.uuidString.lowercased(), person: person.details.fullName, personId: c.personID.uuidString.lowercased(), minor: minor,
            stage: t["stage_\(c.stage.rawValue)"] ?? c.stage.rawValue, opened: req.shown(c.openedAt),
            decisions: decisions.reversed().map { d in
                DecisionRow(stage: t["stage_\(d.stage.rawValue)"] ?? d.stage.rawValue, authority: d.authority.rawValue,
                            measures: d.measures.map { t["measure_\($0.type.rawValue)"] ?? $0.type.words }, decidedBy: d.decidedByName,
                            decided: req.shown(d.decidedAt), current: !replaced.contains(d.id), reasons: d.proportionality.reasons)
            },
            hasDecisions: !decisions.isEmpty,
            measures: measures.map { m in
                MeasureRow(id: m.id.uuidString.lowercased(), type: t["measure_\(m.type.rawValue)"] ?? m.type.words, status: m.status.rawValue,
                           statusLabel: t["measure_status_\(m.status.rawValue)"] ?? m.status.rawValue,
                           period: "\(req.format.date(m.start)) – \(m.plannedEnd.map(req.format.date) ?? "")")
            },
            hasMeasures: !measures.isEmpty,
            canDecide: canDecide && !menu.isEmpty,
            stages: menu.map { Option(value: $0.stage, label: $0.label, selected: $0.stage == chosenStage) },
            menu: menu,
            specimens: DrugTestSpecimen.allCases.map { Option(value: $0.rawValue, label: t["specimen_\($0.rawValue)"] ?? $0.rawValue, selected: (shownForm.testSpecimen ?? "urine") == $0.rawValue) },
            days: week.map { Option(value: $0, label: t["day_\($0)"] ?? $0, selected: shownForm.curfewDays?.contains($0) ?? true) },
            consentMethods: ConsentMethod.allCases.map { Option(value: $0.rawValue, label: t["consent_\($0.rawValue)"] ?? $0.rawValue, selected: shownForm.consentMethod == $0.rawValue) },
            form: shownForm, timeZone: active.policy.supervision.timeZone, today: today.description,
            notice: req.query[String.self, at: "notice"].flatMap { t["notice_\($0)"] },
            errors: errors.map(ShownError.init), hasErrors: !errors.isEmpty
        )
        return try await req.page("case", title: "case_title", content: page, status: status)
    }
}
