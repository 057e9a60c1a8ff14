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

@Suite("Recording screenings for people")
struct RecordedScreeningTests {
    func person(_ t: TestApp, token: String, birthDate: String, sex: String = "female") async throws -> String {
        let body = PersonInput(givenName: "Ana", familyName: "Rocha", birthDate: birthDate, sex: sex)
        return try await t.send(.POST, "/api/v1/persons", token: token, json: body).json(PersonController.PersonResponse.self).id
    }

    @Test func aScreeningIsStoredWithItsVersionAndAuditedAgainstThePerson() async throws {
        try await TestApp.run { t in
            let token = try await t.token("provider")
            let personId = try await person(t, token: token, birthDate: "1990-05-01")
            let body = #"{"personId":"\#(personId)","instrument":"auditc","answers":[1,1,1]}"#
            let created = try await t.send(.POST, "/api/v1/screenings", token: token, body: body, contentType: "application/json")
            #expect(created.status == .created)
            let recorded = try created.json(ScreeningController.RecordedResponse.self)
            #expect(recorded.personId == personId)
            #expect(recorded.version == "1998")
            #expect(recorded.level == "positive") // the person's recorded sex, female, sets the cut-off at 3
            #expect(created.headers.first(name: .location) == "/api/v1/screenings/\(recorded.id)")

            let read = try await t.send(.GET, "/api/v1/screenings/\(recorded.id)", token: token)
            #expect(read.status == .ok)
            #expect(try read.json(ScreeningController.RecordedResponse.self).score == 3)
            let entries = try await t.auditEntries().filter { $0.event.resourceType == "screening" }
            #expect(entries.map(\.event.action) == [.create, .read])
            #expect(entries.allSatisfy { $0.event.personID?.uuidString.lowercased() == personId })
        }
    }

    @Test func assistSubstanceScoresSurviveStorage() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let personId = try await person(t, token: token, birthDate: "1985-01-01", sex: "male")
            let body = #"{"personId":"\#(personId)","instrument":"assist","answers":{"cannabis":{"q1":true,"q2":3,"q3":2,"q4":1,"q5":0,"q6":1,"q7":0}}}"#
            let recorded = try await t.send(.POST, "/api/v1/screenings", token: token, body: body, contentType: "application/json")
                .json(ScreeningController.RecordedResponse.self)
            let read = try await t.send(.GET, "/api/v1/screenings/\(recorded.id)", token: token).json(ScreeningController.RecordedResponse.self)
            #expect(read.substances?.first?.score == 18)
            #expect(read.substances?.first?.level == "moderate")
        }
    }

    @Test func minorsAreScreenedWithCRAFFT() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            // 16 on the test clock's date.
            let personId = try await person(t, token: token, birthDate: "2010-03-04")
            let assist = #"{"personId":"\#(personId)","instrument":"assist","answers":{}}"#
            let refused = try await t.send(.POST, "/api/v1/screenings", token: token, body: assist, contentType: "application/json")
            #expect(refused.status == .unprocessableEntity)
            #expect(try refused.problem().errors?.first?.field == "instrument")
            let crafft = #"{"personId":"\#(personId)","instrument":"crafft","answers":{"partA":{"alcoholDays":2,"cannabisDays":0,"otherDays":0},"partB":[false,true,true,false,false,false]}}"#
            let accepted = try await t.send(.POST, "/api/v1/screenings", token: token, body: crafft, contentType: "application/json")
            #expect(accepted.status == .created)
            #expect(try accepted.json(ScreeningController.RecordedResponse.self).level == "positive")
        }
    }

    @Test(arguments: [
        (#"{"personId":"not-a-uuid","instrument":"dast10","answers":[]}"#, "personId"),
        (#"{"personId":"3f2c9a1e-0000-4000-8000-000000000000","instrument":"dast10","answers":[true,true,true,true,true,true,true,true,true,true]}"#, "personId"),
    ])
    func anUnknownPersonIs422(body: String, field: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let response = try await t.send(.POST, "/api/v1/screenings", token: token, body: body, contentType: "application/json")
            #expect(response.status == .unprocessableEntity)
            #expect(try response.problem().errors?.map(\.field).contains(field) == true)
        }
    }

    @Test(arguments: ["judge", "prosecutor", "supervisor", "analyst", "admin"])
    func otherRolesNeitherRecordNorRead(user: String) async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let personId = try await person(t, token: officer, birthDate: "1985-01-01")
            let body = #"{"personId":"\#(personId)","instrument":"dast10","answers":[false,false,false,false,false,false,false,false,false,false]}"#
            let recorded = try await t.send(.POST, "/api/v1/screenings", token: officer, body: body, contentType: "application/json")
                .json(ScreeningController.RecordedResponse.self)
            let token = try await t.token(user)
            let create = try await t.send(.POST, "/api/v1/screenings", token: token, body: body, contentType: "application/json")
            let read = try await t.send(.GET, "/api/v1/screenings/\(recorded.id)", token: token)
            #expect([create.status, read.status] == [.forbidden, .forbidden])
        }
    }

    @Test func unknownOrMalformedIdsAndMissingTokensAreAnswered() async throws {
        try await TestApp.run { t in
            let token = try await t.token("provider")
            let unknown = try await t.send(.GET, "/api/v1/screenings/\(UUID().uuidString)", token: token)
            let malformed = try await t.send(.GET, "/api/v1/screenings/xyz", token: token)
            let anonymous = try await t.send(.GET, "/api/v1/screenings/\(UUID().uuidString)")
            #expect([unknown.status, malformed.status, anonymous.status] == [.notFound, .unprocessableEntity, .unauthorized])
        }
    }
}
