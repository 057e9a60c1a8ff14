import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

@Suite("Cases and decisions on measures through the API")
struct CaseAPITests {
    static func person(_ t: TestApp, birthDate: String = "1990-05-06") async throws -> String {
        let token = try await t.token("officer")
        return try await t.send(.POST, "/api/v1/persons", token: token, json: [
            "givenName": "Ana", "familyName": "Costa", "birthDate": birthDate, "sex": "female",
        ]).json(PersonController.PersonResponse.self).id
    }

    static func openCase(_ t: TestApp, _ token: String, personId: String) async throws -> CaseResponse {
        let response = try await t.send(.POST, "/api/v1/cases", token: token, json: ["personId": personId])
        try #require(response.status == .created, "opening a case answered \(response.status)")
        return try response.json(CaseResponse.self)
    }

    static func decision(stage: String = "pre_trial", type: String = "deferred_prosecution", consent: Bool? = true, extra: String = "") -> String {
        let consentJSON = consent.map { #","consent":{"given":\#($0),"method":"signed_paper"}"# } ?? ""
        return #"{"stage":"\#(stage)","measures":[{"type":"\#(type)","start":"2026-12-01","plannedEnd":"2027-06-01","conditions":[{"type":"drug_testing","parameters":{"minimumPerWeek":2,"windowHours":8,"specimen":"urine"}},{"type":"attend_treatment","parameters":{"sessionsPerWeek":1}}\#(extra)]}],"proportionality":{"gravity":"Possession of 30 g cannabis herb, no violence.","circumstances":"Works part time, first contact, cares for a parent.","reasons":"Treatment and testing address the cause; prosecution would cost the job."}\#(consentJSON)}"#
    }

    @Test func aProsecutorOpensACaseAndDecidesWithConsent() async throws {
        try await TestApp.run { t in
            let personId = try await Self.person(t)
            let token = try await t.token("prosecutor")
            let opened = try await Self.openCase(t, token, personId: personId)
            #expect(opened.stage == "pre_trial")
            let response = try await t.send(.POST, "/api/v1/cases/\(opened.id)/decisions", token: token, body: Self.decision(), contentType: "application/json")
            #expect(response.status == .created)
            let decided = try response.json(CaseResponse.self)
            #expect(decided.decisions.count == 1)
            #expect(decided.decisions[0].measures[0].type == "deferred_prosecution")
            #expect(decided.decisions[0].consent?.given == true)
            let entries = try await t.auditEntries().filter { $0.event.resourceType == "case_decision" }
            #expect(entries.count == 1)
            #expect(entries.first?.event.personID?.uuidString.lowercased() == personId)
        }
    }

    @Test func missingConsentBeforeTrialIs422() async throws {
        try await TestApp.run { t in
            let personId = try await Self.person(t)
            let token = try await t.token("prosecutor")
            let opened = try await Self.openCase(t, token, personId: personId)
            let response = try await t.send(.POST, "/api/v1/cases/\(opened.id)/decisions", token: token, body: Self.decision(consent: nil), contentType: "application/json")
            #expect(response.status == .unprocessableEntity)
            #expect(response.text.contains("Tokyo Rule 3.4"))
        }
    }

    @Test func aMeasureThePolicyDoesNotAllowIs403NamingTheRule() async throws {
        try await TestApp.run { t in
            let personId = try await Self.person(t)
            let token = try await t.token("prosecutor")
            let opened = try await Self.openCase(t, token, personId: personId)
            let response = try await t.send(.POST, "/api/v1/cases/\(opened.id)/decisions", token: token, body: Self.decision(type: "probation"), contentType: "application/json")
            #expect(response.status == .forbidden)
            #expect(response.text.contains("does not let the prosecution order probation at the pre-trial stage"))
        }
    }

    @Test func aNewDecisionSupersedesAndTheHistoryShowsBoth() async throws {
        try await TestApp.run { t in
            let personId = try await Self.person(t)
            let prosecutor = try await t.token("prosecutor")
            let opened = try await Self.openCase(t, prosecutor, personId: personId)
            _ = try await t.send(.POST, "/api/v1/cases/\(opened.id)/decisions", token: prosecutor, body: Self.decision(), contentType: "application/json")
            let second = try await t.send(.POST, "/api/v1/cases/\(opened.id)/decisions", token: prosecutor, body: Self.decision(type: "conditional_dismissal"), contentType: "application/json")
            #expect(second.status == .created)
            let judge = try await t.token("judge")
            let sentenced = try await t.send(.POST, "/api/v1/cases/\(opened.id)/decisions", token: judge, body: Self.decision(stage: "sentencing", type: "community_service", consent: nil), contentType: "application/json")
            #expect(sentenced.status == .created)
            let shown = try await t.send(.GET, "/api/v1/cases/\(opened.id)", token: judge).json(CaseResponse.self)
            #expect(shown.stage == "sentencing")
            #expect(shown.decisions.count == 3)
            #expect(shown.decisions[0].current == false && shown.decisions[0].supersededBy == shown.decisions[1].id)
            #expect(shown.decisions[1].supersedes == shown.decisions[0].id && shown.decisions[1].current)
            #expect(shown.decisions[2].current && shown.decisions[2].supersedes == nil)
            let back = try await t.send(.POST, "/api/v1/cases/\(opened.id)/decisions", token: prosecutor, body: Self.decision(), contentType: "application/json")
            #expect(back.status == .conflict)
        }
    }

    @Test func rolesOutsideProsecutionAndCourtAreRefused() async throws {
        try await TestApp.run { t in
            let personId = try await Self.person(t)
            let prosecutor = try await t.token("prosecutor")
            let opened = try await Self.openCase(t, prosecutor, personId: personId)
            for user in ["officer", "provider", "analyst", "admin", "supervisor"] {
                let token = try await t.token(user)
                let decided = try await t.send(.POST, "/api/v1/cases/\(opened.id)/decisions", token: token, body: Self.decision(), contentType: "application/json")
                #expect(decided.status == .forbidden, "\(user)")
                let opening = try await t.send(.POST, "/api/v1/cases", token: token, json: ["personId": personId])
                #expect(opening.status == .forbidden, "\(user)")
            }
            let supervisor = try await t.token("supervisor")
            #expect(try await t.send(.GET, "/api/v1/cases/\(opened.id)", token: supervisor).status == .ok)
            #expect(try await t.send(.GET, "/api/v1/cases/\(opened.id)").status == .unauthorized)
        }
    }

    @Test func badInputIsNamed() async throws {
        try await TestApp.run { t in
            let personId = try await Self.person(t)
            let token = try await t.token("judge")
            let opened = try await Self.openCase(t, token, personId: personId)
            let cases: [(String, String)] = [
                (#"{"stage":"appeal","measures":[]}"#, "stage"),
                (#"{"stage":"sentencing","measures":[{"type":"flogging","start":"2026-12-01"}]}"#, "measures[0].type"),
                (Self.decision(stage: "sentencing", type: "probation", consent: nil, extra: #",{"type":"payment","parameters":{"amount":-5,"currency":"EUR"}}"#), "measures[0].conditions[2].amount"),
            ]
            for (body, field) in cases {
                let response = try await t.send(.POST, "/api/v1/cases/\(opened.id)/decisions", token: token, body: body, contentType: "application/json")
                #expect(response.status == .unprocessableEntity, "\(field)")
                #expect(response.text.contains(#""field":"\#(field)""#), "\(field): \(response.text)")
            }
            #expect(try await t.send(.POST, "/api/v1/cases", token: token, json: ["personId": UUID().uuidString]).status == .unprocessableEntity)
            #expect(try await t.send(.GET, "/api/v1/cases/\(UUID().uuidString)", token: token).status == .notFound)
            #expect(try await t.send(.GET, "/api/v1/cases?personId=\(personId)", token: token).json(CaseController.CaseList.self).items.count == 1)
        }
    }
}
