import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// Evaluates whether a contact may be diverted under the active policy, with every rule explained.
/// Nothing is stored; the person, when named, is read (and the read audited) so their history counts.
struct EligibilityController {
    func register(_ api: any RoutesBuilder) {
        api.endpoint(.POST, "eligibility", "evaluate", access: .allowed(.evaluate, .eligibility), use: evaluate)
    }

    @Sendable func evaluate(_ req: Request) async throws -> EvaluationResponse {
        let input = try req.decodeJSON(ContactInput.self)
        let contact = try input.check(now: req.now, storing: false)
        let (answer, active, instrument) = try await ContactService(request: req).evaluate(contact)
        return EvaluationResponse(answer, policyID: active.id, instrument: instrument)
    }
}
