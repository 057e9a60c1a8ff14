import Foundation
import Testing
@testable import DiversionCore

private let standardPolicing = UNCTSMapping(
    ageOfMajority: 18, country: "PT", iccs: JurisdictionPolicy.Evidence.standard.iccs,
    policeMeasures: Set(MeasureRule.standard.filter { $0.authority == .police && $0.stage == .preTrial }.flatMap(\.allowed).map(\.rawValue))
)
private let tdiMapping = TDIMapping(policeMeasures: standardPolicing.policeMeasures)
private let generatedAt = Date(timeIntervalSince1970: 1_767_225_600)

private func fact(
    _ key: String, person: String, on date: String, sex: Sex = .female, age: Int? = 30, nationality: String? = "PT",
    offence: String = "possession_personal_use", substance: String? = "cannabis_herb", stage: Stage = .preTrial, measure: MeasureType? = nil,
    diverted: Bool = false, intake: String? = nil, modality: String? = nil, source: FactSource = .recorded
) -> ContactFact {
    ContactFact(
        source: source, contactKey: key, personKey: person, occurredOn: CalendarDate(date) ?? CalendarDate(year: 1970, month: 1, day: 1),
        sex: sex, age: age, region: "R1", nationality: nationality, offence: offence, substance: substance, stage: stage,
        measureType: measure?.rawValue, diverted: diverted || measure != nil, referralSent: intake != nil,
        treatmentModality: modality, intakeOn: intake.flatMap(CalendarDate.init)
    )
}

@Suite("What UN-CTS counts a contact as")
struct UNCTSMappingTests {
    @Test("A contact reaches the levels its latest decision shows", arguments: [
        (Stage.preTrial, nil, [UNCTSMapping.Level.formalContact]),
        (.preTrial, MeasureType.cautionWarning, [.formalContact]),
        (.preTrial, .conditionalDismissal, [.formalContact, .prosecuted]),
        (.preTrial, .deferredProsecution, [.formalContact, .prosecuted]),
        (.preTrial, .preTrialReleaseWithConditions, [.formalContact, .prosecuted]),
        (.trial, nil, [.formalContact, .prosecuted]),
        (.trial, .treatmentCourt, [.formalContact, .prosecuted]),
        (.sentencing, .probation, [.formalContact, .prosecuted, .convicted]),
        (.sentencing, nil, [.formalContact, .prosecuted, .convicted]),
        (.postSentencing, .parole, [.formalContact, .prosecuted, .convicted]),
    ] as [(Stage, MeasureType?, [UNCTSMapping.Level])])
    func levels(stage: Stage, measure: MeasureType?, expected: [UNCTSMapping.Level]) {
        #expect(standardPolicing.levels(stage: stage, measureType: measure?.rawValue) == expected)
    }

    @Test("A pre-trial measure is a prosecution unless the policy lets the police order it")
    func policeMenuDecides() {
        var mapping = standardPolicing
        mapping.policeMeasures.insert(MeasureType.treatmentOrder.rawValue)
        #expect(!mapping.isProsecuted(stage: .preTrial, measureType: "treatment_order"))
        #expect(standardPolicing.isProsecuted(stage: .preTrial, measureType: "treatment_order"))
    }

    @Test("Age classes follow the policy's age of majority", arguments: [
        (17, "juvenile"), (18, "adult"), (0, "juvenile"), (64, "adult"), (nil, "unknown"), (-1, "unknown"),
    ] as [(Int?, String)])
    func ageClass(age: Int?, expected: String) {
        #expect(standardPolicing.ageClass(age) == expected)
    }

    @Test("Citizenship is national, foreign or unknown against the policy's country", arguments: [
        ("PT", "national"), ("pt", "national"), ("ES", "foreign"), (nil, "unknown"), ("", "unknown"),
    ] as [(String?, String)])
    func citizenship(nationality: String?, expected: String) {
        #expect(standardPolicing.citizenship(nationality) == expected)
        var countryless = standardPolicing
        countryless.country = nil
        #expect(countryless.citizenship(nationality) == "unknown")
    }

    @Test("Only possession for personal use and trafficking are reported, under their ICCS codes", arguments: [
        ("possession_personal_use", "06011"), ("cultivation_personal_use", "06011"), ("possession_trafficking", "06012"), ("supply", "06012"),
        ("drug_related_violence", nil), ("unknown", nil),
    ] as [(String, String?)])
    func offenceClasses(offence: String, code: String?) {
        #expect(standardPolicing.offenceClass(offence)?.iccsCode == code)
    }

    @Test("Sex is female, male, or other and unknown together", arguments: [
        (Sex.female, "female"), (.male, "male"), (.other, "other_or_unknown"), (.unknown, "other_or_unknown"),
    ])
    func sex(sex: Sex, expected: String) {
        #expect(ExportSex.category(sex) == expected)
        #expect(ExportSex.category(sex.rawValue) == expected)
    }

    @Test("Counting is by distinct person per cell, in the year, never synthetic facts")
    func counting() throws {
        let facts = [
            fact("c1", person: "p1", on: "2025-02-01"),
            fact("c2", person: "p1", on: "2025-06-01", stage: .sentencing, measure: .probation),
            fact("c3", person: "p1", on: "2025-07-01", offence: "supply", stage: .trial),
            fact("c4", person: "p2", on: "2025-03-01", sex: .male, age: 16, nationality: "BR", diverted: true),
            fact("c5", person: "p3", on: "2024-12-31"),
            fact("c6", person: "p4", on: "2025-05-05", source: .generated),
            fact("c7", person: "p5", on: "2025-05-05", offence: "drug_related_violence"),
        ]
        let (cells, alternatives) = standardPolicing.count(facts, year: 2025)
        let levels = Dictionary(uniqueKeysWithValues: cells.map { ("\($0.breakdown.rawValue) \($0.keys.joined(separator: " "))", [$0.formalContact, $0.prosecuted, $0.convicted]) })
        #expect(levels == [
            "sex 06011 female": [1, 1, 1], "sex 06012 female": [1, 1, 0], "sex 06011 male": [1, 0, 0],
            "age_class 06011 adult": [1, 1, 1], "age_class 06012 adult": [1, 1, 0], "age_class 06011 juvenile": [1, 0, 0],
            "citizenship 06011 national": [1, 1, 1], "citizenship 06012 national": [1, 1, 0], "citizenship 06011 foreign": [1, 0, 0],
        ])
        #expect(Set(alternatives.map { "\($0.measure)/\($0.stage)/\($0.sex)/\($0.persons)" }) == [
            "probation/sentencing/female/1", "officer_diversion/pre_trial/male/1",
        ])
    }
}

@Suite("What TDI counts an intake as")
struct TDIMappingTests {
    @Test("Substances fall into TDI 3.0 drug groups", arguments: [
        ("heroin", "opioids"), ("methadone", "opioids"), ("opium", "opioids"), ("cocaine", "cocaine"), ("cocaine_base", "cocaine"),
        ("cocaine_hydrochloride", "cocaine"), ("crack", "cocaine"), ("amphetamine", "stimulants"), ("methamphetamine_tablet", "stimulants"),
        ("mdma", "stimulants"), ("khat", "stimulants"), ("ghb", "hypnotics_sedatives"), ("lsd", "hallucinogens"),
        ("psilocybin_mushrooms", "hallucinogens"), ("ketamine", "hallucinogens"), ("cannabis_herb", "cannabis"), ("cannabis_resin", "cannabis"),
        ("cannabis_plants", "cannabis"), ("Cannabis", "cannabis"), ("kratom", "other"), (nil, "unknown"), ("", "unknown"),
    ] as [(String?, String)])
    func drugGroups(substance: String?, group: String) {
        #expect(TDIMapping.drugGroup(substance) == group)
        #expect(TDIMapping.drugGroups.contains(group))
    }

    @Test("The referral source follows the stage and the measure", arguments: [
        (Stage.preTrial, nil, "police"), (.preTrial, MeasureType.cautionWarning, "police"), (.preTrial, .conditionalDismissal, "court_prosecution"),
        (.preTrial, .preTrialReleaseWithConditions, "court_prosecution"), (.trial, nil, "court_prosecution"), (.trial, .treatmentCourt, "court_prosecution"),
        (.sentencing, .fine, "court_prosecution"), (.sentencing, .probation, "probation"), (.sentencing, .communityService, "probation"),
        (.postSentencing, .parole, "probation"), (.postSentencing, .earlyReleaseIntoTreatment, "probation"),
    ] as [(Stage, MeasureType?, String)])
    func referralSource(stage: Stage, measure: MeasureType?, expected: String) {
        #expect(tdiMapping.referralSource(stage: stage, measureType: measure?.rawValue) == expected)
    }

    @Test("Centre types come from the modality; services that are not drug treatment are left out", arguments: [
        ("outpatient", "outpatient"), ("intensive_outpatient", "outpatient"), ("opioid_agonist_treatment", "outpatient"),
        ("residential", "inpatient"), ("withdrawal_management", "inpatient"), ("harm_reduction", "low_threshold"),
        ("brief_intervention", "other"), (nil, "unknown"), ("housing", nil), ("employment", nil), ("mental_health", nil), ("hiv_hepatitis", nil),
    ] as [(String?, String?)])
    func centreTypes(modality: String?, expected: String?) {
        #expect(TDIMapping.centreType(modality) == expected)
    }

    @Test("Ages fall into TDI's 5-year groups", arguments: [
        (14, "under 15"), (15, "15-19"), (19, "15-19"), (20, "20-24"), (64, "60-64"), (65, "65+"), (90, "65+"), (nil, "unknown"),
    ] as [(Int?, String)])
    func ageBands(age: Int?, expected: String) {
        #expect(TDIMapping.ageBand(age) == expected)
        #expect(TDIMapping.ageBands.labels.count == 13)
    }

    @Test("Age at entry adds the whole years from contact to intake", arguments: [
        (30, 0, 10, 30), (30, 0, 364, 30), (30, 0, 365, 31), (30, 0, 800, 32), (30, 100, 50, 30),
    ] as [(Int?, Int, Int, Int?)])
    func ageAtEntry(age: Int?, contact: Int, intake: Int, expected: Int?) {
        #expect(TDIMapping.ageAtEntry(ageAtContact: age, contactDay: contact, intakeDay: intake) == expected)
        #expect(TDIMapping.ageAtEntry(ageAtContact: nil, contactDay: contact, intakeDay: intake) == nil)
    }

    @Test("Each person counts once, at the first treatment intake of the year")
    func entries() {
        let facts = [
            fact("a1", person: "p1", on: "2024-11-01", substance: "heroin", intake: "2025-01-10", modality: "outpatient"),
            fact("a2", person: "p1", on: "2025-03-01", substance: "cocaine", stage: .sentencing, measure: .probation, intake: "2025-04-01", modality: "residential"),
            fact("b1", person: "p2", on: "2025-05-01", intake: "2025-05-20", modality: "housing"),
            fact("c1", person: "p3", on: "2025-05-01", intake: "2026-01-02", modality: "outpatient"),
            fact("d1", person: "p4", on: "2025-05-01", intake: "2025-06-01", modality: "outpatient", source: .generated),
            fact("e1", person: "p5", on: "2025-05-01", sex: .male, age: nil, substance: nil, intake: "2025-05-03"),
        ]
        let entries = Set(TDIMapping.entries(facts, year: 2025))
        #expect(entries == [
            .init(sex: "female", ageAtEntry: 30, substance: "heroin", stage: .preTrial, measureType: nil, modality: "outpatient", persons: 1),
            .init(sex: "male", ageAtEntry: nil, substance: nil, stage: .preTrial, measureType: nil, modality: nil, persons: 1),
        ])
    }
}

private extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}

@Suite("Statistical exports: tables, suppression and files")
struct StatisticalExportsTests {
    /// Every line (all coordinates but one fixed) that holds a withheld cell holds at least two.
    static func everyLineHidesTwo(_ table: ExportTable) -> Bool {
        for d in table.dimensions.indices {
            var lines: [[String]: Int] = [:]
            for row in table.rows where row.suppressed {
                var key = row.keys
                key.remove(at: d)
                lines[key, default: 0] += 1
            }
            if lines.values.contains(1) { return false }
        }
        return true
    }

    @Test("A small count is withheld with a complementary cell in its row and column; everything else is published")
    func complementary() throws {
        let entries = [
            TDIMapping.Entry(sex: "male", ageAtEntry: 30, substance: "cannabis_herb", stage: .preTrial, measureType: nil, modality: "outpatient", persons: 20),
            TDIMapping.Entry(sex: "female", ageAtEntry: 30, substance: "cannabis_herb", stage: .preTrial, measureType: nil, modality: "outpatient", persons: 3),
            TDIMapping.Entry(sex: "male", ageAtEntry: 30, substance: "cocaine", stage: .preTrial, measureType: nil, modality: "outpatient", persons: 10),
            TDIMapping.Entry(sex: "female", ageAtEntry: 30, substance: "cocaine", stage: .preTrial, measureType: nil, modality: "outpatient", persons: 8),
        ]
        let export = try StatisticalExports.tdi(entries: entries, mapping: tdiMapping, year: 2025, jurisdiction: "Demo", generatedAt: generatedAt, threshold: 5)
        let table = try #require(export.tables.first { $0.name == "sex_by_drug" })
        #expect(table.dimensions == ["primary_drug", "sex"])
        #expect(table.rows.count == TDIMapping.drugGroups.count * ExportSex.categories.count)
        #expect(table.row("cannabis", "female")?.suppressed == true)
        let cannabis = table.rows.filter { $0.keys[0] == "cannabis" && $0.suppressed }
        let female = table.rows.filter { $0.keys[1] == "female" && $0.suppressed }
        #expect(cannabis.count >= 2 && female.count >= 2)
        #expect(Self.everyLineHidesTwo(table))
        let truth: [[String]: Int] = [["cannabis", "male"]: 20, ["cannabis", "female"]: 3, ["cocaine", "male"]: 10, ["cocaine", "female"]: 8]
        for row in table.rows where !row.suppressed { #expect(row.persons == truth[row.keys] ?? 0) }
        // The other tables cross the same people with one category each: nothing small, nothing withheld.
        for name in ["age_by_drug", "referral_by_drug", "centre_by_drug"] {
            let other = try #require(export.tables.first { $0.name == name })
            #expect(other.rows.allSatisfy { !$0.suppressed }, "\(name)")
        }
        #expect(export.tables.first { $0.name == "centre_by_drug" }?.row("cocaine", "outpatient")?.persons == 18)
        #expect(export.tables.first { $0.name == "age_by_drug" }?.row("cannabis", "30-34")?.persons == 23)
        #expect(!export.notes.contains { $0.hasPrefix("Withheld whole") })
    }

    @Test("Each UN-CTS level has a protected table per disaggregation; the alternatives list only the measures used, at their stage")
    func unctsTables() throws {
        let sex: [(String, String, Int, Int, Int)] = [("06011", "female", 40, 12, 2), ("06011", "male", 60, 25, 9), ("06012", "female", 9, 8, 6), ("06012", "male", 15, 15, 11)]
        let cells = sex.map { UNCTSMapping.Count(breakdown: .sex, keys: [$0.0, $0.1], formalContact: $0.2, prosecuted: $0.3, convicted: $0.4) }
            + [UNCTSMapping.Count(breakdown: .citizenship, keys: ["06011", "national"], formalContact: 100, prosecuted: 37, convicted: 11)]
        let alternatives = [
            UNCTSMapping.AlternativeCount(measure: "probation", stage: "sentencing", sex: "male", persons: 7),
            UNCTSMapping.AlternativeCount(measure: "probation", stage: "sentencing", sex: "female", persons: 9),
            UNCTSMapping.AlternativeCount(measure: "parole", stage: "post_sentencing", sex: "male", persons: 2),
            UNCTSMapping.AlternativeCount(measure: "parole", stage: "post_sentencing", sex: "female", persons: 6),
            UNCTSMapping.AlternativeCount(measure: "officer_diversion", stage: "pre_trial", sex: "female", persons: 30),
            UNCTSMapping.AlternativeCount(measure: "officer_diversion", stage: "pre_trial", sex: "male", persons: 25),
        ]
        let export = try StatisticalExports.uncts(
            cells: cells, alternatives: alternatives, mapping: standardPolicing, year: 2025, jurisdiction: "Demo", generatedAt: generatedAt, threshold: 5
        )
        #expect(export.tables.map(\.name) == [
            "formal_contact_by_sex", "formal_contact_by_age_class", "formal_contact_by_citizenship",
            "prosecuted_by_sex", "prosecuted_by_age_class", "prosecuted_by_citizenship",
            "convicted_by_sex", "convicted_by_age_class", "convicted_by_citizenship", "alternatives",
        ])
        let contact = export.tables[0]
        #expect(contact.dimensions == ["iccs", "sex"])
        #expect(contact.rows.count == 2 * 3)
        #expect(contact.row("06011", "male")?.persons == 60)
        #expect(contact.rows.allSatisfy { !$0.suppressed })
        #expect(export.tables[2].row("06011", "national")?.persons == 100)
        let convicted = export.tables[6]
        #expect(convicted.row("06011", "female")?.suppressed == true)
        #expect(Self.everyLineHidesTwo(convicted))
        let alternativesTable = try #require(export.tables.last)
        #expect(alternativesTable.dimensions == ["measure_type", "stage", "sex"])
        #expect(alternativesTable.rows.map { "\($0.keys[0])@\($0.keys[1])" }.uniqued() == [
            "officer_diversion@pre_trial", "probation@sentencing", "parole@post_sentencing",
        ])
        #expect(alternativesTable.row("officer_diversion", "pre_trial", "female")?.persons == 30)
        #expect(alternativesTable.row("parole", "post_sentencing", "male")?.suppressed == true)
        #expect(alternativesTable.rows.filter(\.suppressed).count >= 4)
        #expect(!export.notes.contains { $0.hasPrefix("Withheld whole") })
    }

    @Test("A table whose totals alone reveal a small count is withheld whole")
    func withheldWhole() throws {
        let (table, whole) = try ExportTables.protect(
            name: "t", title: "T", dimensions: ["a", "b"], categories: [["only"], ["x", "y"]], counts: [["only", "x"]: 2, ["only", "y"]: 10], threshold: 5
        )
        #expect(whole)
        #expect(table.rows.allSatisfy { $0.suppressed })
    }

    @Test("Counts under categories not listed are kept, at the end of their dimension")
    func unlistedCategories() throws {
        let (table, _) = try ExportTables.protect(
            name: "t", title: "T", dimensions: ["a", "b"], categories: [["x", "y"], ["p", "q"]], counts: [["z", "p"]: 9], threshold: 1
        )
        #expect(table.rows.map { $0.keys.joined() } == ["xp", "xq", "yp", "yq", "zp", "zq"])
        #expect(table.row("z", "p")?.persons == 9)
    }

    @Test("CSV fields are quoted as RFC 4180 asks, and formulas are kept as text", arguments: [
        ("plain", "plain"), ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""), ("two\nlines", "\"two\nlines\""), ("", ""), ("65+", "65+"), ("=SUM(A1)", "'=SUM(A1)"), ("@cmd", "'@cmd"), ("-1,2", "\"'-1,2\""),
    ])
    func csvQuoting(text: String, expected: String) {
        #expect(StatisticalExport.csvField(text) == expected)
    }

    @Test("The CSV has a header, one line per cell, empty counts where withheld, and reads back field for field")
    func csvFile() throws {
        let export = StatisticalExport(
            standard: .tdi, year: 2025, jurisdiction: "Demo", generatedAt: generatedAt, threshold: 5, method: "m", notes: [], variables: [],
            tables: [
                ExportTable(name: "one", title: "One", dimensions: ["drug", "sex"], rows: [
                    ExportRow(keys: ["cannabis, herb", "female"], persons: 12), ExportRow(keys: ["say \"x\"", "male"], persons: nil),
                ]),
                ExportTable(name: "two", title: "Two", dimensions: ["drug", "age"], rows: [ExportRow(keys: ["cocaine", "20-24"], persons: 0)]),
            ]
        )
        let text = export.csv()
        #expect(text.hasPrefix("table,drug,sex,age,persons,suppressed\r\n"))
        #expect(text.hasSuffix("\r\n"))
        let (records, errors) = CSVReader.read(text)
        #expect(errors.isEmpty)
        #expect(records.map(\.fields) == [
            ["table", "drug", "sex", "age", "persons", "suppressed"],
            ["one", "cannabis, herb", "female", "", "12", "false"],
            ["one", "say \"x\"", "male", "", "", "true"],
            ["two", "cocaine", "", "20-24", "0", "false"],
        ])
        #expect(export.fileName(.csv) == "tdi-2025.csv")
    }

    @Test("The JSON carries the standard, year, suppression, notes, variables and rows keyed by dimension")
    func jsonFile() throws {
        let entries = [("female", "heroin", 2), ("male", "heroin", 10), ("female", "cannabis_resin", 9), ("male", "cannabis_herb", 12)].map {
            TDIMapping.Entry(sex: $0.0, ageAtEntry: 22, substance: $0.1, stage: .preTrial, measureType: nil, modality: "outpatient", persons: $0.2)
        }
        let export = try StatisticalExports.tdi(entries: entries, mapping: tdiMapping, year: 2025, jurisdiction: "Demo", generatedAt: generatedAt, threshold: 5)
        let object = try #require(try JSONSerialization.jsonObject(with: try export.json()) as? [String: Any])
        #expect(object["standard"] as? String == "tdi")
        #expect(object["year"] as? Int == 2025)
        #expect(object["jurisdiction"] as? String == "Demo")
        #expect(object["generatedAt"] as? String == "2026-01-01T00:00:00Z")
        let suppression = try #require(object["suppression"] as? [String: Any])
        #expect(suppression["threshold"] as? Int == 5)
        #expect((suppression["method"] as? String)?.isEmpty == false)
        #expect((object["notes"] as? [String])?.isEmpty == false)
        let variables = try #require(object["variables"] as? [[String: Any]])
        let route = try #require(variables.first { $0["name"] as? String == "route_of_administration" })
        #expect(route["status"] as? String == "not_recorded")
        let tables = try #require(object["tables"] as? [[String: Any]])
        #expect(tables.map { $0["name"] as? String } == ["sex_by_drug", "age_by_drug", "referral_by_drug", "centre_by_drug"])
        let rows = try #require(tables[0]["rows"] as? [[String: Any]])
        let heroinFemale = try #require(rows.first { $0["primary_drug"] as? String == "opioids" && $0["sex"] as? String == "female" })
        #expect(heroinFemale["persons"] is NSNull)
        #expect(heroinFemale["suppressed"] as? Bool == true)
        let zero = try #require(rows.first { $0["primary_drug"] as? String == "cocaine" && $0["sex"] as? String == "male" })
        #expect(zero["suppressed"] as? Bool == false)
        #expect(zero["persons"] as? Int == 0)
        // Which withheld cells are small is never said.
        #expect(!String(decoding: try export.json(), as: UTF8.self).contains("primary\""))
    }

    @Test("A year is four digits from 1970 to this year", arguments: [
        ("2025", 2025), ("1970", 1970), (" 2026 ", 2026), ("2027", nil), ("1969", nil), ("25", nil), ("twenty", nil), ("", nil), (nil, nil), ("२०२५", nil),
    ] as [(String?, Int?)])
    func years(text: String?, expected: Int?) {
        let today = CalendarDate(year: 2026, month: 3, day: 1)
        #expect((try? ExportTables.year(text, today: today)) == expected)
    }
}
