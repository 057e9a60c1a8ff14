import Foundation
import Testing
@testable import DiversionCore

private let confirmed = Date(timeIntervalSince1970: 1_780_000_000.75)
private let now = Date(timeIntervalSince1970: 1_790_000_000)
private let agency = UUID(uuidString: "0e3c1d8a-52f1-4b7e-9b8e-2d7f6c3a1b01") ?? UUID()

private func entry(_ profile: ServiceProfile, id: String = "7b0f8c2e-4a1d-4c3b-8e9f-1a2b3c4d5e6f") -> HSDS.Entry {
    HSDS.Entry(id: UUID(uuidString: id) ?? UUID(), agencyID: agency, agencyName: "R1 Community Treatment Centre", profile: profile, capacityUpdatedAt: confirmed)
}

/// Services that between them use every field and every edge we hold.
private let profiles: [ServiceProfile] = [
    ServiceProfile(
        name: "R1 Women's Recovery Service", organisationType: .health, modalities: [.outpatient, .residential, .familySupport],
        sexes: [.female], minAge: 16, maxAge: 65, languages: ["en", "pt-BR", "ar"], servesPregnantWomen: true, servesPeopleWithChildren: false,
        region: "R1", latitude: 38.724000000000004, longitude: -9.143, capacity: 20, load: 12, waitlistDays: 5, acceptsJusticeReferrals: false,
        phone: "+351 210 000 000", email: "intake@women.example", address: "Rua das Flores 12, 1200-195 Lisboa"
    ),
    ServiceProfile(name: "Minimal", organisationType: .faithBased, modalities: [.housing], languages: ["cs"], region: "R3", capacity: 0),
    ServiceProfile(name: "Over-full Housing", organisationType: .housing, modalities: [.housing, .harmReduction], languages: ["es"], region: "R2",
                   capacity: 25, load: 31, waitlistDays: 45),
    ServiceProfile(name: "Address only — “quoted” & ünïcode", organisationType: .harmReduction, modalities: [.harmReduction], sexes: [.male, .other],
                   languages: ["uk", "ru"], servesPregnantWomen: false, region: "North / East", capacity: 200, load: 200, address: "Travessa 3/B"),
    ServiceProfile(name: "Coordinates only", organisationType: .employment, modalities: [.employment, .education], minAge: 0, maxAge: 120,
                   languages: ["en"], region: "R1", latitude: -90, longitude: 180, capacity: 100_000, load: 0, waitlistDays: 730),
]

private func json(_ data: Data) throws -> [[String: Any]] {
    try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
}

private func data(_ services: [[String: Any]]) throws -> Data {
    try JSONSerialization.data(withJSONObject: services)
}

/// A good exported service as a mutable JSON object.
private func goodService() throws -> [String: Any] {
    try #require(try json(HSDS.document([entry(profiles[0])])).first)
}

private func errors(_ result: Result<[HSDS.Record], ValidationFailure>) -> [FieldError] {
    if case .failure(let failure) = result { return failure.errors }
    return []
}

@Suite("Service directory in Open Referral HSDS")
struct HSDSTests {
    @Test(arguments: profiles.indices)
    func aServiceSurvivesExportAndImportUnchanged(_ i: Int) throws {
        let original = entry(profiles[i])
        let document = try HSDS.document([original])
        let records = try HSDS.read(document, now: now).get()
        let record = try #require(records.first)
        #expect(record.id == original.id)
        #expect(record.organizationID == agency)
        #expect(record.organizationName == "R1 Community Treatment Centre")
        #expect(record.profile == original.profile)
        #expect(record.capacityUpdatedAt == Date(timeIntervalSince1970: 1_780_000_000))
        let again = HSDS.Entry(id: record.id, agencyID: agency, agencyName: "R1 Community Treatment Centre", profile: record.profile,
                               capacityUpdatedAt: record.capacityUpdatedAt ?? now)
        #expect(try HSDS.document([again]) == document)
    }

    @Test func aWholeDirectoryExportsInNameOrderAndRepeatsByteForByte() throws {
        let entries = profiles.enumerated().map { i, p in entry(p, id: String(format: "00000000-0000-4000-8000-%012d", i)) }
        let document = try HSDS.document(entries.reversed())
        #expect(try json(document).compactMap { $0["name"] as? String } == entries.map(\.profile.name).sorted())
        let records = try HSDS.read(document, now: now).get()
        let again = records.map { HSDS.Entry(id: $0.id, agencyID: agency, agencyName: "R1 Community Treatment Centre", profile: $0.profile,
                                             capacityUpdatedAt: $0.capacityUpdatedAt ?? now) }
        #expect(try HSDS.document(again) == document)
    }

    @Test func theExportUsesTheFieldNamesOfTheHSDSSchema() throws {
        let service = try goodService()
        #expect(Set(service.keys) == ["id", "name", "status", "email", "minimum_age", "maximum_age", "organization_id", "organization", "phones",
                                      "languages", "service_areas", "service_at_locations", "capacities", "attributes"])
        #expect(service["status"] as? String == "active")
        #expect((service["organization"] as? [String: Any]).map { Set($0.keys) } == ["id", "name", "description"])
        let capacity = try #require((service["capacities"] as? [[String: Any]])?.first)
        #expect(capacity["maximum"] as? Int == 20)
        #expect(capacity["available"] as? Int == 8)
        #expect(capacity["updated"] as? String == "2026-05-28T20:26:40Z")
        #expect((capacity["unit"] as? [String: Any])?["name"] as? String == "place")
        let location = try #require(((service["service_at_locations"] as? [[String: Any]])?.first)?["location"] as? [String: Any])
        #expect(location["location_type"] as? String == "physical")
        #expect(location["latitude"] as? Double == 38.724000000000004)
        let address = try #require((location["addresses"] as? [[String: Any]])?.first)
        #expect(Set(address.keys) == ["id", "address_1", "city", "state_province", "postal_code", "country", "address_type"])
        #expect((service["service_areas"] as? [[String: Any]])?.first?["name"] as? String == "R1")
        #expect((service["languages"] as? [[String: Any]])?.compactMap { $0["code"] as? String } == ["en", "pt-BR", "ar"])
        let terms = (service["attributes"] as? [[String: Any]])?.compactMap { a -> String? in
            guard let term = a["taxonomy_term"] as? [String: Any], term["taxonomy"] as? String == "diversion", let code = term["code"] as? String else { return nil }
            return a["value"].map { "\(code)=\($0)" } ?? code
        }
        #expect(terms == [
            "organisation_type:health", "modality:outpatient", "modality:residential", "modality:family_support", "sex_served:female",
            "serves_pregnant_women=true", "serves_people_with_children=false", "accepts_justice_referrals=false", "waitlist_days=5",
        ])
    }

    @Test func everyIdInTheExportIsAUUIDAndStableAcrossExports() throws {
        let first = try HSDS.document([entry(profiles[0])])
        let text = try #require(String(data: first, encoding: .utf8))
        let ids = text.split(separator: "\n").filter { $0.contains("\"id\"") || $0.contains("_id\"") }
            .compactMap { $0.split(separator: "\"").dropFirst(3).first.map(String.init) }
        #expect(ids.count > 10)
        #expect(ids.allSatisfy { UUID(uuidString: $0) != nil })
        #expect(try HSDS.document([entry(profiles[0])]) == first)
    }

    @Test(arguments: [
        // (change to services[1], the path named, words of the message)
        ("name", { @Sendable (s: inout [String: Any]) in s["name"] = "" }, "services[1].name", "required"),
        ("id", { @Sendable (s: inout [String: Any]) in s["id"] = "R1-outpatient" }, "services[1].id", "not a UUID"),
        ("missing id", { @Sendable (s: inout [String: Any]) in s["id"] = nil }, "services[1].id", "Give the service's id"),
        ("status", { @Sendable (s: inout [String: Any]) in s["status"] = "defunct" }, "services[1].status", "Only active services"),
        ("minimum age", { @Sendable (s: inout [String: Any]) in s["minimum_age"] = 12.5 }, "services[1].minimum_age", "whole number"),
        ("age range", { @Sendable (s: inout [String: Any]) in s["minimum_age"] = 40; s["maximum_age"] = 30 }, "services[1].maximum_age", "below the youngest"),
        ("age as text", { @Sendable (s: inout [String: Any]) in s["maximum_age"] = "sixty" }, "services[1].maximum_age", "as a number"),
        ("email", { @Sendable (s: inout [String: Any]) in s["email"] = "nobody" }, "services[1].email", "email address"),
        ("language", { @Sendable (s: inout [String: Any]) in s["languages"] = [["id": "x", "code": "en"], ["id": "y", "code": "english!"]] },
         "services[1].languages[1].code", "BCP 47"),
        ("language code", { @Sendable (s: inout [String: Any]) in s["languages"] = [["id": "x", "name": "English"]] }, "services[1].languages[0].code", "language code"),
        ("no languages", { @Sendable (s: inout [String: Any]) in s["languages"] = [] as [Any] }, "services[1].languages", "at least one language"),
        ("region", { @Sendable (s: inout [String: Any]) in s["service_areas"] = [] as [Any] }, "services[1].service_areas", "region is required"),
        ("latitude", { @Sendable (s: inout [String: Any]) in
            s["service_at_locations"] = [["id": "a", "location": ["id": "b", "location_type": "physical", "latitude": 91, "longitude": 0]]]
        }, "services[1].service_at_locations[0].location.latitude", "-90 to 90"),
        ("capacity", { @Sendable (s: inout [String: Any]) in s["capacities"] = nil }, "services[1].capacities", "number of places"),
        ("available", { @Sendable (s: inout [String: Any]) in s["capacities"] = [["id": "c", "maximum": 10, "available": 11, "unit": ["id": "u", "name": "place"]]] },
         "services[1].capacities[0].available", "from 0 to the maximum (10)"),
        ("updated", { @Sendable (s: inout [String: Any]) in s["capacities"] = [["id": "c", "maximum": 10, "available": 1, "updated": "yesterday"]] },
         "services[1].capacities[0].updated", "ISO 8601"),
        ("phones", { @Sendable (s: inout [String: Any]) in s["phones"] = "+351 210" }, "services[1].phones", "JSON array"),
        ("modality", { @Sendable (s: inout [String: Any]) in Self.setTerm(&s, at: 1, code: "modality:yoga") }, "services[1].attributes[1].taxonomy_term.code", "Use one of"),
        ("unknown term", { @Sendable (s: inout [String: Any]) in Self.setTerm(&s, at: 1, code: "colour:blue") }, "services[1].attributes[1].taxonomy_term.code",
         "not a term of the diversion taxonomy"),
        ("organisation type", { @Sendable (s: inout [String: Any]) in Self.setTerm(&s, at: 0, code: "organisation_type:bakery") },
         "services[1].attributes[0].taxonomy_term.code", "Use one of health"),
        ("no organisation type", { @Sendable (s: inout [String: Any]) in Self.removeTerm(&s, at: 0) }, "services[1].attributes", "organisation_type:<type>"),
        ("sex", { @Sendable (s: inout [String: Any]) in Self.setTerm(&s, at: 4, code: "sex_served:women") }, "services[1].attributes[4].taxonomy_term.code", "female"),
        ("flag", { @Sendable (s: inout [String: Any]) in Self.setValue(&s, at: 5, "yes") }, "services[1].attributes[5].value", "true or false"),
        ("waitlist", { @Sendable (s: inout [String: Any]) in Self.setValue(&s, at: 8, "999") }, "services[1].attributes[8].value", "from 0 to 730"),
        ("duplicate term", { @Sendable (s: inout [String: Any]) in Self.setTerm(&s, at: 2, code: "modality:outpatient") }, "services[1].attributes[2].taxonomy_term.code",
         "same term"),
    ] as [(String, @Sendable (inout [String: Any]) -> Void, String, String)])
    func aBadRecordIsNamedByItsPath(_ label: String, _ change: @Sendable (inout [String: Any]) -> Void, _ path: String, _ words: String) throws {
        var bad = try goodService()
        bad["id"] = bad["id"].map { _ in "11111111-2222-4333-8444-555555555555" }
        change(&bad)
        let result = HSDS.read(try data([try goodService(), bad]), now: now)
        let found = errors(result)
        #expect(found.contains { $0.field == path && $0.reason.contains(words) }, "\(label): \(found.map { "\($0.field): \($0.reason)" })")
        #expect(found.allSatisfy { $0.field.hasPrefix("services[1]") }, "\(label): only the bad record is named")
    }

    @Test func everyProblemInEveryRecordIsListed() throws {
        var first = try goodService(), second = try goodService()
        first["name"] = nil
        first["minimum_age"] = -1
        second["id"] = "3b8a0c55-2f7e-4d0a-9c1e-6a5b4c3d2e1f"
        second["email"] = "no-at-sign"
        let found = errors(HSDS.read(try data([first, second]), now: now)).map(\.field)
        #expect(found == ["services[0].name", "services[0].minimum_age", "services[1].email"])
    }

    @Test func theSameIdTwiceIsRefused() throws {
        let service = try goodService()
        let found = errors(HSDS.read(try data([service, service]), now: now))
        #expect(found == [FieldError("services[1].id", "services[0] has the same id; each service appears once.")])
    }

    @Test(arguments: [
        ("{not json", "The file is not JSON"),
        ("{\"name\": \"x\"}", "JSON array of service objects"),
        ("[42]", "Each service is a JSON object"),
    ])
    func aFileThatIsNotADirectoryIsRefused(_ text: String, _ words: String) {
        let found = errors(HSDS.read(Data(text.utf8), now: now))
        #expect(found.count == 1 && found[0].reason.contains(words), "\(found)")
    }

    @Test func capacityConfirmedInTheFutureIsRefused() throws {
        var service = try goodService()
        service["capacities"] = [["id": "c", "maximum": 10, "available": 1, "updated": "2099-01-01T00:00:00Z"]]
        #expect(errors(HSDS.read(try data([service]), now: now)).map(\.field) == ["services[0].capacities[0].updated"])
    }

    @Test func aServiceFromAnotherHSDSSystemIsRead() throws {
        let foreign: [String: Any] = [
            "id": "5d0c5a7e-6c55-4d0d-9a4b-0b7f5c6d7e8f", "name": "City Drug Service", "status": "active", "description": "Ignored here.",
            "organization": ["id": "9a9b9c9d-0000-4000-8000-000000000001", "name": "City Health", "description": "Council health team"],
            "languages": [["id": "l1", "name": "English", "code": "en"]],
            "service_areas": [["id": "a1", "name": "R2"]],
            "service_at_locations": [["id": "s1", "location": ["id": "l", "location_type": "physical", "latitude": 41.15, "longitude": -8.61,
                                                                "addresses": [["id": "ad", "address_1": "1 High St", "city": "Porto", "state_province": "",
                                                                               "postal_code": "4000-001", "country": "PT", "address_type": "physical"]]]]],
            "capacities": [["id": "c", "available": 3.0, "maximum": 12, "updated": "2026-03-01T09:30:00.250+01:00", "unit": ["id": "u", "name": "Bed"]]],
            "attributes": [
                ["id": "x", "taxonomy_term": ["id": "t", "code": "F-123", "name": "Other", "description": "", "taxonomy": "Open Eligibility"]],
                ["id": "y", "value": NSNull(), "taxonomy_term": ["id": "t2", "code": "organisation_type:social", "name": "n", "description": "d", "taxonomy": "diversion"]],
                ["id": "z", "taxonomy_term": ["id": "t3", "code": "modality:outpatient", "name": "n", "description": "d", "taxonomy": "diversion"]],
            ],
        ]
        let record = try #require(try HSDS.read(try data([foreign]), now: now).get().first)
        #expect(record.organizationName == "City Health")
        #expect(record.profile.address == "1 High St, Porto, 4000-001, PT")
        #expect(record.profile.capacity == 12 && record.profile.load == 9)
        #expect(record.profile.sexes == Sex.allCases && record.profile.minAge == 18 && record.profile.acceptsJusticeReferrals)
        #expect(record.capacityUpdatedAt == Date(timeIntervalSince1970: 1_772_353_800.25))
    }

    // MARK: Changes to an exported service's attributes

    static func setTerm(_ s: inout [String: Any], at i: Int, code: String) {
        guard var attributes = s["attributes"] as? [[String: Any]], var term = attributes[i]["taxonomy_term"] as? [String: Any] else { return }
        term["code"] = code
        attributes[i]["taxonomy_term"] = term
        s["attributes"] = attributes
    }

    static func setValue(_ s: inout [String: Any], at i: Int, _ value: String) {
        guard var attributes = s["attributes"] as? [[String: Any]] else { return }
        attributes[i]["value"] = value
        s["attributes"] = attributes
    }

    static func removeTerm(_ s: inout [String: Any], at i: Int) {
        guard var attributes = s["attributes"] as? [[String: Any]] else { return }
        attributes.remove(at: i)
        s["attributes"] = attributes
    }
}
