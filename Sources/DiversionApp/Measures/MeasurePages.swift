import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The measure's page (what it asks, where it stands, the way to each supervision page, breach and outcome forms)
/// and its printable progress report for the court.
struct MeasurePages {
    struct Link: Encodable {
        var href: String
        var label: String
    }

    struct ConditionLine: Encodable {
        var label: String
        var detail: String
    }

    struct MeasurePage: Encodable {
        var id: String
        var caseId: String
        var person: String
        var personId: String
        var type: String
        var status: String
        var statusLabel: String
        var active: Bool
        var period: String
        var phase: Int
        var conditions: [ConditionLine]
        var links: [Link]
        var report: ReportView
        var canFileBreach: Bool
        var canRecordOutcome: Bool
        /// Treatment courts move through phases; the criteria are checked when promotion is asked for.
        var canPromote: Bool
        var phaseName: String
        var behaviours: [Option]
        var outcomes: [Option]
        var today: String
        var outcome: String?
        var breaches: [String]
        var hasBreaches: Bool
        var notice: String?
        var errors: [ShownError]
        var hasErrors: Bool
    }

    /// The report's figures as text, ready to print.
    struct ReportView: Encodable {
        /// ISO days for the period inputs.
        var from: String
        var to: String
        /// The same days as the page's language writes them.
        var fromShown: String
        var toShown: String
        var hasTests: Bool
        var scheduled: Int
        var done: Int
        var negative: Int
        var positive: Int
        var diluteOrAdulterated: Int
        var missed: Int
        var excused: Int
        var outsideWindow: Int
        var substances: String
        var attendance: String
        var hasHours: Bool
        var hours: String
        var hasPayments: Bool
        var payments: String
        var incentives: Int
        var sanctions: Int
        var adjustments: Int
        var ratio: String
        var ratioLow: Bool
        var responses: [String]
        var hasResponses: Bool
        var alertsOpened: Int
        var alertsOpen: Int
        var breaches: Int
        var overdue: Bool
        var withheld: [String]
        var hasWithheld: Bool
        var notice: String?

        init(_ r: ProgressReport, _ t: [String: String], _ f: LocaleFormat) {
            from = r.from.description
            to = r.to.description
            fromShown = f.date(r.from)
            toShown = f.date(r.to)
            hasTests = r.tests != nil
            scheduled = r.tests?.scheduled ?? 0
            done = r.tests?.done ?? 0
            negative = r.tests?.negative ?? 0
            positive = r.tests?.positive ?? 0
            diluteOrAdulterated = r.tests?.diluteOrAdulterated ?? 0
            missed = r.tests?.missed ?? 0
            excused = r.tests?.excused ?? 0
            outsideWindow = r.tests?.outsideWindow ?? 0
            substances = (r.tests?.substances ?? []).joined(separator: ", ")
            attendance = r.attendanceRate.map { f.percent($0, maxFractionDigits: 0) } ?? "—"
            hasHours = !r.compliance.hours.isEmpty
            hours = r.compliance.hours.map { "\(f.number($0.done)) / \(f.number($0.due)) (\(t["report_by"] ?? "by") \(f.date($0.deadline)))" }.joined(separator: "; ")
            hasPayments = !r.compliance.payments.isEmpty
            payments = r.compliance.payments.map { "\(f.number($0.paid)) / \(f.money($0.amount, currency: $0.currency))" }.joined(separator: "; ")
            incentives = r.responses.incentives
            sanctions = r.responses.sanctions
            adjustments = r.responses.treatmentAdjustments
            ratio = StandardWording.ratio(r.responses.ratio, t, f)
            ratioLow = r.responses.ratio.belowTarget
            responses = r.responses.items.map { "\(f.date($0.date)) · \(t["behaviour_\($0.behaviour.rawValue)"] ?? $0.behaviour.words) \(f.arrow) \(PolicyWording(language: f.language, messages: t).response(code: $0.code, recordedAs: $0.option))" }
            hasResponses = !responses.isEmpty
            alertsOpened = r.alerts.opened
            alertsOpen = r.alerts.stillOpen
            breaches = r.breaches
            overdue = r.compliance.overdue
            withheld = r.withheld
            hasWithheld = !r.withheld.isEmpty
            notice = r.redisclosureNotice.map { StandardWording.notice($0, t) }
        }
    }

    struct ReportPage: Encodable {
        var measureId: String
        var person: String
        var birthDate: String
        var type: String
        var status: String
        var period: String
        var phase: Int
        var caseStage: String
        var report: ReportView
        var outcome: String?
        var generatedBy: String
        var generatedAt: String
        var errors: [ShownError]
        var hasErrors: Bool
    }

    func register(_ web: any RoutesBuilder) {
        web.endpoint(.GET, "measures", ":id", access: .allowed(.read, .measure), use: show)
        web.endpoint(.GET, "measures", ":id", "report", access: .allowed(.read, .measure), use: report)
        web.endpoint(.POST, "measures", ":id", "breaches", access: .allowed(.create, .breach), use: fileBreach)
        web.endpoint(.POST, "measures", ":id", "outcome", access: .allowed(.update, .measure), use: recordOutcome)
        web.endpoint(.POST, "measures", ":id", "promotion", access: .allowed(.update, .measure), use: promote)
    }

    /// Asks for the next treatment-court phase; when a criterion is not met the page says which.
    @Sendable func promote(_ req: Request) async throws -> Response {
        let id = try req.idParameter(of: "measure")
        do {
            _ = try await PromotionController().promote(req)
            return req.redirect(to: "/measures/\(id.uuidString.lowercased())?notice=promoted", redirectType: .normal)
        } catch let error as APIError {
            guard case .conflict(let message) = error else { throw error }
            // The criteria name the phases, which the page's language may call otherwise.
            let matrix = try await req.activePolicy().policy.supervision.responses
            return try await render(req, errors: [FieldError("phase", req.reason(message, names: req.policyWording.responseNames(matrix)))], status: .conflict)
        }
    }

    /// Condition parameters in the order a person reads them, with the label each is shown under.
    static let parameterLabels: [(key: String, label: String)] = [
        ("minimumPerWeek", "condition_tests_per_week"), ("windowStart", "condition_window_start"), ("windowHours", "condition_window_hours"),
        ("specimen", "condition_specimen"), ("sessionsPerWeek", "condition_sessions_per_week"), ("serviceId", "referral_service"),
        ("hours", "condition_hours"), ("deadline", "condition_deadline"), ("amount", "condition_amount"), ("currency", "condition_currency"),
        ("instalments", "condition_instalments"), ("place", "condition_place"), ("start", "condition_from"), ("end", "condition_until"),
        ("days", "condition_days"), ("timeZone", "condition_time_zone"), ("radiusMeters", "condition_radius"), ("latitude", "condition_latitude"),
        ("longitude", "condition_longitude"), ("name", "condition_zone_name"), ("geometry", "condition_geometry"),
        ("timesPerMonth", "condition_times_per_month"), ("programme", "condition_programme"), ("sessions", "condition_sessions_per_week"),
        ("with", "condition_with"),
    ]

    static func conditionLines(_ m: MeasureRecord, _ t: [String: String], _ f: LocaleFormat = LocaleFormat(Localizer.fallback)) -> [ConditionLine] {
        m.conditions.map { c in
            let known = Set(parameterLabels.map(\.key))
            let keys = parameterLabels.filter { c.parameters[$0.key] != nil } + c.parameters.keys.sorted().filter { !known.contains($0) }.map { ($0, $0) }
            let detail = keys.compactMap { key, label -> String? in
                guard let v = c.parameters[key] else { return nil }
                let text: String = switch v {
                case .number(let n): f.number(n, maxFractionDigits: ["latitude", "longitude"].contains(key) ? 6 : 2)
                case .string(let s) where key == "specimen": t["specimen_\(s)"] ?? s
                // Days (deadlines, start and end) are stored ISO; the page writes them the reader's way.
                case .string(let s): CalendarDate(s).map(f.date) ?? s
                case .bool(let b): b ? "✓" : "✗"
                case .array(let items): items.compactMap { if case .string(let s) = $0 { t["day_\(s)"] ?? s } else { nil } }.joined(separator: ", ")
                case .object: t["condition_geometry"] ?? "GeoJSON"
                case .null: ""
                }
                return "\(t[label] ?? PolicyWording.readable(key)): \(text)"
            }.joined(separator: " · ")
            return ConditionLine(label: t["condition_\(c.type.rawValue)"] ?? c.type.rawValue, detail: detail)
        }
    }

    @Sendable func show(_ req: Request) async throws -> Response {
        try await render(req, errors: [], status: .ok)
    }

    private func render(_ req: Request, errors: [FieldError], status: HTTPResponseStatus) async throws -> Response {
        let t = req.messages
        let principal = try req.requirePrincipal()
        let measure = try await req.measureParameter()
        let person = try await PeopleService(request: req).read(measure.personID)
        try await req.diversion.auditTrail.record([try req.auditEvent(.read, "measure", id: measure.id.uuidString.lowercased(), person: measure.personID)])
        let service = ProgressReportService(request: req)
        let (from, to) = try service.period(from: nil, to: nil, measure: measure)
        let report = try await service.report(measure, from: from, to: to)
        let access = req.diversion.policy
        let id = measure.id.uuidString.lowercased()
        var links: [Link] = []
        let types = Set(measure.conditions.map(\.type))
        if types.contains(.drugTesting) && access.decide(principal, .read, .drugTest).isAllowed { links.append(Link(href: "/measures/\(id)/tests", label: t["measure_link_tests"] ?? "Tests")) }
        if access.decide(principal, .read, .compliance).isAllowed { links.append(Link(href: "/measures/\(id)/compliance", label: t["measure_link_compliance"] ?? "Compliance")) }
        if access.decide(principal, .read, .response).isAllowed { links.append(Link(href: "/measures/\(id)/responses", label: t["measure_link_responses"] ?? "Responses")) }
        if (!types.isDisjoint(with: [.curfew, .exclusionZone, .inclusionZone]) || [.electronicMonitoring, .homeDetention].contains(measure.type))
            && access.decide(principal, .read, .monitoring).isAllowed {
            links.append(Link(href: "/measures/\(id)/monitoring", label: t["measure_link_monitoring"] ?? "Monitoring"))
        }
        links.append(Link(href: "/measures/\(id)/report", label: t["report_title"] ?? "Progress report"))
        let breaches = try await BreachStore().forMeasure(measure.id, on: req.db)
        let page = MeasurePage(
            id: id, caseId: measure.caseID.uuidString.lowercased(), person: person.details.fullName, personId: measure.personID.uuidString.lowercased(),
            type: t["measure_\(measure.type.rawValue)"] ?? measure.type.words, status: measure.status.rawValue,
            statusLabel: t["measure_status_\(measure.status.rawValue)"] ?? measure.status.rawValue, active: measure.isActive,
            period: "\(req.format.date(measure.start)) – \(measure.plannedEnd.map(req.format.date) ?? "")", phase: measure.phase,
            conditions: Self.conditionLines(measure, t, req.format), links: links, report: ReportView(report, t, req.format),
            canFileBreach: measure.isActive && access.decide(principal, .create, .breach).isAllowed,
            canRecordOutcome: measure.isActive && access.decide(principal, .update, .measure).isAllowed,
            canPromote: measure.isActive && measure.type == .treatmentCourt && access.decide(principal, .update, .measure).isAllowed,
            phaseName: req.policyWording.phase(try await req.activePolicy().policy.supervision.responses.phase(measure.phase)),
            behaviours: Behaviour.allCases.filter { !$0.isDesired }.map { Option(value: $0.rawValue, label: t["behaviour_\($0.rawValue)"] ?? $0.words, selected: false) },
            outcomes: MeasureOutcome.allCases.map { Option(value: $0.rawValue, label: t["measure_status_\($0.rawValue)"] ?? $0.rawValue, selected: $0 == .completed) },
            today: CalendarDate(req.now).description,
            outcome: measure.outcome.map { "\(t["measure_status_\($0.outcome.rawValue)"] ?? $0.outcome.rawValue), \(req.format.date($0.date)) — \($0.note) (\($0.recordedByName))" },
            breaches: breaches.map { "\(req.shown($0.filedAt)) · \($0.description) · \($0.decision.map { t["breach_action_\($0.action.rawValue)"] ?? $0.action.rawValue } ?? (t["breach_open"] ?? "open"))" },
            hasBreaches: !breaches.isEmpty,
            notice: req.query[String.self, at: "notice"].flatMap { t["notice_\($0)"] },
            errors: errors.map(ShownError.init), hasErrors: !errors.isEmpty
        )
        return try await req.page("measure", title: "measure_title", content: page, status: status)
    }

    struct BreachForm: Content {
        var description: String?
        var behaviours: [String]?
    }

    @Sendable func fileBreach(_ req: Request) async throws -> Response {
        let form = try req.content.decode(BreachForm.self)
        let id = try req.idParameter(of: "measure")
        do {
            let body = BreachController.FileRequest(description: form.description, behaviours: form.behaviours)
            _ = try await BreachController.file(body, req)
            return req.redirect(to: "/measures/\(id.uuidString.lowercased())?notice=breach_filed", redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await render(req, errors: failure.errors, status: .unprocessableEntity)
        } catch let error as APIError {
            guard case .conflict(let message) = error else { throw error }
            return try await render(req, errors: [FieldError("description", message)], status: .conflict)
        }
    }

    struct OutcomeForm: Content {
        var outcome: String?
        var date: String?
        var note: String?
    }

    @Sendable func recordOutcome(_ req: Request) async throws -> Response {
        let form = try req.content.decode(OutcomeForm.self)
        let id = try req.idParameter(of: "measure")
        do {
            _ = try await MeasureController.end(.init(outcome: form.outcome, date: form.date, note: form.note), req)
            return req.redirect(to: "/measures/\(id.uuidString.lowercased())?notice=outcome_recorded", redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await render(req, errors: failure.errors, status: .unprocessableEntity)
        } catch let error as APIError {
            guard case .conflict(let message) = error else { throw error }
            return try await render(req, errors: [FieldError("outcome", message)], status: .conflict)
        }
    }

    @Sendable func report(_ req: Request) async throws -> Response {
        let t = req.messages
        let principal = try req.requirePrincipal()
        let measure = try await req.measureParameter()
        let service = ProgressReportService(request: req)
        var errors: [FieldError] = []
        var period = try service.period(from: nil, to: nil, measure: measure)
        let fromText = req.query[String.self, at: "from"].flatMap { $0.isEmpty ? nil : $0 }
        let toText = req.query[String.self, at: "to"].flatMap { $0.isEmpty ? nil : $0 }
        do {
            period = try service.period(from: fromText, to: toText, measure: measure)
        } catch let failure as ValidationFailure {
            errors = failure.errors
        }
        let person = try await PeopleService(request: req).read(measure.personID)
        try await req.diversion.auditTrail.record([try req.auditEvent(.read, "progress_report", id: measure.id.uuidString.lowercased(), person: measure.personID)])
        let report = try await service.report(measure, from: period.0, to: period.1)
        let justiceCase = try await CaseStore().find(measure.caseID, on: req.db)
        let page = ReportPage(
            measureId: measure.id.uuidString.lowercased(), person: person.details.fullName, birthDate: req.format.date(person.details.birthDate),
            type: t["measure_\(measure.type.rawValue)"] ?? measure.type.words,
            status: t["measure_status_\(measure.status.rawValue)"] ?? measure.status.rawValue,
            period: "\(req.format.date(measure.start)) – \(measure.plannedEnd.map(req.format.date) ?? "")", phase: measure.phase,
            caseStage: justiceCase.map { t["stage_\($0.stage.rawValue)"] ?? $0.stage.rawValue } ?? "",
            report: ReportView(report, t, req.format),
            outcome: measure.outcome.map { "\(t["measure_status_\($0.outcome.rawValue)"] ?? $0.outcome.rawValue), \(req.format.date($0.date)) — \($0.note)" },
            generatedBy: principal.displayName, generatedAt: req.shown(req.now),
            errors: errors.map(ShownError.init), hasErrors: !errors.isEmpty
        )
        return try await req.page("report", title: "report_title", content: page, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }
}
