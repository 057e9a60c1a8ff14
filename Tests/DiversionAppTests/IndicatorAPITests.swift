import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

/// A small, hand-made set of facts whose counts are known: 12 women and 3 men in R1, 2 people in R2.
func knownFacts() -> [ContactFact] {
    var facts: [ContactFact] = []
    func add(_ i: Int, sex: Sex, region: String, age: Int, diverted: Bool, day: CalendarDate) {
        facts.append(ContactFact(
            source: .historical, contactKey: "H:c\(i)", personKey: "H:p\(i)", occurredOn: day, sex: sex, age: age, region: region,
            nationality: "XD", offence: "possession_personal_use", substance: "cannabis_herb", eligible: diverted, diverted: diverted
        ))
    }
    let day = CalendarDate(year: 2026, month: 3, day: 2)
    for i in 0..<12 { add(i, sex: .female, region: "R1", age: 30, diverted: i < 9, day: day) }
    for i in 12..<15 { add(i, sex: .male, region: "R1", age: 30, diverted: true, day: day) }
    for i in 15..<17 { add(i, sex: .male, region: "R2", age: 19, diverted: false, day: day) }
    return facts
}

@Suite("Indicators through the API")
struct IndicatorAPITests {
    func seeded(_ t: TestApp) async throws {
        try await EvidenceStore().insert(knownFacts(), tests: [], source: .historical, on: t.app.db)
        try await EvidenceStore().linkFollowUps(on: t.app.db)
    }

    @Test func theCatalogueListsEveryIndicatorWithItsDefinition() async throws {
        try await TestApp.run { t in
            let token = try await t.token("analyst")
            let response = try await t.send(.GET, "/api/v1/indicators", token: token)
            #expect(response.status == .ok)
            let list = try response.json(IndicatorController.Catalogue.self)
            #expect(list.items.map(\.code) == IndicatorCatalogue.all.map(\.code))
            #expect(list.items.allSatisfy { !$0.definition.isEmpty })
        }
    }

    @Test func anIndicatorCutBySexSuppressesTheSmallCellAndItsComplement() async throws {
        try await TestApp.run { t in
            try await seeded(t)
            let token = try await t.token("analyst")
            let response = try await t.send(.GET, "/api/v1/indicators/contacts?by=sex&asOf=2026-11-01", token: token)
            #expect(response.status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            let rows = try #require(json["rows"] as? [[String: Any]])
            // 12 women and 5 men: both published, nothing small.
            #expect(rows.first { $0["sex"] as? String == "female" }?["value"] as? Double == 12)
            #expect(rows.first { $0["sex"] as? String == "male" }?["value"] as? Double == 5)
            let suppression = try #require(json["suppression"] as? [String: Any])
            #expect(suppression["threshold"] as? Int == 5)

            // By sex and region: men in R1 (3) and in R2 (2) are small, so both hide, and the women of R2 (0)
            // or R1 cannot give them away.
            let cut = try await t.send(.GET, "/api/v1/indicators/contacts?by=sex,region&asOf=2026-11-01", token: token)
            let cutRows = try #require(try JSONSerialization.jsonObject(with: Data(buffer: cut.body)) as? [String: Any])["rows"] as? [[String: Any]]
            let men = (cutRows ?? []).filter { $0["sex"] as? String == "male" }
            #expect(men.count == 2)
            #expect(men.allSatisfy { $0["suppressed"] as? Bool == true && $0["value"] is NSNull })
            let published = (cutRows ?? []).filter { $0["suppressed"] as? Bool == false }
            for row in published { #expect(!((1...4).contains(Int(row["value"] as? Double ?? 0)))) }
        }
    }

    @Test func aShareWithASmallDenominatorIsSuppressed() async throws {
        try await TestApp.run { t in
            try await seeded(t)
            let token = try await t.token("analyst")
            let response = try await t.send(.GET, "/api/v1/indicators/diverted_share?by=region&asOf=2026-11-01", token: token)
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])["rows"] as? [[String: Any]]
            let r2 = try #require(rows?.first { $0["region"] as? String == "R2" })
            #expect(r2["suppressed"] as? Bool == true)
            let r1 = try #require(rows?.first { $0["region"] as? String == "R1" })
            // R1: 12 of 15 diverted = 80 %, but 3 not diverted is a small complement, so the rate hides too.
            #expect(r1["suppressed"] as? Bool == true)
            let all = try await t.send(.GET, "/api/v1/indicators/diverted_share?asOf=2026-11-01", token: token)
            let total = try #require(try JSONSerialization.jsonObject(with: Data(buffer: all.body)) as? [String: Any])["rows"] as? [[String: Any]]
            // 12 of 17 overall, 5 not diverted: published.
            #expect(total?.first?["value"] as? Double == 70.6)
            #expect(total?.first?["numerator"] as? Double == 12)
            #expect(total?.first?["denominator"] as? Double == 17)
        }
    }

    @Test(arguments: ["by=colour", "by=month,year", "from=2026-13-01", "from=2026-05-01&to=2026-01-01", "region=R%201", "asOf=tomorrow"])
    func badParametersAre422NamingTheField(query: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token("analyst")
            let response = try await t.send(.GET, "/api/v1/indicators/contacts?\(query)", token: token)
            #expect(response.status == .unprocessableEntity)
            let field = String(query.prefix { $0 != "=" })
            #expect(try response.problem().errors?.contains { $0.field == field || (field == "from" && $0.field == "to") } == true)
        }
    }

    @Test func anUnknownIndicatorIs404() async throws {
        try await TestApp.run { t in
            let response = try await t.send(.GET, "/api/v1/indicators/happiness", token: try await t.token("analyst"))
            #expect(response.status == .notFound)
        }
    }

    @Test(arguments: caseworkUsers)
    func caseworkRolesMayNotReadIndicators(user: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token(user)
            #expect(try await t.send(.GET, "/api/v1/indicators", token: token).status == .forbidden)
            #expect(try await t.send(.GET, "/api/v1/indicators/contacts", token: token).status == .forbidden)
            #expect(try await t.send(.POST, "/api/v1/indicators/refresh", token: token).status == .forbidden)
        }
    }

    @Test func administratorsReadButDoNotRefresh() async throws {
        try await TestApp.run { t in
            let token = try await t.token("admin")
            #expect(try await t.send(.GET, "/api/v1/indicators/contacts", token: token).status == .ok)
            #expect(try await t.send(.POST, "/api/v1/indicators/refresh", token: token).status == .forbidden)
        }
    }

    @Test func aRefreshCountsTheRecordedPathwayAndKeepsImports() async throws {
        try await TestApp.run { t in
            try await seeded(t)
            try await DemoCaseload.seed(t.app)
            let contacts = try await ContactModel.query(on: t.app.db).count()
            let token = try await t.token("analyst")
            let response = try await t.send(.POST, "/api/v1/indicators/refresh", token: token)
            #expect(response.status == .ok)
            let body = try response.json(IndicatorController.RefreshResponse.self)
            #expect(body.contacts == contacts)
            let all = try await t.send(.GET, "/api/v1/indicators/contacts", token: token)
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(buffer: all.body)) as? [String: Any])["rows"] as? [[String: Any]]
            #expect(rows?.first?["value"] as? Double == Double(contacts + 17))
            #expect(try await t.auditEntries().contains { $0.event.resourceType == "evidence_facts" && $0.event.username == "analyst" })
            #expect(try await t.auditEntries().contains { $0.event.resourceType == "indicator" && $0.event.resourceID == "contacts" })
        }
    }

    @Test func survivalIndicatorsAnswerCurvesWithBands() async throws {
        try await TestApp.run { t in
            var facts = knownFacts()
            // A second contact 100 days later for four of the women: a new offence.
            for i in 0..<4 {
                facts.append(ContactFact(source: .historical, contactKey: "H:r\(i)", personKey: "H:p\(i)", occurredOn: CalendarDate(year: 2026, month: 6, day: 10),
                                         sex: .female, age: 30, region: "R1", nationality: "XD", offence: "possession_personal_use", substance: "cannabis_herb"))
            }
            try await EvidenceStore().insert(facts, tests: [], source: .historical, on: t.app.db)
            try await EvidenceStore().linkFollowUps(on: t.app.db)
            let token = try await t.token("analyst")
            let response = try await t.send(.GET, "/api/v1/indicators/time_to_reoffence?asOf=2026-11-01", token: token)
            #expect(response.status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            let curve = try #require((json["curves"] as? [[String: Any]])?.first)
            let points = try #require(curve["points"] as? [[String: Any]])
            let step = try #require(points.first { $0["time"] as? Int == 100 })
            #expect(step["events"] as? Int == 4)
            // 21 contacts at risk at day 100 (the four later contacts are censored at day 144), four events.
            #expect(step["atRisk"] as? Int == 21)
            #expect(abs((step["survival"] as? Double ?? 0) - 17.0 / 21.0) < 1e-9)
            #expect((step["lower"] as? Double ?? 1) < (step["survival"] as? Double ?? 0))
        }
    }
}
