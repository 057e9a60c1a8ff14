import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

@Suite("Measures through the API")
struct MeasureAPITests {
    /// A sentencing decision by the judge: probation with community service, started a week before the test clock's today.
    static func sentencing(type: String = "probation", start: String = "2026-11-10", guardian: String? = nil, lastResort: String? = nil) -> String {
        var extra = ""
        if let guardian { extra += #","guardianContact":"\#(guardian)""# }
        if let lastResort { extra += #","lastResortReason":"\#(lastResort)""# }
        return #"{"stage":"sentencing","measures":[{"type":"\#(type)","start":"\#(start)","plannedEnd":"2027-05-10","conditions":[{"type":"community_service","parameters":{"hours":60,"deadline":"2027-03-01"}}]}],"proportionality":{"gravity":"Possession of 30 g cannabis herb.","circumstances":"Student, lives with parents.","reasons":"Hours and supervision instead of a fine the person cannot pay."\#(extra)}}"#
    }

    static func decided(_ t: TestApp, birthDate: String = "1990-05-06", body: String = sentencing()) async throws -> CaseResponse {
        let personId = try await CaseAPITests.person(t, birthDate: birthDate)
        let judge = try await t.token("judge")
        let opened = try await CaseAPITests.openCase(t, judge, personId: personId)
        let response = try await t.send(.POST, "/api/v1/cases/\(opened.id)/decisions", token: judge, body: body, contentType: "application/json")
        try #require(response.status == .created, "the decision answered \(response.status): \(response.text)")
        return try response.json(CaseResponse.self)
    }

    @Test func aDecisionGivesEachMeasureAnIdThatIsListedForThePerson() async throws {
        try await TestApp.run { t in
            let decided = try await Self.decided(t)
            #expect(decided.measures.count == 1)
            let measure = try #require(decided.measures.first)
            #expect(measure.type == "probation" && measure.status == "active")
            let supervisor = try await t.token("supervisor")
            let listed = try await t.send(.GET, "/api/v1/measures?personId=\(decided.personId)", token: supervisor).json(MeasureController.MeasureList.self)
            #expect(listed.items.map(\.id) == [measure.id])
            let shown = try await t.send(.GET, "/api/v1/measures/\(measure.id)", token: supervisor).json(MeasureResponse.self)
            #expect(shown.conditions.first?.type == .communityService)
            #expect(shown.phase == 1 && shown.start == "2026-11-10")
            let audited = try await t.auditEntries().filter { $0.event.resourceType == "measure" }
            #expect(audited.count >= 3)
        }
    }

    @Test func aSupersedingDecisionStopsTheMeasuresOfTheOneItReplaces() async throws {
        try await TestApp.run { t in
            let first = try await Self.decided(t)
            let judge = try await t.token("judge")
            let again = try await t.send(.POST, "/api/v1/cases/\(first.id)/decisions", token: judge, body: Self.sentencing(type: "community_service"), contentType: "application/json")
            #expect(again.status == .created)
            let second = try again.json(CaseResponse.self)
            #expect(second.measures.count == 2)
            #expect(second.measures.first { $0.type == "probation" }?.status == "superseded")
            #expect(second.measures.first { $0.type == "community_service" }?.status == "active")
        }
    }

    @Test func anOutcomeEndsAnActiveMeasureOnce() async throws {
        try await TestApp.run { t in
            let decided = try await Self.decided(t)
            let id = try #require(decided.measures.first?.id)
            let supervisor = try await t.token("supervisor")
            let body: [String: String] = ["outcome": "completed", "date": "2026-11-17", "note": "All 60 hours done and verified."]
            let ended = try await t.send(.POST, "/api/v1/measures/\(id)/outcome", token: supervisor, json: body)
            #expect(ended.status == .ok)
            let shown = try ended.json(MeasureResponse.self)
            #expect(shown.status == "completed" && shown.outcome?.date == "2026-11-17" && shown.outcome?.recordedBy.contains("Silva") == true)
            let twice = try await t.send(.POST, "/api/v1/measures/\(id)/outcome", token: supervisor, json: body)
            #expect(twice.status == .conflict)
        }
    }

    @Test func aBadOutcomeIsNamedField() async throws {
        try await TestApp.run { t in
            let decided = try await Self.decided(t)
            let id = try #require(decided.measures.first?.id)
            let judge = try await t.token("judge")
            let cases: [([String: String], String)] = [
                (["outcome": "vanished", "date": "2026-11-17", "note": "x"], "outcome"),
                (["outcome": "revoked", "date": "2026-11-01", "note": "x"], "date"),
                (["outcome": "revoked", "date": "2027-01-01", "note": "x"], "date"),
                (["outcome": "revoked", "date": "17/11/2026", "note": "x"], "date"),
                (["outcome": "revoked", "date": "2026-11-17", "note": " "], "note"),
            ]
            for (body, field) in cases {
                let response = try await t.send(.POST, "/api/v1/measures/\(id)/outcome", token: judge, json: body)
                #expect(response.status == .unprocessableEntity, "\(body)")
                #expect(response.text.contains(#""field":"\#(field)""#), "\(field): \(response.text)")
            }
            #expect(try await t.send(.GET, "/api/v1/measures/\(UUID().uuidString)", token: judge).status == .notFound)
            #expect(try await t.send(.GET, "/api/v1/measures", token: judge).status == .unprocessableEntity)
        }
    }

    @Test func rolesWithoutAPartInTheMeasureAreRefused() async throws {
        try await TestApp.run { t in
            let decided = try await Self.decided(t)
            let id = try #require(decided.measures.first?.id)
            for user in ["officer", "analyst", "admin"] {
                let token = try await t.token(user)
                #expect(try await t.send(.GET, "/api/v1/measures/\(id)", token: token).status == .forbidden, "\(user)")
                #expect(try await t.send(.GET, "/api/v1/measures?personId=\(decided.personId)", token: token).status == .forbidden, "\(user)")
            }
            let provider = try await t.token("provider")
            #expect(try await t.send(.GET, "/api/v1/measures/\(id)", token: provider).status == .ok)
            let outcome = try await t.send(.POST, "/api/v1/measures/\(id)/outcome", token: provider, json: ["outcome": "completed", "date": "2026-11-17", "note": "x"])
            #expect(outcome.status == .forbidden)
        }
    }

    @Test func aMinorGetsOnlyWhatTheJuvenileRulesAllowWithTheGuardianContacted() async throws {
        try await TestApp.run { t in
            let personId = try await CaseAPITests.person(t, birthDate: "2010-03-01")
            let judge = try await t.token("judge")
            let opened = try await CaseAPITests.openCase(t, judge, personId: personId)
            let fine = #"{"stage":"sentencing","measures":[{"type":"fine","start":"2026-11-20","plannedEnd":"2027-01-20","conditions":[{"type":"payment","parameters":{"amount":100,"currency":"EUR"}}]}],"proportionality":{"gravity":"g","circumstances":"c","reasons":"r","guardianContact":"Mother, by phone."}}"#
            let refused = try await t.send(.POST, "/api/v1/cases/\(opened.id)/decisions", token: judge, body: fine, contentType: "application/json")
            #expect(refused.status == .forbidden)
            #expect(refused.text.contains("juvenile rules"))
            let noGuardian = try await t.send(.POST, "/api/v1/cases/\(opened.id)/decisions", token: judge, body: Self.sentencing(), contentType: "application/json")
            #expect(noGuardian.status == .unprocessableEntity)
            #expect(noGuardian.text.contains("proportionality.guardianContact"))
            let accepted = try await t.send(.POST, "/api/v1/cases/\(opened.id)/decisions", token: judge, body: Self.sentencing(guardian: "Father, at the hearing."), contentType: "application/json")
            #expect(accepted.status == .created)
        }
    }
}
