import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The outcome of a promotion: the criteria met, with their reasons, and the phase the measure is now in.
struct PromotionResponse: Content {
    var measureId: String
    var fromPhase: Int
    var toPhase: Int
    var phaseName: String
    var phaseSince: String
    var eligible: Bool
    var reasons: [String]
}

/// Moves a treatment-court measure to its next phase once the phase's criteria are met.
struct PromotionController {
    func register(_ api: any RoutesBuilder) {
        api.endpoint(.POST, "measures", ":id", "promotion", access: .allowed(.update, .measure), use: promote)
    }

    /// The measure's test results, from the drug-testing plan its testing condition set up (none without one).
    static func testResults(of measure: MeasureRecord, on req: Request) async throws -> [DrugTestResult] {
        guard let plan = try await DrugTestStore().plan(forMeasure: measure.id, on: req.db) else { return [] }
        return try await DrugTestStore().results(of: plan.plan.id, on: req.db).map(\.result)
    }

    /// Checks the current phase's criteria: refused with 409 and every reason when one is not met.
    @Sendable func promote(_ req: Request) async throws -> Response {
        let measure = try await req.measureParameter()
        let policy = try await req.activePolicy().policy
        let matrix = policy.supervision.responses
        let zone = TimeZone(identifier: policy.supervision.timeZone) ?? .gmt
        let today = ComplianceInput.localDate(of: req.now, in: zone)
        guard measure.isActive else {
            throw APIError.conflict("The measure is \(measure.status.rawValue); only an active measure moves between phases.")
        }
        let entries = try await ComplianceStore().entries(measureID: measure.id, on: req.db)
        let results = try await Self.testResults(of: measure, on: req)
        try await req.diversion.auditTrail.record([try req.auditEvent(.read, "promotion_evidence", id: measure.id.uuidString.lowercased(), person: measure.personID)])
        guard let result = PromotionEvidence.check(measure, matrix: matrix, today: today, results: results, entries: entries) else {
            throw APIError.conflict("Phase \(measure.phase) is not a phase of the active response matrix (phases \(matrix.phases.map(\.number).map(String.init).joined(separator: ", "))).")
        }
        guard result.eligible else { throw APIError.conflict(result.reasons.joined(separator: " ")) }
        guard let next = matrix.phase(measure.phase + 1) else {
            let last = "Phase \(measure.phase) is the last; record graduation as the outcome \"completed\" (POST /api/v1/measures/{id}/outcome)."
            throw APIError.conflict((result.reasons + [last]).joined(separator: " "))
        }
        let event = try req.auditEvent(.update, "measure_phase", id: measure.id.uuidString.lowercased(), person: measure.personID)
        let moved = try await req.diversion.auditTrail.perform { db in
            (try await MeasureStore().promote(measure.id, from: measure.phase, on: today, on: db), [event])
        }
        guard moved else { throw APIError.conflict("The measure changed phase or ended meanwhile; reload it.") }
        return try await PromotionResponse(
            measureId: measure.id.uuidString.lowercased(), fromPhase: measure.phase, toPhase: next.number, phaseName: next.name,
            phaseSince: today.description, eligible: true, reasons: result.reasons
        ).encodeResponse(status: .ok, for: req)
    }
}
