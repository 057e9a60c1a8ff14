import DiversionCore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

@Suite("Eligibility through the API")
struct EligibilityAPITests {
    func body(_ seizures: String, offences: String = #"[{"category":"possession_personal_use"}]"#, extra: String = "") -> String {
        #"{"occurredAt":"2026-11-10T21:40:00Z","region":"R1","offences":\#(offences),"seizures":\#(seizures)\#(extra)}"#
    }

    @Test func anOfficerSeesAnEligibleCaseWithEveryReasonAndThePolicyVersion() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let request = body(#"[{"substance":"cannabis_herb","quantity":12.5,"unit":"g","purityPercent":null,"packaging":[]}]"#,
                               extra: #","circumstances":{"violence":false,"weapon":false,"supplyToMinors":false,"nearSchool":false}"#)
            let response = try await t.send(.POST, "/api/v1/eligibility/evaluate", token: token, body: request, contentType: "application/json")
            #expect(response.status == .ok)
            let answer = try response.json(EvaluationResponse.self)
            #expect(answer.eligible)
            #expect(answer.route == "referral_to_treatment")
            #expect(answer.stage == "pre_trial")
            #expect(answer.policyVersion == "2026.1")
            #expect(answer.reasons.contains { $0.detail == "Cannabis herb 12.5 g ≤ 25 g personal-use threshold (gross)." })
            #expect(answer.reasons.allSatisfy { $0.passed })
        }
    }

    @Test func aPureBasisSubstanceAboveItsThresholdGoesToTheProsecutor() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let request = body(#"[{"substance":"heroin","quantity":2,"unit":"g"}]"#)
            let answer = try await t.send(.POST, "/api/v1/eligibility/evaluate", token: token, body: request, contentType: "application/json")
                .json(EvaluationResponse.self)
            #expect(!answer.eligible)
            #expect(answer.route == "refer_to_prosecutor")
            #expect(answer.reasons.contains { $0.detail.contains("35 % assumed purity = 0.7 g pure > 0.5 g") })
        }
    }

    @Test(arguments: [
        (#"[{"substance":"heroin","quantity":1,"unit":"kg"}]"#, "seizures[0].unit"),
        (#"[{"substance":"mdma","quantity":0.4,"unit":"g"}]"#, "seizures[0].unit"),
        (#"[{"substance":"kratom","quantity":1,"unit":"g"}]"#, "seizures[0].substance"),
        (#"[{"substance":"heroin","quantity":-3,"unit":"g"}]"#, "seizures[0].quantity"),
        (#"[{"substance":"heroin","quantity":1,"unit":"g","purityPercent":101}]"#, "seizures[0].purityPercent"),
        (#"[{"substance":"heroin","quantity":"lots","unit":"g"}]"#, "seizures[0].quantity"),
    ])
    func impossibleSeizuresAre422NamingTheField(seizures: String, field: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let response = try await t.send(.POST, "/api/v1/eligibility/evaluate", token: token, body: body(seizures), contentType: "application/json")
            #expect(response.status == .unprocessableEntity)
            #expect(try response.problem().errors?.map(\.field) == [field])
        }
    }

    @Test func aFutureContactAndAnUnknownStageAreRefused() async throws {
        try await TestApp.run { t in
            let token = try await t.token("prosecutor")
            let request = #"{"occurredAt":"2999-01-01T00:00:00Z","stage":"arrest","offences":[],"seizures":[]}"#
            let response = try await t.send(.POST, "/api/v1/eligibility/evaluate", token: token, body: request, contentType: "application/json")
            #expect(response.status == .unprocessableEntity)
            #expect(try response.problem().errors?.map(\.field) == ["occurredAt", "stage"])
        }
    }

    @Test func aProsecutorAtPreTrialDefersProsecution() async throws {
        try await TestApp.run { t in
            let token = try await t.token("prosecutor")
            let answer = try await t.send(.POST, "/api/v1/eligibility/evaluate", token: token, body: body("[]"), contentType: "application/json")
                .json(EvaluationResponse.self)
            #expect(answer.route == "deferred_prosecution")
        }
    }

    @Test(arguments: ["provider", "supervisor", "analyst", "admin"])
    func rolesThatDoNotChooseRoutesAreRefused(user: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token(user)
            let response = try await t.send(.POST, "/api/v1/eligibility/evaluate", token: token, body: body("[]"), contentType: "application/json")
            #expect(response.status == .forbidden)
        }
    }

    @Test func withoutATokenItIs401() async throws {
        try await TestApp.run { t in
            let response = try await t.send(.POST, "/api/v1/eligibility/evaluate", body: body("[]"), contentType: "application/json")
            #expect(response.status == .unauthorized)
        }
    }

    @Test func namingAPersonAuditsTheReadAndAnUnknownPersonIs422() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let person = try await t.send(.POST, "/api/v1/persons", token: token, json: PersonInput(givenName: "Rui", familyName: "Lopes", birthDate: "1995-02-02", sex: "male"))
                .json(PersonController.PersonResponse.self)
            let named = body("[]", extra: #","personId":"\#(person.id)""#)
            let ok = try await t.send(.POST, "/api/v1/eligibility/evaluate", token: token, body: named, contentType: "application/json")
            #expect(ok.status == .ok)
            #expect(try await t.auditEntries().filter { $0.event.personID?.uuidString.lowercased() == person.id }.map(\.event.action) == [.create, .read])
            let unknown = body("[]", extra: #","personId":"\#(UUID().uuidString)""#)
            let refused = try await t.send(.POST, "/api/v1/eligibility/evaluate", token: token, body: unknown, contentType: "application/json")
            #expect(refused.status == .unprocessableEntity)
        }
    }
}
