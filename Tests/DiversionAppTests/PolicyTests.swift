import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

/// The policy files the product ships.
func shippedPolicy(_ name: String) throws -> String {
    try String(contentsOf: AppResources.directory.appendingPathComponent("Policies/\(name).yaml"), encoding: .utf8)
}

struct PublishBody: Encodable {
    var document: String
}

@Suite("The jurisdiction policy through the API")
struct PolicyAPITests {
    @Test(arguments: Role.allCases)
    func everyRoleReadsTheActivePolicy(role: Role) async throws {
        try await TestApp.run { t in
            let token = try await t.token(role.rawValue)
            let response = try await t.send(.GET, "/api/v1/policy", token: token)
            #expect(response.status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            #expect(json["jurisdiction"] as? String == "Demo Republic")
            #expect(json["version"] as? String == "2026.1")
            #expect(json["id"] is String)
            let substances = try #require(json["substances"] as? [[String: Any]])
            let heroin = try #require(substances.first { $0["code"] as? String == "heroin" })
            #expect(heroin["basis"] as? String == "pure")
            #expect(heroin["assumedPurityPercent"] as? Double == 35)
            #expect(heroin["traffickingMultiple"] as? Double == 10)
            #expect(Set(heroin.keys).isSuperset(of: ["code", "name", "unit", "threshold", "basis", "traffickingMultiple"]))
        }
    }

    @Test func anAdministratorPublishesAVersionThatIsActiveAtOnceAndKeepsTheOldOne() async throws {
        try await TestApp.run { t in
            let token = try await t.token("admin")
            let created = try await t.send(.POST, "/api/v1/policy/versions", token: token, json: PublishBody(document: try shippedPolicy("czechia-illustrative")))
            #expect(created.status == .created)
            #expect(try created.json(PolicyController.VersionResponse.self).active)
            let officer = try await t.token("officer")
            let active = try await t.send(.GET, "/api/v1/policy", token: officer)
            #expect(active.text.contains("Czech Republic (illustrative)"))
            let versions = try await t.send(.GET, "/api/v1/policy/versions", token: token).json(PolicyController.VersionList.self)
            #expect(versions.items.map(\.version).sorted() == ["2026.1", "illustrative-2014"])
            #expect(versions.items.filter(\.active).map(\.version) == ["illustrative-2014"])
            #expect(try await t.auditEntries().contains { $0.event.resourceType == "policy_version" && $0.event.username == "admin" })
        }
    }

    @Test func aPolicyWithProblemsIs422WithLineAndColumnAndChangesNothing() async throws {
        try await TestApp.run { t in
            let token = try await t.token("admin")
            let broken = try shippedPolicy("demo").replacingOccurrences(of: "unit: plants", with: "unit: bushels")
            let response = try await t.send(.POST, "/api/v1/policy/versions", token: token, json: PublishBody(document: broken))
            #expect(response.status == .unprocessableEntity)
            let error = try #require(try response.problem().errors?.first)
            #expect(error.field == "document.substances[2].unit")
            #expect(error.reason.hasPrefix("line 21, column"))
            let active = try await t.send(.GET, "/api/v1/policy", token: token)
            #expect(active.text.contains("\"version\":\"2026.1\""))
        }
    }

    @Test func changedContentUnderAnOldVersionIs409() async throws {
        try await TestApp.run { t in
            let token = try await t.token("admin")
            let changed = try shippedPolicy("demo").replacingOccurrences(of: "threshold: 25,", with: "threshold: 30,")
            let response = try await t.send(.POST, "/api/v1/policy/versions", token: token, json: PublishBody(document: changed))
            #expect(response.status == .conflict)
            #expect(try response.problem().detail.contains("new version"))
        }
    }

    @Test(arguments: ["officer", "judge", "provider", "analyst"])
    func onlyAdministratorsPublishOrListVersions(user: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token(user)
            let publish = try await t.send(.POST, "/api/v1/policy/versions", token: token, json: PublishBody(document: try shippedPolicy("demo")))
            let list = try await t.send(.GET, "/api/v1/policy/versions", token: token)
            #expect([publish.status, list.status] == [.forbidden, .forbidden])
        }
    }

    @Test func withoutATokenThePolicyIs401AndAnEmptyDocumentIs422() async throws {
        try await TestApp.run { t in
            let anonymous = try await t.send(.GET, "/api/v1/policy")
            #expect(anonymous.status == .unauthorized)
            let token = try await t.token("admin")
            let empty = try await t.send(.POST, "/api/v1/policy/versions", token: token, json: PublishBody(document: "  "))
            #expect(empty.status == .unprocessableEntity)
            #expect(try empty.problem().errors?.first?.field == "document")
        }
    }
}
