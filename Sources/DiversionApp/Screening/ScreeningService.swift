import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// Scoring and recording a screening for a person on record: shared by the API and the pages.
struct ScreeningService {
    let request: Request

    func record(personID: UUID, instrument: ScreeningInstrument, answers: AnswerValue, sex: Sex?) async throws -> RecordedScreening {
        let principal = try request.requirePrincipal()
        guard let person = try await request.diversion.people.find(personID, on: request.db) else {
            throw ValidationFailure([FieldError("personId", "No person on record has this id.")])
        }
        let age = person.details.birthDate.completedYears(on: CalendarDate(request.now))
        let majority = try await request.diversion.policies.active(on: request.db)?.policy.ageOfMajority ?? request.diversion.configuration.ageOfMajority
        if let problem = ScreeningRules.instrumentProblem(instrument, age: age, ageOfMajority: majority) {
            throw ValidationFailure([FieldError("instrument", problem)])
        }
        let result = try Screening.score(instrument, answers: answers, sex: sex ?? person.details.sex)
        let id = UUID()
        let event = try request.auditEvent(.create, "screening", id: id.uuidString.lowercased(), person: personID)
        let now = request.now
        return try await request.diversion.auditTrail.perform { db in
            let recorded = try await ScreeningStore().create(result, answers: answers, personID: personID, by: principal, id: id, at: now, on: db)
            return (recorded, [event])
        }
    }
}
