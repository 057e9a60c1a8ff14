import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

@Suite("Breaches through the API")
struct BreachAPITests {
    static func filed(_ t: TestApp) async throws -> (CaseResponse, BreachResponse) {
        let decided = try await MeasureAPITests.decided(t)
        let measureId = try #require(decided.measures.first?.id)
        let supervisor = try await t.token("supervisor")
        let response = try await t.send(.POST, "/api/v1/measures/\(measureId)/breaches", token: supervisor,
                                        body: #"{"description":"Missed three tests in a row and did not answer calls.","behaviours":["missed_test"]}"#,
                                        contentType: "application/json")
        try #require(response.status == .created, "\(response.status): \(response.text)")
        return (decided, try response.json(BreachResponse.self))
    }

    @Test func aSupervisorFilesABreachThatLandsInTheCourtsWorklist() async throws {
        try await TestApp.run { t in
            let (_, breach) = try await Self.filed(t)
            #expect(breach.status == "open" && breach.behaviours == ["missed_test"])
            let judge = try await t.token("judge")
            let worklist = try await t.send(.GET, "/api/v1/breaches?status=open", token: judge).json(BreachController.BreachList.self)
            #expect(worklist.items.map(\.id) == [breach.id])
            let audited = try await t.auditEntries().filter { $0.event.resourceType == "breach" }
            #expect(audited.count == 2)
        }
    }

    @Test func revokingEndsTheMeasureAndLeavesTheWorklist() async throws {
        try await TestApp.run { t in
            let (decided, breach) = try await Self.filed(t)
            let judge = try await t.token("judge")
            let response = try await t.send(.POST, "/api/v1/breaches/\(breach.id)/decision", token: judge, json: ["action": "revoke", "reason": "Fourth breach since October."])
            #expect(response.status == .ok)
            #expect(try response.json(BreachResponse.self).status == "revoke")
            let measure = try await t.send(.GET, "/api/v1/measures/\(breach.measureId)", token: judge).json(MeasureResponse.self)
            #expect(measure.status == "revoked" && measure.outcome?.note == "Fourth breach since October.")
            #expect(try await t.send(.GET, "/api/v1/breaches", token: judge).json(BreachController.BreachList.self).items.isEmpty)
            #expect(try await t.send(.GET, "/api/v1/breaches?status=decided", token: judge).json(BreachController.BreachList.self).items.count == 1)
            let again = try await t.send(.POST, "/api/v1/breaches/\(breach.id)/decision", token: judge, json: ["action": "continue", "reason": "r"])
            #expect(again.status == .conflict)
            _ = decided
        }
    }

    @Test func modifyingNamesTheNewDecisionInTheCase() async throws {
        try await TestApp.run { t in
            let (decided, breach) = try await Self.filed(t)
            let judge = try await t.token("judge")
            let missing = try await t.send(.POST, "/api/v1/breaches/\(breach.id)/decision", token: judge, json: ["action": "modify", "reason": "More support."])
            #expect(missing.status == .unprocessableEntity && missing.text.contains("decisionId"))
            t.clock.advance(60)
            let redecided = try await t.send(.POST, "/api/v1/cases/\(decided.id)/decisions", token: judge,
                                             body: MeasureAPITests.sentencing(type: "treatment_order"), contentType: "application/json").json(CaseResponse.self)
            let newDecision = try #require(redecided.decisions.last?.id)
            let response = try await t.send(.POST, "/api/v1/breaches/\(breach.id)/decision", token: judge,
                                            json: ["action": "modify", "reason": "Treatment instead of hours.", "decisionId": newDecision])
            #expect(response.status == .ok)
            #expect(try response.json(BreachResponse.self).decision?.decisionId == newDecision)
        }
    }

    @Test func badInputIsNamed() async throws {
        try await TestApp.run { t in
            let (decided, breach) = try await Self.filed(t)
            let measureId = try #require(decided.measures.first?.id)
            let supervisor = try await t.token("supervisor")
            let filings: [(String, String)] = [
                (#"{"description":" "}"#, "description"),
                (#"{"description":"x","behaviours":["dancing"]}"#, "behaviours[0]"),
                (#"{"description":"x","behaviours":["negative_test_run"]}"#, "behaviours[0]"),
            ]
            for (body, field) in filings {
                let response = try await t.send(.POST, "/api/v1/measures/\(measureId)/breaches", token: supervisor, body: body, contentType: "application/json")
                #expect(response.status == .unprocessableEntity, "\(field)")
                #expect(response.text.contains(#""field":"\#(field)""#), "\(field): \(response.text)")
            }
            let judge = try await t.token("judge")
            let decisions: [([String: String], String)] = [
                (["action": "pardon", "reason": "r"], "action"),
                (["action": "continue", "reason": ""], "reason"),
                (["action": "modify", "reason": "r", "decisionId": "nope"], "decisionId"),
                (["action": "modify", "reason": "r", "decisionId": UUID().uuidString], "decisionId"),
            ]
            for (body, field) in decisions {
                let response = try await t.send(.POST, "/api/v1/breaches/\(breach.id)/decision", token: judge, json: body)
                #expect(response.status == .unprocessableEntity, "\(field)")
                #expect(response.text.contains(#""field":"\#(field)""#), "\(field): \(response.text)")
            }
            #expect(try await t.send(.GET, "/api/v1/breaches?status=maybe", token: judge).status == .unprocessableEntity)
            #expect(try await t.send(.GET, "/api/v1/breaches/\(UUID().uuidString)", token: judge).status == .notFound)
        }
    }

    @Test func onlySupervisionFilesAndOnlyTheCourtOrProsecutorDecides() async throws {
        try await TestApp.run { t in
            let (decided, breach) = try await Self.filed(t)
            let measureId = try #require(decided.measures.first?.id)
            for user in ["officer", "provider", "judge", "analyst", "admin"] {
                let token = try await t.token(user)
                let filing = try await t.send(.POST, "/api/v1/measures/\(measureId)/breaches", token: token, json: ["description": "x"])
                #expect(filing.status == .forbidden, "\(user)")
            }
            for user in ["officer", "provider", "supervisor", "analyst", "admin"] {
                let token = try await t.token(user)
                let deciding = try await t.send(.POST, "/api/v1/breaches/\(breach.id)/decision", token: token, json: ["action": "continue", "reason": "r"])
                #expect(deciding.status == .forbidden, "\(user)")
            }
            let prosecutor = try await t.token("prosecutor")
            let decidedByProsecutor = try await t.send(.POST, "/api/v1/breaches/\(breach.id)/decision", token: prosecutor, json: ["action": "continue", "reason": "Warned."])
            #expect(decidedByProsecutor.status == .ok)
        }
    }
}
