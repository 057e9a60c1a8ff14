import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

extension TestApp {
    /// The directory as HSDS JSON objects, read by `token`'s user.
    func hsdsExport(_ token: String) async throws -> [[String: Any]] {
        let response = try await send(.GET, "/api/v1/services/export.hsds.json", token: token)
        try #require(response.status == .ok, "the export answered \(response.status)")
        return try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]])
    }

    /// Posts `services` to the import, optionally for one agency.
    func hsdsImport(_ services: [[String: Any]], token: String, query: String = "") async throws -> TestingHTTPResponse {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: services), as: UTF8.self)
        return try await send(.POST, "/api/v1/services/import\(query)", token: token, body: body, contentType: "application/json")
    }

    /// Demo capacity is confirmed at the real time of seeding; the test clock must not be behind it.
    func catchUpWithTheRealClock() {
        let behind = Date().timeIntervalSince(clock.now)
        if behind > 0 { clock.advance(behind + 60) }
    }
}

@Suite("Service directory interchange over the API")
struct ServiceInterchangeAPITests {
    @Test func anyReaderOfTheDirectoryExportsItAsHSDS() async throws {
        try await TestApp.run { t in
            let response = try await t.send(.GET, "/api/v1/services/export.hsds.json", token: try await t.token("officer"))
            #expect(response.status == .ok)
            #expect(response.headers.contentType == .json)
            let services = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]])
            #expect(services.count == 30)
            #expect(services.allSatisfy { $0["status"] as? String == "active" && ($0["capacities"] as? [Any])?.count == 1 })
            let again = try await t.send(.GET, "/api/v1/services/export.hsds.json", token: try await t.token("analyst"))
            #expect(again.body == response.body)
        }
    }

    @Test func anAdministratorImportsAFileAndEachWriteIsAudited() async throws {
        try await TestApp.run { t in
            t.catchUpWithTheRealClock()
            let admin = try await t.token("admin")
            var services = try await t.hsdsExport(admin)
            var capacities = try #require(services[0]["capacities"] as? [[String: Any]])
            capacities[0]["available"] = 0
            services[0]["capacities"] = capacities
            var added = services[1]
            added["id"] = "5d0c5a7e-6c55-4d0d-9a4b-0b7f5c6d7e8f"
            added["name"] = "R1 Evening Clinic"
            services.append(added)
            let before = try await t.auditEntries().count
            let response = try await t.hsdsImport(services, token: admin)
            #expect(response.status == .ok, "\(response.text)")
            let outcome = try response.json(ServiceInterchangeController.ImportResponse.self)
            #expect((outcome.created, outcome.updated, outcome.unchanged) == (1, 1, 29))
            let written = try await t.auditEntries().dropFirst(before).filter { $0.event.resourceType == "service" }
            #expect(written.map(\.event.action) == [.update, .create])
            #expect(written.allSatisfy { $0.event.username == "admin" })
            let after = try await t.hsdsExport(admin)
            #expect(after.count == 31)
            #expect(after.contains { $0["name"] as? String == "R1 Evening Clinic" })
        }
    }

    @Test func theExportImportsBackUnchanged() async throws {
        try await TestApp.run { t in
            t.catchUpWithTheRealClock()
            let admin = try await t.token("admin")
            let response = try await t.hsdsImport(try await t.hsdsExport(admin), token: admin)
            let outcome = try response.json(ServiceInterchangeController.ImportResponse.self)
            #expect((outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 30))
        }
    }

    @Test func aBadFileIsRefusedWithEveryProblemAndChangesNothing() async throws {
        try await TestApp.run { t in
            t.catchUpWithTheRealClock()
            let admin = try await t.token("admin")
            let before = try await t.send(.GET, "/api/v1/services/export.hsds.json", token: admin)
            var services = try await t.hsdsExport(admin)
            services[2]["minimum_age"] = -1
            services[4]["organization"] = ["name": "Nobody"]
            services[4]["organization_id"] = nil
            var added = services[0]
            added["id"] = "5d0c5a7e-6c55-4d0d-9a4b-0b7f5c6d7e8f"
            services.append(added)
            let response = try await t.hsdsImport(services, token: admin)
            #expect(response.status == .unprocessableEntity)
            let problem = try response.problem()
            #expect(problem.errors?.map(\.field) == ["services[2].minimum_age", "services[4].organization"])
            let after = try await t.send(.GET, "/api/v1/services/export.hsds.json", token: admin)
            #expect(after.body == before.body)
        }
    }

    @Test(arguments: [
        ("not json", "{oops", "services"),
        ("an object", "{\"name\": \"x\"}", "services"),
    ])
    func aBodyThatIsNotADirectoryIsAFieldError(_ label: String, _ body: String, _ field: String) async throws {
        try await TestApp.run { t in
            let response = try await t.send(.POST, "/api/v1/services/import", token: try await t.token("admin"), body: body, contentType: "application/json")
            #expect(response.status == .unprocessableEntity, "\(label)")
            #expect(try response.problem().errors?.map(\.field) == [field])
        }
    }

    @Test func anAgencyForTheWholeFileMustRunServices() async throws {
        try await TestApp.run { t in
            let admin = try await t.token("admin")
            let police = try await t.hsdsImport([], token: admin, query: "?agency=R1%20Police%20Service")
            #expect(police.status == .unprocessableEntity)
            #expect(try police.problem().errors?.first?.field == "agency")
            let unknown = try await t.hsdsImport([], token: admin, query: "?agency=Nowhere")
            #expect(try unknown.problem().errors?.first?.reason.contains("Nowhere") == true)
            let wrongType = try await t.send(.POST, "/api/v1/services/import", token: admin, body: "[]", contentType: "text/plain")
            #expect(wrongType.status == .unsupportedMediaType)
        }
    }

    @Test(arguments: ["provider", "officer", "analyst"])
    func onlyAdministratorsImport(_ username: String) async throws {
        try await TestApp.run { t in
            let response = try await t.hsdsImport([], token: try await t.token(username))
            #expect(response.status == .forbidden)
        }
    }
}
