import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// Gathers everything recorded on a measure into a progress report for the court; the caller audits the read.
struct ProgressReportService {
    let request: Request

    /// Only what a consent or court order lets the reader see of the person's health records goes into the report.
    func report(_ measure: MeasureRecord, from: CalendarDate, to: CalendarDate) async throws -> ProgressReport {
        let db = request.db
        let stored = try await DrugTestStore().plan(forMeasure: measure.id, on: db)
        var results: [StoredDrugTestResult] = []
        if let stored { results = try await DrugTestStore().results(of: stored.plan.id, on: db) }
        let disclosure = DisclosureService(request: request)
        let tests = try await disclosure.visible(results, personID: measure.personID, what: "progress report \(from)–\(to)") { $0.disclosure }
        let allEntries = try await ComplianceStore().entries(measureID: measure.id, on: db)
        let entries = try await disclosure.visible(allEntries, personID: measure.personID, what: "progress report \(from)–\(to)") { $0.disclosure }
        let responses = try await ResponseStore().responses(measureID: measure.id, on: db)
        let alerts = try await MonitoringStore().alerts(status: .all, measureID: measure.id, on: db)
        let breaches = try await BreachStore().forMeasure(measure.id, on: db)
        let target = try await request.activePolicy().policy.supervision.responses.incentiveRatioTarget
        var report = ProgressReport.build(
            measure: measure, from: from, to: to, plan: stored?.plan, results: tests.shown.map(\.result), compliance: entries.shown,
            responses: responses, alerts: alerts.map { (code: $0.alert.code, openedAt: $0.openedAt, open: $0.isOpen) },
            breachesFiled: breaches.map(\.filedAt), now: request.now, ratioTarget: target
        )
        report.withheld = Array(Set(tests.reasons + entries.reasons)).sorted()
        report.redisclosureNotice = tests.notice ?? entries.notice
        // A withheld result leaves its day unaccounted in the report's eyes; say withheld, not missing.
        if tests.withheld > 0, var t = report.tests {
            t.unaccounted = max(0, t.unaccounted - tests.withheld)
            report.tests = t
        }
        return report
    }

    /// The period asked for, or by default the last 30 days up to today (never before the measure started).
    func period(from fromText: String?, to toText: String?, measure: MeasureRecord) throws -> (CalendarDate, CalendarDate) {
        let today = CalendarDate(request.now)
        if fromText == nil && toText == nil {
            let start = max(measure.start, today.adding(days: -29))
            return (min(start, today), today)
        }
        return try ProgressReport.checkPeriod(from: fromText.flatMap(CalendarDate.init), to: toText.flatMap(CalendarDate.init), today: today)
    }
}

/// `GET /api/v1/measures/{id}/report`: the progress report as data.
struct ProgressReportController {
    func register(_ api: any RoutesBuilder) {
        api.endpoint(.GET, "measures", ":id", "report", access: .allowed(.read, .measure), use: show)
    }

    @Sendable func show(_ req: Request) async throws -> ProgressReport {
        let service = ProgressReportService(request: req)
        let fromText = req.query[String.self, at: "from"]
        let toText = req.query[String.self, at: "to"]
        let measure = try await req.measureParameter()
        let (from, to) = try service.period(from: fromText, to: toText, measure: measure)
        try await req.diversion.auditTrail.record([try req.auditEvent(.read, "progress_report", id: measure.id.uuidString.lowercased(), person: measure.personID)])
        return try await service.report(measure, from: from, to: to)
    }
}

extension ProgressReport: Content {}
