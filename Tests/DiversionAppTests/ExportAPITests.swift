import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

/// Contacts of 2026 whose exports are known. UN-CTS: possession: 20 women diverted by the officer, 9 national and
/// 3 foreign men given probation at sentencing; trafficking: 12 women given a treatment court at trial, 6 foreign men
/// with no measure. TDI: 10 women (heroin, outpatient), 7 men (cannabis, residential, probation) and 2 men
/// (cocaine, outpatient, treatment court) entering treatment.
private func exportFacts() -> [ContactFact] {
    var facts: [ContactFact] = []
    let day = CalendarDate(year: 2026, month: 3, day: 2), intake = CalendarDate(year: 2026, month: 3, day: 12)
    func add(_ n: Int, _ group: String, sex: Sex, age: Int = 30, nationality: String = "DRP", offence: String = "possession_personal_use",
             substance: String = "cannabis_herb", stage: Stage = .preTrial, measure: MeasureType? = nil, modality: String? = nil) {
        for i in 0..<n {
            facts.append(ContactFact(
                source: .historical, contactKey: "X:\(group)\(i)", personKey: "X:\(group)\(i)", occurredOn: day, sex: sex, age: age, region: "R1",
                nationality: nationality, offence: offence, substance: substance, stage: stage, measureType: measure?.rawValue, diverted: true,
                referralSent: modality != nil, treatmentModality: modality, intakeOn: modality == nil ? nil : intake
            ))
        }
    }
    add(20, "a", sex: .female)
    add(9, "b", sex: .male, stage: .sentencing, measure: .probation)
    add(3, "c", sex: .male, nationality: "BR", stage: .sentencing, measure: .probation)
    add(12, "d", sex: .female, offence: "supply", stage: .trial, measure: .treatmentCourt)
    add(6, "e", sex: .male, nationality: "BR", offence: "supply")
    add(10, "f", sex: .female, offence: "drug_related_violence", substance: "heroin", modality: "outpatient")
    add(7, "g", sex: .male, age: 40, offence: "drug_related_violence", stage: .sentencing, measure: .probation, modality: "residential")
    add(2, "h", sex: .male, age: 22, offence: "drug_related_violence", substance: "cocaine", stage: .trial, measure: .treatmentCourt, modality: "outpatient")
    return facts
}

@Suite("Statistical exports through the API and the analyst's page")
struct ExportAPITests {
    func seeded(_ t: TestApp) async throws {
        try await EvidenceStore().insert(exportFacts(), tests: [], source: .historical, on: t.app.db)
    }

    @Test("An analyst downloads UN-CTS as CSV: one line per cell, small counts withheld, the export audited")
    func unctsAsCSV() async throws {
        try await TestApp.run { t in
            try await seeded(t)
            let token = try await t.token("analyst")
            let response = try await t.send(.GET, "/api/v1/exports/uncts?year=2026&format=csv", token: token)
            #expect(response.status == .ok)
            #expect(response.headers.first(name: .contentType)?.hasPrefix("text/csv") == true)
            #expect(response.headers.first(name: .contentDisposition) == #"attachment; filename="uncts-2026.csv""#)
            #expect(response.headers.first(name: .cacheControl) == "no-store")
            let lines = response.text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(lines.first == "table,iccs,sex,age_class,citizenship,measure_type,stage,persons,suppressed")
            for expected in [
                "formal_contact_by_sex,06011,female,,,,,20,false",
                "formal_contact_by_sex,06011,male,,,,,12,false",
                "formal_contact_by_sex,06012,male,,,,,6,false",
                "formal_contact_by_citizenship,06011,,,foreign,,,,true",
                "convicted_by_sex,06011,male,,,,,12,false",
                "prosecuted_by_sex,06012,female,,,,,12,false",
                "alternatives,,female,,,officer_diversion,pre_trial,20,false",
            ] {
                #expect(lines.contains(expected), "\(expected)")
            }
            // No published count is small.
            for line in lines.dropFirst() {
                let fields = line.components(separatedBy: ",")
                if let persons = Int(fields[7]) { #expect(persons == 0 || persons >= 5, "\(line)") }
            }
            let audited = try await t.auditEntries().filter { $0.event.resourceType == "statistical_export" }
            #expect(audited.map { "\($0.event.username ?? "-") \($0.event.action.rawValue) \($0.event.resourceID ?? "-")" } == ["analyst read uncts-2026"])
        }
    }

    @Test("An analyst downloads TDI as JSON by default, with its definitions and the variables not recorded")
    func tdiAsJSON() async throws {
        try await TestApp.run { t in
            try await seeded(t)
            let token = try await t.token("analyst")
            let response = try await t.send(.GET, "/api/v1/exports/tdi?year=2026", token: token)
            #expect(response.status == .ok)
            #expect(response.headers.first(name: .contentType)?.hasPrefix("application/json") == true)
            #expect(response.headers.first(name: .contentDisposition) == #"attachment; filename="tdi-2026.json""#)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            #expect(json["standard"] as? String == "tdi")
            #expect(json["year"] as? Int == 2026)
            #expect((json["jurisdiction"] as? String)?.isEmpty == false)
            #expect((json["suppression"] as? [String: Any])?["threshold"] as? Int == 5)
            let variables = try #require(json["variables"] as? [[String: Any]])
            #expect(variables.first { $0["name"] as? String == "route_of_administration" }?["status"] as? String == "not_recorded")
            let tables = try #require(json["tables"] as? [[String: Any]])
            let sexByDrug = try #require(tables.first { $0["name"] as? String == "sex_by_drug" }?["rows"] as? [[String: Any]])
            func row(_ drug: String, _ sex: String) -> [String: Any]? {
                sexByDrug.first { $0["primary_drug"] as? String == drug && $0["sex"] as? String == sex }
            }
            #expect(row("cocaine", "male")?["suppressed"] as? Bool == true)
            #expect(row("cocaine", "male")?["persons"] is NSNull)
            #expect(row("stimulants", "female")?["persons"] as? Int == 0)
            for r in sexByDrug { if let n = r["persons"] as? Int { #expect(n == 0 || n >= 5) } }
            let referral = try #require(tables.first { $0["name"] as? String == "referral_by_drug" }?["rows"] as? [[String: Any]])
            func referred(_ drug: String, _ source: String) -> Int? {
                referral.first { $0["primary_drug"] as? String == drug && $0["referral_source"] as? String == source }?["persons"] as? Int
            }
            // The two referred by the court are withheld, with a complement in their row and in their column.
            let withheld = referral.filter { $0["suppressed"] as? Bool == true }
            #expect(withheld.contains { $0["primary_drug"] as? String == "cocaine" && $0["referral_source"] as? String == "court_prosecution" })
            #expect(withheld.filter { $0["primary_drug"] as? String == "cocaine" }.count >= 2)
            #expect(withheld.filter { $0["referral_source"] as? String == "court_prosecution" }.count >= 2)
            #expect(referred("stimulants", "police") == 0)
            for r in referral { if let n = r["persons"] as? Int { #expect(n == 0 || n >= 5) } }
        }
    }

    @Test("Casework roles may not export", arguments: ["officer", "prosecutor", "judge", "provider"])
    func caseworkIsRefused(user: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token(user)
            for standard in ExportStandard.allCases {
                let response = try await t.send(.GET, "/api/v1/exports/\(standard.rawValue)?year=2026", token: token)
                #expect(response.status == .forbidden)
                #expect(try response.problem().type == "urn:diversion:problem:forbidden")
            }
            let entries = try await t.auditEntries()
            #expect(entries.allSatisfy { $0.event.resourceType != "statistical_export" })
        }
    }

    @Test("A wrong year or format is 422 naming the parameter", arguments: [
        ("year=1969", "year"), ("year=abc", "year"), ("", "year"), ("year=2027", "year"), ("year=26", "year"), ("year=2026&format=xml", "format"),
    ])
    func badParameters(query: String, field: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token("analyst")
            let response = try await t.send(.GET, "/api/v1/exports/uncts?\(query)", token: token)
            #expect(response.status == .unprocessableEntity)
            #expect(try response.problem().errors?.map(\.field) == [field])
        }
    }

    @Test("An unknown standard is 404")
    func unknownStandard() async throws {
        try await TestApp.run { t in
            let token = try await t.token("analyst")
            let response = try await t.send(.GET, "/api/v1/exports/ccts?year=2026", token: token)
            #expect(response.status == .notFound)
            #expect(try response.problem().type == "urn:diversion:problem:not-found")
        }
    }

    @Test("Without a sign-in the export is 401")
    func signInFirst() async throws {
        try await TestApp.run { t in
            let response = try await t.send(.GET, "/api/v1/exports/uncts?year=2026")
            #expect(response.status == .unauthorized)
        }
    }

    @Test("The analyst's page lists both exports for the chosen year, and its links download the files")
    func page() async throws {
        try await TestApp.run { t in
            try await seeded(t)
            let (jar, _) = try await t.browserSignIn("analyst")
            let page = try await t.send(.GET, "/analysis/exports", headers: [jar.header])
            #expect(page.status == .ok)
            #expect(page.text.contains(#"<option value="2026" selected>2026</option>"#))
            for standard in ["uncts", "tdi"] {
                #expect(page.text.contains(#"id="export-\#(standard)""#))
                #expect(page.text.contains("/analysis/exports/\(standard)?year=2026&amp;format=csv"))
                #expect(page.text.contains("/analysis/exports/\(standard)?year=2026&amp;format=json"))
            }
            let csv = try await t.send(.GET, "/analysis/exports/tdi?year=2026&format=csv", headers: [jar.header])
            #expect(csv.status == .ok)
            #expect(csv.text.hasPrefix("table,primary_drug,sex,age_group,referral_source,centre_type,persons,suppressed\r\n"))
            let entries = try await t.auditEntries()
            #expect(entries.contains { $0.event.resourceType == "statistical_export" && $0.event.resourceID == "tdi-2026" })

            let earlier = try await t.send(.GET, "/analysis/exports?year=2025", headers: [jar.header])
            #expect(earlier.text.contains("/analysis/exports/uncts?year=2025&amp;format=csv"))
            let wrong = try await t.send(.GET, "/analysis/exports?year=1800", headers: [jar.header])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.text.contains(#"id="form-errors""#))

            let (officer, _) = try await t.browserSignIn("officer")
            let refusedPage = try await t.send(.GET, "/analysis/exports", headers: [officer.header])
            #expect(refusedPage.status == .forbidden)
            let refusedFile = try await t.send(.GET, "/analysis/exports/uncts?year=2026", headers: [officer.header])
            #expect(refusedFile.status == .forbidden)
        }
    }
}
