import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// What every supervision page about one measure shows at its top.
struct MeasureHeader: Encodable {
    var id: String
    var person: String
    var personId: String
    var type: String
    var status: String
    var statusLabel: String
    var start: String
    var phase: Int
    var phaseName: String
    var active: Bool

    init(_ m: MeasureRecord, person: String, matrix: ResponseMatrix, t: [String: String], f: LocaleFormat) {
        id = m.id.uuidString.lowercased()
        self.person = person
        personId = m.personID.uuidString.lowercased()
        type = t["measure_\(m.type.rawValue)"] ?? m.type.rawValue
        status = m.status.rawValue
        statusLabel = t["measure_status_\(m.status.rawValue)"] ?? m.status.rawValue
        start = f.date(m.start)
        phase = m.phase
        phaseName = PolicyWording(language: f.language, messages: t).phase(matrix.phase(m.phase))
        active = m.isActive
    }
}

/// The compliance page of a measure (progress at a glance, entries, a form per kind) and the overdue worklist.
struct CompliancePages {
    struct HoursRow: Encodable {
        var due: String
        var done: String
        var remaining: String
        var deadline: String
        var expected: String
        var percent: Int
        var behindPace: Bool
        var deadlinePassed: Bool
        var overdue: Bool
    }

    struct PaymentRow: Encodable {
        var amount: String
        var currency: String
        var paid: String
        var balance: String
        var instalments: Int
        var instalmentsDue: Int
        var dueSoFar: String
        var nextDue: String
        var overdue: Bool
    }

    struct EntryRow: Encodable {
        var id: String
        var date: String
        var kind: String
        var kindLabel: String
        var summary: String
        var by: String
        var missed: Bool
    }

    struct Page: Encodable {
        /// The redisclosure notice, when the page shows a health service's records to someone outside it.
        var redisclosure: String? = nil
        var measure: MeasureHeader
        /// ISO day for the date inputs.
        var today: String
        /// The same day as the page's language writes it.
        var todayShown: String = ""
        var now: String
        var hours: [HoursRow]
        var hasHours: Bool
        var payments: [PaymentRow]
        var hasPayments: Bool
        var currency: String
        var appointments: MeasureCompliance.Appointments
        var attendanceRate: String
        var reports: MeasureCompliance.Reports
        var hasReportCondition: Bool
        var entries: [EntryRow]
        var hasEntries: Bool
        var canRecord: Bool
        var canRespond: Bool
        var attendanceOptions: [Option]
        var reportOptions: [Option]
        var timeZone: String
        var notice: String?
        var errors: [ShownError]
        var hasErrors: Bool
        var failedKind: String
    }

    struct OverdueRow: Encodable {
        var measureId: String
        var person: String
        var personId: String
        var measure: String
        var hours: String
        var payments: String
    }

    struct OverduePage: Encodable {
        var rows: [OverdueRow]
        var hasRows: Bool
        var count: Int
        var today: String
    }

    /// The form of one kind, as posted: every field text.
    struct EntryForm: Decodable {
        var kind: String?
        var date: String?
        var at: String?
        var hours: String?
        var site: String?
        var verifiedBy: String?
        var amount: String?
        var currency: String?
        var service: String?
        var attendance: String?
        var note: String?
        var officer: String?
    }

    func register(_ web: any RoutesBuilder) {
        web.endpoint(.GET, "measures", ":id", "compliance", access: .allowed(.read, .compliance), use: show)
        web.endpoint(.POST, "measures", ":id", "compliance", access: .allowed(.create, .compliance), use: record)
        web.endpoint(.GET, "supervision", "overdue", access: .allowed(.search, .compliance), use: overdue)
    }

    @Sendable func show(_ req: Request) async throws -> Response {
        try await render(req, measure: try await req.measureParameter(), errors: [], failedKind: "", status: .ok)
    }

    @Sendable func record(_ req: Request) async throws -> Response {
        let measure = try await req.measureParameter()
        let f = try req.content.decode(EntryForm.self)
        let input = ComplianceInput(kind: f.kind, date: f.date, at: f.at, hours: f.hours, site: f.site, verifiedBy: f.verifiedBy, amount: f.amount,
                                    currency: f.currency, service: f.service, attendance: f.attendance, note: f.note, officer: f.officer)
        do {
            _ = try await ComplianceService(request: req).record(input, on: measure)
            return req.redirect(to: "/measures/\(measure.id.uuidString.lowercased())/compliance?notice=recorded", redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await render(req, measure: measure, errors: failure.errors, failedKind: f.kind ?? "", status: .unprocessableEntity)
        } catch let error as APIError {
            guard case .conflict(let message) = error else { throw error }
            return try await render(req, measure: measure, errors: [FieldError("kind", message)], failedKind: f.kind ?? "", status: .conflict)
        }
    }

    private func render(_ req: Request, measure: MeasureRecord, errors: [FieldError], failedKind: String, status: HTTPResponseStatus) async throws -> Response {
        let t = req.messages
        let principal = try req.requirePrincipal()
        let service = ComplianceService(request: req)
        let (_, zone, policy) = try await service.clock()
        let person = try await PeopleService(request: req).read(measure.personID)
        let (entries, progress, today, notice) = try await service.read(measure)
        let currency = measure.conditions(.payment).compactMap { c -> String? in if case .string(let s)? = c.parameters["currency"] { s } else { nil } }.first ?? ""
        let attendance = Attendance.allCases.map { Option(value: $0.rawValue, label: t["attendance_\($0.rawValue)"] ?? $0.rawValue, selected: $0 == .attended) }
        let f = req.format
        var page = Page(
            measure: MeasureHeader(measure, person: person.details.fullName, matrix: policy.supervision.responses, t: t, f: f),
            today: today.description, now: Self.localFormTime(req.now, zone: zone),
            hours: progress.hours.map { h in
                HoursRow(due: f.number(h.due), done: f.number(h.done), remaining: f.number(h.remaining), deadline: f.date(h.deadline), expected: f.number(h.expectedByNow),
                         percent: h.due > 0 ? min(100, Int((h.done / h.due * 100).double)) : 100,
                         behindPace: h.behindPace, deadlinePassed: h.deadlinePassed, overdue: h.overdue)
            },
            hasHours: !progress.hours.isEmpty,
            payments: progress.payments.map { p in
                PaymentRow(amount: f.money(p.amount, currency: p.currency), currency: p.currency, paid: f.number(p.paid), balance: f.money(p.balance, currency: p.currency),
                           instalments: p.instalments, instalmentsDue: p.instalmentsDue, dueSoFar: f.money(p.dueSoFar, currency: p.currency),
                           nextDue: p.nextDueDate.map(f.date) ?? "", overdue: p.overdue)
            },
            hasPayments: !progress.payments.isEmpty, currency: currency,
            appointments: progress.appointments,
            attendanceRate: progress.appointments.rate.map { f.percent($0, maxFractionDigits: 0) } ?? "",
            reports: progress.reports, hasReportCondition: progress.reports.timesPerMonth != nil,
            entries: entries.reversed().map { Self.row($0, t: t, f: f) }, hasEntries: !entries.isEmpty,
            canRecord: measure.isActive && req.diversion.policy.decide(principal, .create, .compliance).isAllowed,
            canRespond: req.diversion.policy.decide(principal, .read, .response).isAllowed,
            attendanceOptions: attendance, reportOptions: attendance.filter { $0.value != Attendance.late.rawValue },
            timeZone: zone.identifier,
            notice: req.query[String.self, at: "notice"] == "recorded" ? t["compliance_notice_recorded"] : nil,
            errors: errors.map { e in
                var shown = ShownError(e)
                // Each kind has its own form, so a field's anchor names the form too.
                if e.field != "kind" && !failedKind.isEmpty { shown.anchor = "\(failedKind)-\(e.field)" }
                return shown
            },
            hasErrors: !errors.isEmpty, failedKind: failedKind
        )
        page.redisclosure = notice.map { StandardWording.notice($0, t) }
        page.todayShown = f.date(today)
        return try await req.page("compliance", title: "compliance_title", content: page, status: status)
    }

    static func row(_ e: ComplianceEntry, t: [String: String], f: LocaleFormat) -> EntryRow {
        let summary: String
        var missed = false
        switch e.detail {
        case .communityService(let h):
            summary = "\(f.number(h.hours)) \(t["field_hours"] ?? "hours") · \(h.site) · \(t["field_verified_by"] ?? "verified by") \(h.verifiedBy)"
        case .payment(let p):
            summary = f.money(p.amount, currency: p.currency)
        case .appointment(let a):
            missed = a.attendance == .missed
            summary = "\(a.service) · \(t["attendance_\(a.attendance.rawValue)"] ?? a.attendance.rawValue)" + (a.note.isEmpty ? "" : " — \(a.note)")
        case .report(let r):
            missed = r.attendance == .missed
            summary = "\(r.officer) · \(t["attendance_\(r.attendance.rawValue)"] ?? r.attendance.rawValue)"
        }
        return EntryRow(id: e.id.uuidString.lowercased(), date: f.date(e.date), kind: e.kind.rawValue,
                        kindLabel: t["kind_\(e.kind.rawValue)"] ?? e.kind.rawValue, summary: summary, by: e.recordedByName, missed: missed)
    }

    /// A `datetime-local` value for now where the measure is supervised.
    static func localFormTime(_ date: Date, zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d", c.year ?? 1970, c.month ?? 1, c.day ?? 1, c.hour ?? 0, c.minute ?? 0)
    }

    /// Active measures with hours or payments overdue, most behind first; each person shown is recorded as seen.
    @Sendable func overdue(_ req: Request) async throws -> Response {
        let t = req.messages
        let f = req.format
        let (today, _, _) = try await ComplianceService(request: req).clock()
        let measures = try await MeasureStore().active(on: req.db).filter { !$0.conditions(.communityService).isEmpty || !$0.conditions(.payment).isEmpty }
        let entries = try await ComplianceStore().entries(measureIDs: measures.map(\.id), on: req.db)
        var found: [(MeasureRecord, MeasureCompliance)] = []
        for m in measures {
            let progress = MeasureCompliance(measure: m, entries: entries[m.id] ?? [], today: today)
            if progress.overdue { found.append((m, progress)) }
        }
        // A worklist is read on screen: the first 200 are shown, with the total.
        let shown = Array(found.prefix(200))
        let names = try await req.personNames(shown.map(\.0.personID))
        let rows = shown.map { m, p in
            OverdueRow(
                measureId: m.id.uuidString.lowercased(), person: names[m.personID] ?? "", personId: m.personID.uuidString.lowercased(),
                measure: t["measure_\(m.type.rawValue)"] ?? m.type.rawValue,
                hours: p.hours.filter(\.overdue).map { "\(f.number($0.done)) / \(f.number($0.due)) (\($0.deadlinePassed ? t["compliance_deadline_passed"] ?? "" : t["compliance_behind_pace"] ?? ""), \(f.date($0.deadline)))" }.joined(separator: "; "),
                payments: p.payments.filter(\.overdue).map { "\(f.number($0.paid)) / \(f.money($0.dueSoFar, currency: $0.currency))" }.joined(separator: "; ")
            )
        }
        return try await req.page("overdue", title: "overdue_title",
                                  content: OverduePage(rows: rows, hasRows: !rows.isEmpty, count: found.count, today: f.date(today)))
    }
}
