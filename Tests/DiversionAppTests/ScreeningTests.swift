import DiversionCore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

@Suite("Scoring screenings through the API")
struct ScreeningAPITests {
    let cannabis = #"{"instrument":"assist","answers":{"cannabis":{"q1":true,"q2":3,"q3":2,"q4":1,"q5":0,"q6":1,"q7":0}}}"#

    @Test(arguments: ["officer", "provider"])
    func officersAndProvidersScoreAnASSIST(user: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token(user)
            let response = try await t.send(.POST, "/api/v1/screenings/score", token: token, body: cannabis, contentType: "application/json")
            #expect(response.status == .ok)
            let result = try response.json(ScreeningController.ScoreResponse.self)
            #expect(result.instrument == "assist")
            #expect(result.version == "3.1")
            #expect(result.score == 18)
            #expect(result.level == "moderate")
            #expect(result.substances?.first?.substance == "cannabis")
        }
    }

    @Test func auditCUsesTheSexGiven() async throws {
        try await TestApp.run { t in
            let token = try await t.token("provider")
            let body = #"{"instrument":"auditc","answers":[1,1,1],"sex":"female"}"#
            let result = try await t.send(.POST, "/api/v1/screenings/score", token: token, body: body, contentType: "application/json")
                .json(ScreeningController.ScoreResponse.self)
            #expect(result.level == "positive")
            #expect(result.substances == nil)
        }
    }

    @Test(arguments: [
        (#"{"instrument":"assist","answers":{"cannabis":{"q1":true,"q2":0,"q3":2,"q6":0,"q7":0}}}"#, ["answers.cannabis.q3"]),
        (#"{"instrument":"dast10","answers":[true,false]}"#, ["answers"]),
        (#"{"instrument":"audit","answers":[0,0,0,0,0,0,0,0,3,0]}"#, ["answers[8]"]),
        (#"{"instrument":"tcu","answers":[]}"#, ["instrument"]),
        (#"{"instrument":"auditc","answers":[1,1,1],"sex":"f"}"#, ["sex"]),
        (#"{"instrument":"crafft"}"#, ["answers"]),
        (#"{"answers":[1]}"#, ["instrument"]),
    ])
    func impossibleAnswersAre422NamingTheItem(body: String, fields: [String]) async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let response = try await t.send(.POST, "/api/v1/screenings/score", token: token, body: body, contentType: "application/json")
            #expect(response.status == .unprocessableEntity)
            #expect(try response.problem().errors?.map(\.field) == fields)
        }
    }

    @Test(arguments: ["judge", "prosecutor", "supervisor", "analyst", "admin"])
    func otherRolesAreRefused(user: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token(user)
            let response = try await t.send(.POST, "/api/v1/screenings/score", token: token, body: cannabis, contentType: "application/json")
            #expect(response.status == .forbidden)
            #expect(try response.problem().detail.contains("may not evaluate screenings"))
        }
    }

    @Test func withoutATokenScoringIs401() async throws {
        try await TestApp.run { t in
            let response = try await t.send(.POST, "/api/v1/screenings/score", body: cannabis, contentType: "application/json")
            #expect(response.status == .unauthorized)
        }
    }

    @Test func aBodyThatIsNotJSONIsRefused() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let broken = try await t.send(.POST, "/api/v1/screenings/score", token: token, body: "{", contentType: "application/json")
            #expect(broken.status == .badRequest)
            let form = try await t.send(.POST, "/api/v1/screenings/score", token: token, body: "a=1", contentType: "application/x-www-form-urlencoded")
            #expect(form.status == .unsupportedMediaType)
        }
    }
}
