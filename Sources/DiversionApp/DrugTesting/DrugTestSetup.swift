import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Vapor

/// Draws the random testing plan of a measure that orders drug testing, when the decision is recorded.
enum DrugTestSetup {
    /// Draws and stores the plan with a fresh seed, sealed, in the decision's transaction. The answered audit
    /// event names the plan and its commitment, so the commitment sits in the hash-chained trail from that moment
    /// and a plan edited later no longer matches it.
    static func start(_ measure: MeasureRecord, policy: JurisdictionPolicy, request req: Request, on db: any Database) async throws -> [AuditEvent] {
        // One plan per measure; the decision's check makes sure the condition converts.
        guard let ordered = measure.conditions(.drugTesting).first else { return [] }
        let condition = try DrugTestingCondition.ordered(
            by: ordered, start: measure.start, plannedEnd: measure.plannedEnd, defaultTimeZone: policy.supervision.timeZone
        )
        let seed = PlanSeed.random()
        let plan = try DrugTestPlan.draw(id: UUID(), condition: condition, seed: seed, hashing: .crypto)
        let stored = StoredDrugTestPlan(plan: plan, measureID: measure.id, personID: measure.personID, createdAt: req.now)
        try await DrugTestStore().insert(stored, seed: seed, vault: req.application.drugTesting.vault, on: db)
        return [try req.auditEvent(.create, DrugTestStore.planAuditType, id: Self.auditID(plan), person: measure.personID)]
    }

    /// `<plan id>/sha256:<commitment>`, the resource id of the plan's audit entry.
    static func auditID(_ plan: DrugTestPlan) -> String {
        "\(plan.id.uuidString.lowercased())/sha256:\(plan.commitmentHex)"
    }
}
