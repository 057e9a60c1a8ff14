import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The analyst's page of statistical exports: both standards for a chosen year, each as CSV and JSON. The files are
/// the ones the API answers, counted when downloaded and written to the audit trail.
struct ExportPages {
    struct Entry: Encodable {
        var id: String
        var title: String
        var text: String
        var csv: String
        var json: String
    }

    struct Page: Encodable {
        var years: [Option]
        var year: Int
        var exports: [Entry]
        var threshold: Int
        var hasData: Bool
        var errors: [ShownError]
        var hasErrors: Bool
    }

    func register(_ web: any RoutesBuilder) {
        web.endpoint(.GET, "analysis", "exports", access: .allowed(.read, .indicator), use: list)
        web.endpoint(.GET, "analysis", "exports", ":standard", access: .allowed(.read, .indicator), use: download)
    }

    @Sendable func list(_ req: Request) async throws -> Response {
        let t = req.messages
        let policy = try await req.activePolicy().policy
        let today = CalendarDate(req.now)
        let span = try await ExportQueries().years(on: req.db)
        var errors: [FieldError] = []
        // The latest year with figures comes first; a year asked for outside the records is still offered.
        var year = min(span?.upperBound ?? today.year, today.year)
        if let asked = req.query[String.self, at: "year"] {
            do { year = try ExportTables.year(asked, today: today) } catch { errors = error.errors }
        }
        let first = min(span?.lowerBound ?? today.year, year)
        let years = Array(first...max(today.year, year)).reversed().map { Option(value: String($0), label: String($0), selected: $0 == year) }
        let exports = ExportStandard.allCases.map { s in
            Entry(id: s.rawValue, title: t["exports_\(s.rawValue)_title"] ?? s.title, text: t["exports_\(s.rawValue)_text"] ?? "",
                  csv: "/analysis/exports/\(s.rawValue)?year=\(year)&format=csv", json: "/analysis/exports/\(s.rawValue)?year=\(year)&format=json")
        }
        let page = Page(years: years, year: year, exports: exports, threshold: policy.evidence.suppressionThreshold, hasData: span != nil,
                        errors: errors.map(ShownError.init), hasErrors: !errors.isEmpty)
        return try await req.page("exports", title: "exports_title", content: page, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    @Sendable func download(_ req: Request) async throws -> Response {
        let (standard, year, format) = try StatisticalExportRequest.read(
            standard: req.parameters.get("standard"), year: req.query[String.self, at: "year"], format: req.query[String.self, at: "format"],
            today: CalendarDate(req.now)
        )
        return try await StatisticalExportRequest.answer(req, standard: standard, year: year, format: format)
    }
}
