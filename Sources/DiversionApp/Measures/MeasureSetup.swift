import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Vapor

/// What starts when a decision orders measures: each supervision capability sets up what its conditions need
/// (a drug-testing plan, a monitoring device) in the same transaction as the decision, and answers its audit events.
enum MeasureSetup {
    static func start(_ measures: [MeasureRecord], policy: JurisdictionPolicy, request req: Request, on db: any Database) async throws -> [AuditEvent] {
        var events: [AuditEvent] = []
        for m in measures {
            events.append(try req.auditEvent(.create, "measure", id: m.id.uuidString.lowercased(), person: m.personID))
            events += try await DrugTestSetup.start(m, policy: policy, request: req, on: db)
        }
        return events
    }
}
