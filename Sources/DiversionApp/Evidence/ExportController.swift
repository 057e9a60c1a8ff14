import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The statistical exports for analysts: a year's figures in the shape of UN-CTS or TDI, as CSV or JSON, always
/// small-cell suppressed and written to the audit trail.
struct ExportController {
    func register(_ api: any RoutesBuilder) {
        api.endpoint(.GET, "exports", ":standard", access: .allowed(.read, .indicator), use: export)
    }

    @Sendable func export(_ req: Request) async throws -> Response {
        let (standard, year, format) = try StatisticalExportRequest.read(
            standard: req.parameters.get("standard"), year: req.query[String.self, at: "year"], format: req.query[String.self, at: "format"],
            today: CalendarDate(req.now)
        )
        return try await StatisticalExportRequest.answer(req, standard: standard, year: year, format: format)
    }
}

/// Reads and answers an export request, the same for the API and the analyst's download links.
enum StatisticalExportRequest {
    /// The standard (404 when there is none by that name), then the year and format, naming every wrong one (422).
    static func read(standard: String?, year: String?, format: String?, today: CalendarDate) throws -> (ExportStandard, Int, ExportFormat) {
        let name = standard ?? ""
        guard let standard = ExportStandard(rawValue: name) else {
            throw APIError.notFound("There is no export '\(name.prefix(40))'; use \(ExportStandard.allCases.map(\.rawValue).joined(separator: " or ")).")
        }
        var errors = FieldErrors()
        var chosenYear = 0
        do { chosenYear = try ExportTables.year(year, today: today) } catch { for e in error.errors { errors.add(e.field, e.reason) } }
        var chosenFormat = ExportFormat.json
        if let format, !format.isEmpty {
            if let f = ExportFormat(rawValue: format) {
                chosenFormat = f
            } else {
                errors.add("format", "'\(format.prefix(20))' is not a format; use csv or json.")
            }
        }
        try errors.throwIfAny()
        return (standard, chosenYear, chosenFormat)
    }

    /// Counts under the active policy, records the export, and answers the file as a download.
    static func answer(_ req: Request, standard: ExportStandard, year: Int, format: ExportFormat) async throws -> Response {
        let policy = try await req.activePolicy().policy
        let export = try await ExportQueries().export(standard, year: year, policy: policy, generatedAt: req.now, on: req.db)
        let data = try export.data(format)
        try await req.diversion.auditTrail.record([try req.auditEvent(.read, "statistical_export", id: "\(standard.rawValue)-\(year)")])
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.replaceOrAdd(name: .contentType, value: format.mediaType)
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(export.fileName(format))\"")
        return response
    }
}
