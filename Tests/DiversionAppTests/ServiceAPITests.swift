import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

extension TestApp {
    /// The directory as `token`'s user reads it.
    func directory(_ token: String, query: String = "") async throws -> [ServiceResponse] {
        let response = try await send(.GET, "/api/v1/services\(query)", token: token)
        try #require(response.status == .ok, "the directory answered \(response.status)")
        return try response.json(ServiceController.ServiceList.self).items
    }

    /// A demo service by its name.
    func service(named name: String) async throws -> ServiceResponse {
        let token = try await token("analyst")
        return try #require(try await directory(token).first { $0.name == name }, "no service \(name)")
    }
}

/// A new service as an administrator submits it; `change` edits the JSON object before it is sent.
func serviceBody(agencyId: String, _ change: (inout [String: Any]) -> Void = { _ in }) throws -> String {
    var object: [String: Any] = [
        "agencyId": agencyId, "name": "R1 Night Clinic", "organisationType": "health", "modalities": ["outpatient", "brief_intervention"],
        "sexes": ["female", "male", "other", "unknown"], "minAge": 18, "maxAge": 99, "languages": ["en", "uk"], "region": "R1",
        "latitude": 38.73, "longitude": -9.15, "capacity": 30, "load": 4, "waitlistDays": 1, "phone": "+000 100 3000",
        "email": "night@clinic.example", "address": "1 Night Street",
    ]
    change(&object)
    return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}

@Suite("The service directory through the API")
struct ServiceAPITests {
    @Test(arguments: Role.allCases)
    func everyRoleReadsTheDirectory(role: Role) async throws {
        try await TestApp.run { t in
            let token = try await t.token(role.rawValue)
            let items = try await t.directory(token)
            #expect(items.count == 30)
            #expect(items.map(\.name) == items.map(\.name).sorted())
            let intensive = try #require(items.first { $0.name == "R1 Intensive Day Programme" })
            #expect(intensive.full)
            #expect(intensive.capacity == 25 && intensive.load == 25 && intensive.waitlistDays == 21)
            #expect(intensive.modalities == ["intensive_outpatient", "outpatient", "mental_health"])
            let women = try #require(items.first { $0.name == "R2 Women's Recovery Service" })
            #expect(women.sexes == ["female"])
            #expect(!women.full)
        }
    }

    @Test func theDirectoryNarrowsToARegionOrAnAgency() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let r2 = try await t.directory(token, query: "?region=R2")
            #expect(r2.count == 10)
            #expect(r2.allSatisfy { $0.region == "R2" })
            #expect(try await t.directory(token, query: "?region=R9").isEmpty)

            let centre = try await t.agencyID("R1 Community Treatment Centre")
            let health = try await t.directory(token, query: "?agencyId=\(centre)")
            #expect(health.map(\.name) == [
                "R1 Intensive Day Programme", "R1 Opioid Agonist Treatment Unit", "R1 Outpatient Clinic", "R1 Residential Recovery House",
                "R1 Women's Recovery Service", "R1 Youth Counselling Service",
            ])
            #expect(health.allSatisfy { $0.agencyId == centre })
            let social = try await t.agencyID("R1 Social Support Service")
            #expect(try await t.directory(token, query: "?agencyId=\(social)&region=R1").count == 4)

            let malformed = try await t.send(.GET, "/api/v1/services?agencyId=abc", token: token)
            #expect(malformed.status == .unprocessableEntity)
            #expect(try malformed.problem().errors?.map(\.field) == ["agencyId"])
        }
    }

    @Test func oneServiceIsReadByIdAndAnUnknownOneIs404() async throws {
        try await TestApp.run { t in
            let token = try await t.token("provider")
            let listed = try await t.service(named: "R3 Harm Reduction Drop-in")
            let read = try await t.send(.GET, "/api/v1/services/\(listed.id)", token: token)
            #expect(read.status == .ok)
            let service = try read.json(ServiceResponse.self)
            #expect(service.name == "R3 Harm Reduction Drop-in")
            #expect(service.organisationType == "harm_reduction")
            #expect(service.minAge == 16 && service.maxAge == 120)
            #expect(service.languages == ["en", "es", "pt", "uk", "ar"])
            #expect(service.acceptsJusticeReferrals)
            let unknown = try await t.send(.GET, "/api/v1/services/\(UUID().uuidString)", token: token)
            #expect(unknown.status == .notFound)
            let malformed = try await t.send(.GET, "/api/v1/services/R3", token: token)
            #expect(malformed.status == .unprocessableEntity)
            #expect(try malformed.problem().errors?.map(\.field) == ["id"])
        }
    }

    @Test func anAdministratorAddsAServiceThatIsAuditedAndListed() async throws {
        try await TestApp.run { t in
            let token = try await t.token("admin")
            let centre = try await t.agencyID("R1 Community Treatment Centre")
            let created = try await t.send(.POST, "/api/v1/services", token: token, body: try serviceBody(agencyId: centre), contentType: "application/json")
            #expect(created.status == .created)
            let service = try created.json(ServiceResponse.self)
            #expect(created.headers.first(name: .location) == "/api/v1/services/\(service.id)")
            #expect(service.agencyId == centre)
            #expect(service.name == "R1 Night Clinic")
            #expect(service.modalities == ["outpatient", "brief_intervention"])
            #expect(service.maxAge == 99)
            #expect(service.capacity == 30 && service.load == 4 && !service.full)
            #expect(service.servesPregnantWomen && service.acceptsJusticeReferrals) // the defaults
            #expect(service.capacityUpdatedAt == t.clock.now.formatted(.iso8601))
            let read = try await t.send(.GET, "/api/v1/services/\(service.id)", token: token).json(ServiceResponse.self)
            #expect(read.email == "night@clinic.example")
            #expect(try await t.directory(token, query: "?region=R1").count == 11)
            let entries = try await t.auditEntries().filter { $0.event.resourceType == "service" && $0.event.username == "admin" }
            #expect(entries.map(\.event.action) == [.create])
            #expect(entries.first?.event.resourceID == service.id)
            #expect(entries.first?.event.personID == nil)
        }
    }

    @Test(arguments: [
        ("agency missing", ["agencyId"]),
        ("agency malformed", ["agencyId"]),
        ("agency unknown", ["agencyId"]),
        ("police agency", ["agencyId"]),
        ("no name", ["name"]),
        ("unknown modality", ["modalities[1]"]),
        ("no languages", ["languages"]),
        ("bad language", ["languages[0]"]),
        ("ages reversed", ["maxAge"]),
        ("no capacity", ["capacity"]),
        ("capacity not a number", ["capacity"]),
        ("negative load", ["load"]),
        ("bad email", ["email"]),
        ("unknown organisation type", ["organisationType"]),
        ("latitude alone", ["longitude"]),
    ])
    func aWrongServiceIs422NamingTheFieldAndAddsNothing(problem: String, fields: [String]) async throws {
        try await TestApp.run { t in
            let token = try await t.token("admin")
            let centre = try await t.agencyID("R1 Community Treatment Centre")
            let police = try await t.agencyID("R1 Police Service")
            let body = try serviceBody(agencyId: centre) { o in
                switch problem {
                case "agency missing": o["agencyId"] = nil
                case "agency malformed": o["agencyId"] = "centre"
                case "agency unknown": o["agencyId"] = UUID().uuidString
                case "police agency": o["agencyId"] = police
                case "no name": o["name"] = " "
                case "unknown modality": o["modalities"] = ["outpatient", "yoga"]
                case "no languages": o["languages"] = [String]()
                case "bad language": o["languages"] = ["english language"]
                case "ages reversed": o["minAge"] = 30; o["maxAge"] = 20
                case "no capacity": o["capacity"] = nil
                case "capacity not a number": o["capacity"] = "many"
                case "negative load": o["load"] = -3
                case "bad email": o["email"] = "night clinic"
                case "unknown organisation type": o["organisationType"] = "hospital"
                case "latitude alone": o["longitude"] = nil
                default: Issue.record("unknown problem \(problem)")
                }
            }
            let response = try await t.send(.POST, "/api/v1/services", token: token, body: body, contentType: "application/json")
            #expect(response.status == .unprocessableEntity)
            #expect(try response.problem().errors?.map(\.field) == fields)
            #expect(try await t.directory(token).count == 30)
        }
    }

    @Test(arguments: ["officer", "prosecutor", "judge", "provider", "supervisor", "analyst"])
    func onlyAdministratorsAddServices(user: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token(user)
            let centre = try await t.agencyID("R1 Community Treatment Centre")
            let response = try await t.send(.POST, "/api/v1/services", token: token, body: try serviceBody(agencyId: centre), contentType: "application/json")
            #expect(response.status == .forbidden)
            #expect(try response.problem().detail.contains("may not create the service directory"))
            #expect(try await t.directory(token).count == 30)
        }
    }

    @Test func withoutATokenTheDirectoryIs401() async throws {
        try await TestApp.run { t in
            let id = UUID().uuidString
            let list = try await t.send(.GET, "/api/v1/services")
            let read = try await t.send(.GET, "/api/v1/services/\(id)")
            let create = try await t.send(.POST, "/api/v1/services", body: try serviceBody(agencyId: id), contentType: "application/json")
            let capacity = try await t.send(.PUT, "/api/v1/services/\(id)/capacity", json: ["load": 1])
            #expect([list.status, read.status, create.status, capacity.status] == [.unauthorized, .unauthorized, .unauthorized, .unauthorized])
        }
    }

    @Test func aProviderKeepsTheirOwnServicesCapacityCurrent() async throws {
        try await TestApp.run { t in
            let token = try await t.token("provider")
            let clinic = try await t.service(named: "R1 Outpatient Clinic")
            #expect(!clinic.full)
            t.clock.advance(3600)
            let response = try await t.send(.PUT, "/api/v1/services/\(clinic.id)/capacity", token: token, json: ["load": 60])
            #expect(response.status == .ok)
            let updated = try response.json(ServiceResponse.self)
            #expect(updated.capacity == 60 && updated.load == 60 && updated.waitlistDays == 3) // what was not given is kept
            #expect(updated.full)
            #expect(updated.capacityUpdatedAt == t.clock.now.formatted(.iso8601))
            let read = try await t.send(.GET, "/api/v1/services/\(clinic.id)", token: token).json(ServiceResponse.self)
            #expect(read.load == 60 && read.full)

            let reopened = try await t.send(.PUT, "/api/v1/services/\(clinic.id)/capacity", token: token, json: ["capacity": 80, "load": 61, "waitlistDays": 0])
                .json(ServiceResponse.self)
            #expect(reopened.capacity == 80 && reopened.load == 61 && reopened.waitlistDays == 0 && !reopened.full)
            let entries = try await t.auditEntries().filter { $0.event.resourceType == "service" && $0.event.action == .update }
            #expect(entries.count == 2)
            #expect(entries.allSatisfy { $0.event.username == "provider" && $0.event.resourceID == clinic.id })
        }
    }

    @Test func anAdministratorCorrectsAnyServicesCapacity() async throws {
        try await TestApp.run { t in
            let token = try await t.token("admin")
            let house = try await t.service(named: "R3 Housing First Team")
            let response = try await t.send(.PUT, "/api/v1/services/\(house.id)/capacity", token: token, json: ["capacity": 40])
            #expect(response.status == .ok)
            let updated = try response.json(ServiceResponse.self)
            #expect(updated.capacity == 40 && updated.load == 35 && !updated.full)
        }
    }

    @Test(arguments: [
        ("provider", "R2 Outpatient Clinic"),             // a treatment centre in another region
        ("provider", "R1 Harm Reduction Drop-in"),        // the social support service of the same region
        ("officer", "R1 Outpatient Clinic"),              // the police never keep capacity
        ("analyst", "R1 Outpatient Clinic"),
        ("prosecutor", "R1 Outpatient Clinic"),
    ])
    func nobodyElseUpdatesAServicesCapacity(user: String, serviceName: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token(user)
            let service = try await t.service(named: serviceName)
            let response = try await t.send(.PUT, "/api/v1/services/\(service.id)/capacity", token: token, json: ["load": 0, "capacity": 999])
            #expect(response.status == .forbidden)
            let after = try await t.service(named: serviceName)
            #expect(after.load == service.load && after.capacity == service.capacity)
            #expect(try await t.auditEntries().filter { $0.event.resourceType == "service" && $0.event.action == .update }.isEmpty)
        }
    }

    @Test(arguments: [
        (#"{"load":-1}"#, ["load"]),
        (#"{"capacity":100001}"#, ["capacity"]),
        (#"{"waitlistDays":731}"#, ["waitlistDays"]),
        (#"{"capacity":-5,"waitlistDays":-1}"#, ["capacity", "waitlistDays"]),
        (#"{"load":"full"}"#, ["load"]),
    ])
    func aWrongCapacityIs422NamingTheFigure(body: String, fields: [String]) async throws {
        try await TestApp.run { t in
            let token = try await t.token("provider")
            let clinic = try await t.service(named: "R1 Outpatient Clinic")
            let response = try await t.send(.PUT, "/api/v1/services/\(clinic.id)/capacity", token: token, body: body, contentType: "application/json")
            #expect(response.status == .unprocessableEntity)
            #expect(try response.problem().errors?.map(\.field) == fields)
            #expect(try await t.service(named: "R1 Outpatient Clinic").load == 41)
        }
    }

    @Test func theCapacityOfAnUnknownServiceIs404() async throws {
        try await TestApp.run { t in
            let token = try await t.token("provider")
            let response = try await t.send(.PUT, "/api/v1/services/\(UUID().uuidString)/capacity", token: token, json: ["load": 1])
            #expect(response.status == .notFound)
            #expect(try response.problem().status == 404)
        }
    }

    @Test func aServiceThatFillsUpIsStillSuggestedButWithAWarningAndBelowOpenOnes() async throws {
        try await TestApp.run { t in
            let provider = try await t.token("provider")
            let clinic = try await t.service(named: "R1 Outpatient Clinic")
            try await t.send(.PUT, "/api/v1/services/\(clinic.id)/capacity", token: provider, json: ["load": 60])
            let officer = try await t.token("officer")
            let body = #"{"person":{"birthDate":"1986-05-01","sex":"male","preferredLanguage":"en"},"needs":["mental_health"],"region":"R1"}"#
            let response = try await t.send(.POST, "/api/v1/referrals/suggestions", token: officer, body: body, contentType: "application/json")
            #expect(response.status == .ok)
            let suggestions = try response.json(ReferralController.SuggestionResponse.self).suggestions
            let full = try #require(suggestions.first { $0.name == "R1 Outpatient Clinic" })
            #expect(full.warnings.contains("Full: 60 of 60 places taken; waiting list about 3 days."))
            let open = suggestions.filter { !$0.warnings.contains { $0.hasPrefix("Full:") } }
            #expect(!open.isEmpty)
            #expect(open.allSatisfy { $0.rank < full.rank })
        }
    }
}

@Suite("Correcting a service's description")
struct ServiceReplaceTests {
    @Test func anAdministratorCorrectsAServiceAndTheAgencyStays() async throws {
        try await TestApp.run { t in
            let clinic = try await t.service(named: "R1 Outpatient Clinic")
            let admin = try await t.token("admin")
            let body = try serviceBody(agencyId: UUID().uuidString) { $0["name"] = "R1 Outpatient and Evening Clinic"; $0["waitlistDays"] = 2 }
            let response = try await t.send(.PUT, "/api/v1/services/\(clinic.id)", token: admin, body: body, contentType: "application/json")
            #expect(response.status == .ok)
            let updated = try response.json(ServiceResponse.self)
            #expect(updated.name == "R1 Outpatient and Evening Clinic")
            #expect(updated.agencyId == clinic.agencyId)
            #expect(updated.waitlistDays == 2)
        }
    }

    @Test func onlyAdministratorsCorrectServices() async throws {
        try await TestApp.run { t in
            let clinic = try await t.service(named: "R1 Outpatient Clinic")
            let body = try serviceBody(agencyId: clinic.agencyId)
            for user in ["provider", "officer", "analyst"] {
                let token = try await t.token(user)
                let response = try await t.send(.PUT, "/api/v1/services/\(clinic.id)", token: token, body: body, contentType: "application/json")
                #expect(response.status == .forbidden, "\(user)")
            }
            #expect(try await t.send(.PUT, "/api/v1/services/\(clinic.id)", body: body, contentType: "application/json").status == .unauthorized)
        }
    }

    @Test func unknownServicesAndBadDescriptionsAreRefused() async throws {
        try await TestApp.run { t in
            let clinic = try await t.service(named: "R1 Outpatient Clinic")
            let admin = try await t.token("admin")
            let good = try serviceBody(agencyId: clinic.agencyId)
            #expect(try await t.send(.PUT, "/api/v1/services/\(UUID().uuidString)", token: admin, body: good, contentType: "application/json").status == .notFound)
            let bad = try serviceBody(agencyId: clinic.agencyId) { $0["capacity"] = 1.5; $0["modalities"] = ["surgery"] }
            let response = try await t.send(.PUT, "/api/v1/services/\(clinic.id)", token: admin, body: bad, contentType: "application/json")
            #expect(response.status == .unprocessableEntity)
            #expect(response.text.contains("capacity"))
        }
    }
}
