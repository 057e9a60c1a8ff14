import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The supervisor's pages: a measure's tests (plan, results, the form to record one) and today's tests across all plans.
struct DrugTestPages {
    struct DayRow: Encodable {
        /// The ISO day, for `<time datetime>`; `date` is the day as the page's language writes it.
        var iso: String
        var date: String
        var window: String
        var outcome: String
        var outcomeLabel: String
        var hasResult: Bool
        var today: Bool
    }

    struct WeekRow: Encodable {
        var monday: String
        var days: Int
        var count: Int
        var testDays: String
        var current: Bool
    }

    struct ResultRow: Encodable {
        var day: String
        var scheduled: Bool
        var outcome: String
        var outcomeLabel: String
        var details: String
        var collected: String
        var outsideWindow: Bool
        var labConfirmed: Bool
        var chainOfCustody: String
        var recordedBy: String
    }

    struct MeasurePage: Encodable {
        /// The redisclosure notice, when the page shows a health service's results to someone outside it.
        var redisclosure: String? = nil
        var measureId: String
        var person: String
        var personId: String
        var measureType: String
        var minimumPerWeek: Int
        var window: String
        var specimen: String
        var timeZone: String
        var period: String
        var commitment: String
        var intact: Bool
        var verification: String
        var thisWeek: [DayRow]
        var hasThisWeek: Bool
        var weeks: [WeekRow]
        var results: [ResultRow]
        var hasResults: Bool
        var canRecord: Bool
        var specimens: [Option]
        var outcomes: [Option]
        var testDay: String
        var collectedAt: String
        var substances: String
        var reason: String
        var labConfirmed: Bool
        var chainOfCustody: String
        var notice: String?
        var errors: [ShownError]
        var hasErrors: Bool
    }

    struct TodayRow: Encodable {
        var measureId: String
        var person: String
        var window: String
        var timeZone: String
        var outcome: String
        var outcomeLabel: String
        var hasResult: Bool
    }

    struct MissedRow: Encodable {
        var measureId: String
        var person: String
        var day: String
        /// The ISO day, for `<time datetime>`.
        var iso: String
    }

    struct WorklistPage: Encodable {
        var today: [TodayRow]
        var hasToday: Bool
        var missed: [MissedRow]
        var hasMissed: Bool
        var missedDays: Int
    }

    /// The form of the record-a-result page: `DrugTestResultInput` as a browser sends it.
    struct ResultForm: Decodable {
        var testDay: String?
        var specimen: String?
        var collectedAt: String?
        var outcome: String?
        var substances: String?
        var reason: String?
        var labConfirmed: String?
        var chainOfCustody: String?
    }

    /// How far back the worklist lists missed tests.
    static let missedDays = 14

    func register(_ web: any RoutesBuilder) {
        web.endpoint(.GET, "measures", ":id", "tests", access: .allowed(.read, .drugTest), use: show)
        web.endpoint(.POST, "measures", ":id", "tests", access: .allowed(.create, .drugTest), use: record)
        web.endpoint(.GET, "supervision", "tests", access: .allowed(.search, .drugTest), use: worklist)
    }

    @Sendable func show(_ req: Request) async throws -> Response {
        try await render(req, form: nil, errors: [], status: .ok)
    }

    @Sendable func record(_ req: Request) async throws -> Response {
        let measure = try await req.measureParameter()
        let form = try req.content.decode(ResultForm.self)
        let service = DrugTestService(request: req)
        let stored = try await service.plan(of: measure)
        let substances = (form.substances ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var checked = DrugTestResultInput(
            testDay: form.testDay, specimen: form.specimen, collectedAt: form.collectedAt, outcome: form.outcome,
            substances: form.outcome == "positive" || !substances.isEmpty ? substances : nil,
            reason: form.reason, labConfirmed: form.labConfirmed != nil, chainOfCustody: form.chainOfCustody
        )
        // Nothing collected: the time and custody fields the form always shows are left out rather than refused.
        let collects = !["missed", "excused"].contains(form.outcome ?? "")
        if !collects {
            checked.collectedAt = nil
            checked.chainOfCustody = nil
            checked.labConfirmed = false
        }
        do {
            let collectedAt = collects ? parseLocalFormTime(form.collectedAt, calendar: stored.plan.condition.calendar) : nil
            let result = try service.result(from: checked, plan: stored, collectedAt: collectedAt)
            let saved = try await service.record(result, plan: stored)
            let notice = saved.outsideWindow ? "outside_window" : "recorded"
            return req.redirect(to: "/measures/\(measure.id.uuidString.lowercased())/tests?notice=\(notice)", redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await render(req, form: form, errors: failure.errors, status: .unprocessableEntity)
        } catch let error as APIError {
            guard case .conflict(let message) = error else { throw error }
            return try await render(req, form: form, errors: [FieldError("testDay", message)], status: .conflict)
        }
    }

    private func render(_ req: Request, form: ResultForm?, errors: [FieldError], status: HTTPResponseStatus) async throws -> Response {
        let t = req.messages
        let measure = try await req.measureParameter()
        let service = DrugTestService(request: req)
        let stored = try await service.plan(of: measure)
        let plan = stored.plan
        let c = plan.condition
        let swept = try await service.sweepMissed([stored])[plan.id] ?? []
        let visible = try await DisclosureService(request: req).visible(swept, personID: stored.personID, what: "/measures/{id}/tests") { $0.disclosure }
        let results = visible.shown
        let check = try await service.check(stored)
        let person = try await PeopleService(request: req).read(stored.personID)
        try await req.diversion.auditTrail.record([
            try req.auditEvent(.read, DrugTestStore.planAuditType, id: plan.id.uuidString.lowercased(), person: stored.personID),
            try req.auditEvent(.search, "drug_test_result", id: plan.id.uuidString.lowercased(), person: stored.personID),
        ])
        let today = c.localDate(of: req.now)
        let f = req.format
        let byDay = Dictionary(results.map { ($0.result.testDay, $0) }, uniquingKeysWith: { first, _ in first })
        let thisWeek = plan.testDays(inWeekOf: today).map { day in
            let answer = CallInAnswer.answer(for: day, plans: [plan], timeZoneID: c.timeZoneID)
            let code = byDay[day]?.result.outcome.code ?? ""
            return DayRow(iso: day.description, date: f.date(day), window: "\(answer.windowStart ?? "")–\(answer.windowEnd ?? "")", outcome: code,
                          outcomeLabel: code.isEmpty ? (t["tests_awaiting"] ?? "") : (t["tests_outcome_\(code)"] ?? code),
                          hasResult: !code.isEmpty, today: day == today)
        }
        let weeks = plan.weeks.map { w in
            let days = plan.testDays(in: w)
            return WeekRow(monday: f.date(w.monday), days: w.days.count, count: days.count,
                           testDays: days.map(f.date).joined(separator: ", "), current: w.days.contains(today))
        }
        let rows = results.map { r in
            let code = r.result.outcome.code
            var details = ""
            switch r.result.outcome {
            case .positive(let found): details = found.joined(separator: ", ")
            case .excused(let why): details = why
            default: break
            }
            return ResultRow(
                day: f.date(r.result.testDay), scheduled: plan.isTestDay(r.result.testDay), outcome: code,
                outcomeLabel: t["tests_outcome_\(code)"] ?? code, details: details, collected: f.dateTime(r.result.collectedAt, timeZone: c.calendar.timeZone),
                outsideWindow: r.outsideWindow, labConfirmed: r.result.labConfirmed, chainOfCustody: r.result.chainOfCustody ?? "",
                recordedBy: r.recordedByName == DrugTestService.sweepRecorder ? (t["tests_recorded_by_system"] ?? r.recordedByName) : r.recordedByName
            )
        }
        let principal = try req.requirePrincipal()
        let end = c.window.startHour * 60 + c.window.startMinute + c.window.hours * 60
        let specimen = form?.specimen ?? c.specimen.rawValue
        let outcome = form?.outcome ?? "negative"
        var page = MeasurePage(
            measureId: measure.id.uuidString.lowercased(), person: person.details.fullName, personId: person.id.uuidString.lowercased(),
            measureType: t["measure_\(measure.type.rawValue)"] ?? measure.type.rawValue, minimumPerWeek: c.minimumPerWeek,
            window: "\(c.window.startText)–\(String(format: "%02d:%02d", end / 60, end % 60))",
            specimen: t["specimen_\(c.specimen.rawValue)"] ?? c.specimen.rawValue, timeZone: c.timeZoneID,
            period: "\(f.date(c.startDate)) – \(f.date(c.endDate))", commitment: plan.commitmentHex, intact: check.isIntact,
            verification: check.isIntact ? (t["tests_plan_intact"] ?? check.detail) : check.detail,
            thisWeek: thisWeek, hasThisWeek: !thisWeek.isEmpty, weeks: weeks, results: rows.reversed(), hasResults: !rows.isEmpty,
            canRecord: req.diversion.policy.decide(principal, .create, .drugTest).isAllowed,
            specimens: DrugTestSpecimen.allCases.map { Option(value: $0.rawValue, label: t["specimen_\($0.rawValue)"] ?? $0.rawValue, selected: $0.rawValue == specimen) },
            outcomes: DrugTestService.outcomes.map { Option(value: $0, label: t["tests_outcome_\($0)"] ?? $0, selected: $0 == outcome) },
            testDay: form?.testDay ?? today.description, collectedAt: form?.collectedAt ?? Self.local(req.now, c.calendar).replacingOccurrences(of: " ", with: "T"),
            substances: form?.substances ?? "", reason: form?.reason ?? "", labConfirmed: form?.labConfirmed != nil,
            chainOfCustody: form?.chainOfCustody ?? "",
            notice: req.query[String.self, at: "notice"].flatMap { t["tests_notice_\($0)"] },
            errors: errors.map(ShownError.init), hasErrors: !errors.isEmpty
        )
        page.redisclosure = visible.notice.map { StandardWording.notice($0, req.messages) }
        return try await req.page("measure_tests", title: "tests_title", content: page, status: status)
    }

    /// Today's test days across every active plan, and the missed tests of the last two weeks. Missed tests are
    /// recorded first, so the list shows every one.
    @Sendable func worklist(_ req: Request) async throws -> Response {
        let t = req.messages
        let (plans, results) = try await DrugTestService(request: req).sweepActive()
        var today: [(StoredDrugTestPlan, CallInAnswer, StoredDrugTestResult?)] = []
        var missed: [(StoredDrugTestPlan, CalendarDate)] = []
        for stored in plans {
            let c = stored.plan.condition
            let day = c.localDate(of: req.now)
            let mine = results[stored.plan.id] ?? []
            if stored.plan.isTestDay(day) {
                today.append((stored, CallInAnswer.answer(for: day, plans: [stored.plan], timeZoneID: c.timeZoneID), mine.first { $0.result.testDay == day }))
            }
            let since = day.adding(days: -Self.missedDays)
            for r in mine where r.result.outcome == .missed && r.result.testDay >= since {
                missed.append((stored, r.result.testDay))
            }
        }
        let names = try await req.personNames(today.map(\.0.personID) + missed.map(\.0.personID))
        var hidden: Set<UUID> = []
        for (stored, _, result) in today {
            guard let result else { continue }
            let visible = try await DisclosureService(request: req).visible([result], personID: stored.personID, what: "/supervision/tests") { $0.disclosure }
            if visible.shown.isEmpty { hidden.insert(result.id) }
        }
        let todayRows = today.map { stored, answer, result in
            // A health service's result this reader may not see shows as recorded, without its outcome.
            let code = result.map { hidden.contains($0.id) ? "recorded" : $0.result.outcome.code } ?? ""
            return TodayRow(
                measureId: stored.measureID.uuidString.lowercased(), person: names[stored.personID] ?? "",
                window: "\(answer.windowStart ?? "")–\(answer.windowEnd ?? "")", timeZone: answer.timeZoneID, outcome: code,
                outcomeLabel: code.isEmpty ? (t["tests_awaiting"] ?? "") : (t["tests_outcome_\(code)"] ?? code), hasResult: result != nil
            )
        }.sorted { ($0.window, $0.person) < ($1.window, $1.person) }
        // Sorted on the day itself: the shown text is in the page's language and does not sort by date.
        let missedRows = missed.sorted { ($0.1, names[$0.0.personID] ?? "") > ($1.1, names[$1.0.personID] ?? "") }.map { stored, day in
            MissedRow(measureId: stored.measureID.uuidString.lowercased(), person: names[stored.personID] ?? "", day: req.format.date(day), iso: day.description)
        }
        let page = WorklistPage(today: todayRows, hasToday: !todayRows.isEmpty, missed: missedRows, hasMissed: !missedRows.isEmpty, missedDays: Self.missedDays)
        return try await req.page("supervision_tests", title: "tests_today_title", content: page)
    }

    /// A time in the plan's local wall clock, "YYYY-MM-DD HH:MM".
    static func local(_ date: Date?, _ calendar: Calendar) -> String {
        guard let date else { return "" }
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }
}
