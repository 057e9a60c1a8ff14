import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

@Suite("A participant's month through the API")
struct ParticipantMonthTests {
    @Test func aMonthFromTheDecisionToTheOutcomeIsRecordedAndReported() async throws {
        try await TestApp.run { t in
            let seeded = try #require(try await DemoParticipant.seed(t.app))
            #expect(seeded.participant == "Marta Ribeiro" && seeded.callInCode.count == 10)
            #expect(try await DemoParticipant.seed(t.app) == nil, "seeding twice adds nothing")
            let judge = try await t.token("judge")
            let people = try await t.send(.GET, "/api/v1/persons?q=Ribeiro", token: judge).json(PersonController.PersonList.self)
            let personId = try #require(people.items.first?.id)
            let measure = try #require(try await t.send(.GET, "/api/v1/measures?personId=\(personId)", token: judge)
                .json(MeasureController.MeasureList.self).items.first)
            #expect(measure.type == "treatment_court" && measure.status == "active")

            let report = try await t.send(.GET, "/api/v1/measures/\(measure.id)/report", token: judge).json(ProgressReport.self)
            let tests = try #require(report.tests)
            // At least the weekly minimum of two over four full weeks, every scheduled day accounted for.
            #expect(tests.scheduled >= 8)
            #expect(tests.positive == 1 && tests.missed == 1 && tests.unaccounted == 0)
            #expect(tests.negative + tests.positive + tests.missed == tests.scheduled - (tests.scheduled - tests.done - tests.missed))
            #expect(report.compliance.hours.first?.done ?? 0 >= 12)
            #expect(report.compliance.payments.first?.paid == 50)
            #expect(report.alerts.byCode["left_home_during_curfew"] == 1)
            #expect(report.alerts.byCode["no_signal"] == nil, "the device reported every 30 minutes: no gap")
            #expect(report.responses.treatmentAdjustments >= 1 && report.responses.incentives >= 1)

            let supervisor = try await t.token("supervisor")
            let plan = try await t.send(.GET, "/api/v1/measures/\(measure.id)/testing-plan", token: supervisor)
            #expect(plan.text.contains(#""status":"intact""#))
            let callIn = try await t.send(.GET, "/api/v1/call-in?code=\(seeded.callInCode)&date=\(CalendarDate(t.clock.now))")
            #expect(callIn.status == .ok || callIn.status == .unprocessableEntity, "\(callIn.status)")

            let ended = try await t.send(.POST, "/api/v1/measures/\(measure.id)/outcome", token: judge,
                                         json: ["outcome": "completed", "date": CalendarDate(t.clock.now).description, "note": "Graduated."])
            #expect(ended.status == .ok)
            let verify = try await t.auditEntries()
            #expect(verify.contains { $0.event.resourceType == "drug_test_plan" })
        }
    }
}
