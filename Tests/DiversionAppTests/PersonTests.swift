import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

@Suite("People through the API")
struct PersonTests {
    let ana = PersonInput(givenName: "Ana", familyName: "Núñez", birthDate: "2010-03-04", sex: "female",
                          genderIdentity: "woman", nationality: "MEX", preferredLanguage: "es-MX", flags: ["caring_for_children"])

    @Test(arguments: caseworkUsers)
    func caseworkRolesRegisterAPersonAndGetItBack(user: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token(user)
            let created = try await t.send(.POST, "/api/v1/persons", token: token, json: ana)
            #expect(created.status == .created)
            let person = try created.json(PersonController.PersonResponse.self)
            #expect(created.headers.first(name: .location) == "/api/v1/persons/\(person.id)")
            #expect(person.givenName == "Ana")
            #expect(person.birthDate == "2010-03-04")
            #expect(person.flags == ["caring_for_children"])
            #expect(person.minor) // 16 on the test clock's date
            #expect(person.id == person.id.lowercased())

            let read = try await t.send(.GET, "/api/v1/persons/\(person.id)", token: token)
            #expect(read.status == .ok)
            #expect(try read.json(PersonController.PersonResponse.self).familyName == "Núñez")
        }
    }

    @Test func creatingAndReadingAreAuditedWithThePersonAndPurpose() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let person = try await t.send(.POST, "/api/v1/persons", token: token, json: ana).json(PersonController.PersonResponse.self)
            let id = try #require(UUID(uuidString: person.id))
            try await t.send(.GET, "/api/v1/persons/\(person.id)", token: token, headers: [("X-Purpose", "screening at contact")])
            let entries = try await t.auditEntries().filter { $0.event.personID == id }
            #expect(entries.map(\.event.action) == [.create, .read])
            #expect(entries.last?.event.purpose == "screening at contact")
            #expect(entries.allSatisfy { $0.event.username == "officer" && $0.event.requestID != nil && $0.event.agencyID != nil })
            #expect(try await AuditLedger().verify(on: t.app.db) == .intact(entries: Int64(try await AuditLedger().count(on: t.app.db))))
        }
    }

    @Test(arguments: [
        (#"{"givenName":"","familyName":"Silva","birthDate":"1990-01-01","sex":"male"}"#, "givenName"),
        (#"{"givenName":"Ana","familyName":"Silva","birthDate":"2999-01-01","sex":"male"}"#, "birthDate"),
        (#"{"givenName":"Ana","familyName":"Silva","birthDate":"1990-01-01","sex":"maybe"}"#, "sex"),
        (#"{"givenName":"Ana","familyName":"Silva","birthDate":"1990-01-01","sex":"male","nationality":"Mexico"}"#, "nationality"),
        (#"{"givenName":"Ana","familyName":"Silva","birthDate":"1990-01-01","sex":"male","preferredLanguage":"??"}"#, "preferredLanguage"),
        (#"{"givenName":"Ana","familyName":"Silva","birthDate":"1990-01-01","sex":"male","flags":["junk"]}"#, "flags[0]"),
        (#"{"givenName":7,"familyName":"Silva","birthDate":"1990-01-01","sex":"male"}"#, "givenName"),
        (#"{"givenName":"Ana","familyName":"Silva","birthDate":"1990-01-01","sex":"male","flags":"homeless"}"#, "flags"),
        (#"{"givenName":"Ana","familyName":"Silva","birthDate":"1990-01-01","sex":"male","flags":[3]}"#, "flags[0]"),
    ])
    func badInputIs422NamingTheField(body: String, field: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let response = try await t.send(.POST, "/api/v1/persons", token: token, body: body, contentType: "application/json")
            #expect(response.status == .unprocessableEntity)
            #expect(try response.problem().errors?.map(\.field) == [field])
            #expect(try await PersonModel.query(on: t.app.db).count() == 36) // only the demo people
        }
    }

    @Test func anOversizedBodyIs413() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let huge = #"{"givenName":""# + String(repeating: "a", count: 400_000) + #""}"#
            let response = try await t.send(.POST, "/api/v1/persons", token: token, body: huge, contentType: "application/json", overTheNetwork: true)
            #expect(response.status == .payloadTooLarge)
        }
    }

    @Test(arguments: nonCaseworkUsers)
    func analystsAndAdministratorsAreRefusedPeople(user: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token(user)
            let create = try await t.send(.POST, "/api/v1/persons", token: token, json: ana)
            #expect(create.status == .forbidden)
            #expect(try create.problem().detail.contains("may not create person records"))
            let demo = try #require(try await PersonModel.query(on: t.app.db).first()?.id)
            #expect(try await t.send(.GET, "/api/v1/persons/\(demo.uuidString)", token: token).status == .forbidden)
            #expect(try await t.send(.GET, "/api/v1/persons?q=a", token: token).status == .forbidden)
            #expect(try await t.auditEntries().allSatisfy { $0.event.personID == nil || $0.event.username == "demo-seed" })
        }
    }

    @Test func withoutATokenPeopleAre401() async throws {
        try await TestApp.run { t in
            let create = try await t.send(.POST, "/api/v1/persons", json: ana)
            let read = try await t.send(.GET, "/api/v1/persons/\(UUID().uuidString)")
            let search = try await t.send(.GET, "/api/v1/persons?q=ana")
            #expect([create.status, read.status, search.status] == [.unauthorized, .unauthorized, .unauthorized])
        }
    }

    @Test func anUnknownIdIs404AndAMalformedOneIs422() async throws {
        try await TestApp.run { t in
            let token = try await t.token("judge")
            let unknown = try await t.send(.GET, "/api/v1/persons/\(UUID().uuidString)", token: token)
            #expect(unknown.status == .notFound)
            #expect(try unknown.problem().status == 404)
            let malformed = try await t.send(.GET, "/api/v1/persons/12345", token: token)
            #expect(malformed.status == .unprocessableEntity)
            #expect(try malformed.problem().errors?.first?.field == "id")
        }
    }

    @Test func searchFindsByNamePrefixAndBirthDateAndAuditsEachResult() async throws {
        try await TestApp.run { t in
            let token = try await t.token("provider")
            try await t.send(.POST, "/api/v1/persons", token: token, json: ana)
            let found = try await t.send(.GET, "/api/v1/persons?q=nun%20an", token: token)
            #expect(found.status == .ok)
            let items = try found.json(PersonController.PersonList.self).items
            #expect(items.map(\.givenName) == ["Ana"])
            let byDate = try await t.send(.GET, "/api/v1/persons?birthDate=2010-03-04", token: token).json(PersonController.PersonList.self)
            #expect(byDate.items.contains { $0.familyName == "Núñez" })
            let searches = try await t.auditEntries().filter { $0.event.action == .search }
            #expect(searches.count == 1 + byDate.items.count)
        }
    }

    @Test(arguments: ["/api/v1/persons", "/api/v1/persons?q=", "/api/v1/persons?q=ana&limit=0", "/api/v1/persons?q=ana&limit=x", "/api/v1/persons?birthDate=1990-02-31"])
    func aSearchWithoutUsableCriteriaIs422(path: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let response = try await t.send(.GET, path, token: token)
            #expect(response.status == .unprocessableEntity)
            #expect(try response.problem().errors?.isEmpty == false)
        }
    }

    @Test func aPurposeLongerThan200CharactersIs422() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let response = try await t.send(.GET, "/api/v1/persons?q=ana", token: token, headers: [("X-Purpose", String(repeating: "p", count: 201))])
            #expect(response.status == .unprocessableEntity)
            #expect(try response.problem().errors?.first?.field == "X-Purpose")
        }
    }
}

@Suite("Bodies that are not what the API expects")
struct OddBodyTests {
    @Test(arguments: ["/api/v1/auth/token", "/api/v1/persons"])
    func aNullBodyNamesTheBody(path: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let response = try await t.send(.POST, path, token: token, body: "null", contentType: "application/json")
            #expect(response.status == .unprocessableEntity)
            #expect(try response.problem().errors?.first?.field == "body")
        }
    }

    @Test func anEmptyBodyIs400() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let response = try await t.send(.POST, "/api/v1/persons", token: token, body: "", contentType: "application/json")
            #expect(response.status == .badRequest)
            #expect(try response.problem().detail.contains("empty"))
        }
    }

    @Test func aStringWhereAListBelongsIsCalledAList() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let body = #"{"givenName":"Ana","familyName":"Silva","birthDate":"1990-01-01","sex":"male","flags":"homeless"}"#
            let response = try await t.send(.POST, "/api/v1/persons", token: token, body: body, contentType: "application/json")
            #expect(try response.problem().errors?.first?.reason == "Expected a list.")
        }
    }
}
