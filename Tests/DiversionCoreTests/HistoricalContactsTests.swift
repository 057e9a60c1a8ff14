import Foundation
import Testing
@testable import DiversionCore

private let today = CalendarDate(year: 2026, month: 3, day: 1)

/// The documented example file, found from this source file.
private let exampleFile = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("docs/historical-contacts-example.csv")

/// A file with the given header and rows, written the way a spreadsheet exports it.
private func csv(_ header: [String], _ rows: [[String]]) -> String {
    ([header] + rows).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
}

/// A row that imports without problems, as column → cell.
private let goodRow: [String: String] = [
    "reference": "A-1", "person": "P-1", "contact_date": "2025-06-10", "sex": "female", "age": "29", "region": "R1",
    "nationality": "PRT", "offence": "possession_personal_use", "substance": "cannabis_herb", "quantity": "12.5", "unit": "g",
    "stage": "pre_trial", "measure_type": "deferred_prosecution", "screened": "yes", "eligible": "yes", "diverted": "yes",
    "referral": "engaged", "treatment_modality": "outpatient", "intake_date": "2025-06-20", "measure_start": "2025-07-01",
    "measure_end": "2025-12-01", "measure_outcome": "completed", "incentives": "12", "sanctions": "3",
    "testing_start": "2025-07-02", "last_test": "2025-11-28", "relapse_date": "2025-09-15",
]
private let allColumns = HistoricalColumn.allCases.map(\.rawValue)

/// The good row with some cells changed ("" empties one), as a one-row file with every column.
private func file(_ changes: [String: String]) -> String {
    let row = goodRow.merging(changes) { $1 }
    return csv(allColumns, [allColumns.map { row[$0] ?? "" }])
}

private func problems(_ text: String) -> [HistoricalImportError] {
    do {
        _ = try HistoricalContacts.parse(text, policy: testPolicy, today: today)
        return []
    } catch {
        return error.errors
    }
}

@Suite("Historical contacts import")
struct HistoricalContactsTests {
    @Test("Every column's ordinal is its place among all columns")
    func columnOrdinalsFollowTheDeclaration() {
        for (place, column) in HistoricalColumn.allCases.enumerated() {
            #expect(column.ordinal == place, "\(column.rawValue)")
        }
    }

    @Test("The CSV reader follows RFC 4180: quotes, doubled quotes, line breaks inside quotes, CRLF, a byte-order mark and blank lines", arguments: [
        ("a,b\nc,d\n", [1, 2], [["a", "b"], ["c", "d"]]),
        ("a,b\r\nc,d", [1, 2], [["a", "b"], ["c", "d"]]),
        ("\u{FEFF}a,b\r\n", [1], [["a", "b"]]),
        ("\"x, y\",\"say \"\"hi\"\"\"\n", [1], [["x, y", "say \"hi\""]]),
        ("\"two\nlines\",z\nnext,row\n", [1, 3], [["two\nlines", "z"], ["next", "row"]]),
        ("a,b\n\n\r\nc,\n", [1, 4], [["a", "b"], ["c", ""]]),
        (",,\n", [1], [["", "", ""]]),
        ("\"\"\n", [1], [[""]]),
    ])
    func readsCSV(text: String, lines: [Int], fields: [[String]]) {
        let (records, errors) = CSVReader.read(text)
        #expect(errors.isEmpty)
        #expect(records.map(\.line) == lines)
        #expect(records.map(\.fields) == fields)
    }

    @Test("The CSV reader names the line of a quote out of place or never closed", arguments: [
        ("a,b\nc\"d,e\n", 2, "a quote is out of place"),
        ("a,b\n\"c\"d,e\n", 2, "a quote is out of place"),
        ("a,b\nc,\"open\nstill open\n", 2, "never closed"),
    ])
    func namesCSVProblems(text: String, line: Int, message: String) {
        let errors = CSVReader.read(text).errors
        #expect(errors.count == 1)
        #expect(errors.first?.line == line)
        #expect(errors.first?.message.contains(message) == true)
    }

    @Test("A good row becomes a historical fact with prefixed keys and every recorded step")
    func goodRowBecomesAFact() throws {
        let result = try HistoricalContacts.parse(file([:]), policy: testPolicy, today: today)
        let fact = try #require(result.facts.first)
        #expect(result.lines == [2])
        #expect(fact.source == .historical)
        #expect(fact.contactKey == "H:A-1")
        #expect(fact.personKey == "H:P-1")
        #expect(fact.occurredOn == CalendarDate(year: 2025, month: 6, day: 10))
        #expect(fact.sex == .female && fact.age == 29 && fact.region == "R1" && fact.nationality == "PRT")
        #expect(fact.offence == "possession_personal_use" && fact.substance == "cannabis_herb")
        #expect(fact.seizures == [SeizureRecord(substance: "cannabis_herb", quantity: 12.5, unit: "g")])
        #expect(fact.stage == .preTrial && fact.measureType == "deferred_prosecution")
        #expect(fact.screened && fact.eligible && fact.diverted)
        #expect(fact.referralSent && fact.referralAccepted && fact.referralEngaged)
        #expect(fact.treatmentModality == "outpatient" && fact.intakeOn == CalendarDate("2025-06-20"))
        #expect(fact.measureStartOn == CalendarDate("2025-07-01") && fact.measureEndOn == CalendarDate("2025-12-01"))
        #expect(fact.measureOutcome == "completed" && fact.incentives == 12 && fact.sanctions == 3)
        #expect(fact.testingStartOn == CalendarDate("2025-07-02") && fact.lastTestOn == CalendarDate("2025-11-28"))
        #expect(fact.relapseOn == CalendarDate("2025-09-15"))
    }

    @Test("Only the four required columns are needed, in any order and any case; the rest take their defaults")
    func requiredColumnsSuffice() throws {
        let text = "Region , CONTACT_DATE,person,reference\nR2,2024-01-31,p9,r9\n"
        let fact = try #require(try HistoricalContacts.parse(text, policy: testPolicy, today: today).facts.first)
        #expect(fact.contactKey == "H:r9" && fact.personKey == "H:p9" && fact.region == "R2")
        #expect(fact.sex == .unknown && fact.age == nil && fact.offence == "unknown" && fact.substance == nil && fact.stage == .preTrial)
        #expect(!fact.screened && !fact.eligible && !fact.diverted && !fact.referralSent)
    }

    @Test("Values are read as documented", arguments: [
        (["referral": "sent", "intake_date": "", "treatment_modality": ""], "sent only"),
        (["referral": "accepted"], "accepted"),
        (["screened": "TRUE", "eligible": "0", "diverted": "1"], "flags"),
        (["age": "", "birth_date": "1990-06-11"], "age from birth date"),
        (["measure_type": "", "measure_start": "", "measure_end": "", "measure_outcome": "", "incentives": "", "sanctions": "", "diverted": ""], "no measure"),
        (["quantity": "800", "unit": "mg", "substance": "heroin", "purity": "35"], "heroin in mg"),
        (["circumstances": "violence| weapon|near_school"], "circumstances"),
        (["nationality": "bra"], "nationality in lower case"),
    ])
    func readsValues(changes: [String: String], name: String) throws {
        let fact = try #require(try HistoricalContacts.parse(file(changes), policy: testPolicy, today: today).facts.first)
        switch name {
        case "sent only": #expect(fact.referralSent && !fact.referralAccepted && !fact.referralEngaged)
        case "accepted": #expect(fact.referralSent && fact.referralAccepted && !fact.referralEngaged)
        case "flags": #expect(fact.screened && !fact.eligible && fact.diverted)
        case "age from birth date": #expect(fact.age == 34)
        case "no measure": #expect(fact.measureType == nil && !fact.diverted)
        case "heroin in mg": #expect(fact.seizures == [SeizureRecord(substance: "heroin", quantity: 800, unit: "mg", purityPercent: 35)])
        case "circumstances": #expect(fact.circumstances == ContactCircumstances(violence: true, weapon: true, nearSchool: true))
        default: #expect(fact.nationality == "BRA")
        }
    }

    @Test("Each bad cell is one problem naming its line, its column and what to write", arguments: [
        (["contact_date": "2024-13-01"], "contact_date", "'2024-13-01' is not a date; write YYYY-MM-DD."),
        (["contact_date": ""], "contact_date", "is required; give the day of the contact as YYYY-MM-DD."),
        (["contact_date": "2026-03-02"], "contact_date", "2026-03-02 is after today (2026-03-01); historical dates cannot be in the future."),
        (["reference": ""], "reference", "is required; give the contact's reference, unique in the file."),
        (["person": ""], "person", "is required; give a code for the person (never a name), the same on each of their contacts."),
        (["sex": "f"], "sex", "'f' is not a sex; use female, male, other or unknown."),
        (["age": "121"], "age", "'121' is not an age; give whole years from 0 to 120."),
        (["birth_date": "1990-01-01"], "age", "29 does not match birth_date 1990-01-01, which makes the person 35 at the contact; give one of the two, or correct it."),
        (["birth_date": "2025-07-01", "age": ""], "birth_date", "2025-07-01 is after the contact date 2025-06-10; correct one of them."),
        (["region": ""], "region", "Give the region code where the contact happened, such as R1."),
        (["region": "North East"], "region", "A region code is up to 40 letters, digits, - or _."),
        (["nationality": "PT"], "nationality", "'PT' is not a country code; use ISO 3166-1 alpha-3, as nationality is recorded, such as PRT or BRA."),
        (["nationality": "ABC"], "nationality", "'ABC' is not a country code; use ISO 3166-1 alpha-3, as nationality is recorded, such as PRT or BRA."),
        (["offence": "theft"], "offence", "'theft' is not an offence category of the active policy (Testland T-1); use possession_personal_use or supply."),
        (["substance": "cocaine"], "substance", "'cocaine' is not a substance of the active policy; use cannabis_herb, heroin or mdma."),
        (["quantity": "\"12,5\""], "quantity", "'12,5' is not a quantity; give a number above 0, with a dot for decimals."),
        (["quantity": "0"], "quantity", "'0' is not a quantity; give a number above 0, with a dot for decimals."),
        (["substance": ""], "quantity", "needs substance: say which substance the quantity is of."),
        (["unit": "kg"], "unit", "'kg' is not a unit; use g, mg, µg, tablets, pieces, plants or blotters."),
        (["unit": "tablets"], "unit", "tablets cannot be compared with the cannabis_herb threshold, which is in g; give the quantity in g."),
        (["purity": "120"], "purity", "'120' is not a purity; give a percentage above 0 and at most 100."),
        (["quantity": "", "unit": "", "purity": "40"], "purity", "needs quantity: a purity belongs to a quantity seized."),
        (["circumstances": "violence|robbery"], "circumstances", "'robbery' is not a circumstance; use violence, weapon, supply_to_minors, near_school or organised_crime, separated by |."),
        (["stage": "appeal"], "stage", "'appeal' is not a stage; use pre_trial, trial, sentencing or post_sentencing."),
        (["measure_type": "boot_camp"], "measure_type", "'boot_camp' is not a measure type; use \(RowParser.list(MeasureType.allCases.map(\.rawValue)))."),
        (["screened": "maybe"], "screened", "'maybe' is not yes or no; write yes, no, true, false, 1 or 0."),
        (["diverted": "no"], "diverted", "is no, but the contact has a measure_type; an alternative measure counts as diversion, so write yes or leave it empty."),
        (["referral": "pending"], "referral", "'pending' is not a referral state; use none, sent, accepted or engaged."),
        (["referral": "none"], "intake_date", "needs referral: an intake follows a referral, so set referral to sent, accepted or engaged."),
        (["treatment_modality": "yoga"], "treatment_modality", "'yoga' is not a treatment modality; use \(RowParser.list(Modality.allCases.map(\.rawValue)))."),
        (["intake_date": "2025-06-01"], "intake_date", "2025-06-01 is before the contact date 2025-06-10; correct one of them."),
        (["dropped_date": "2025-06-15"], "dropped_date", "2025-06-15 is before the intake date 2025-06-20; correct one of them."),
        (["intake_date": "", "dropped_date": "2025-07-15"], "dropped_date", "needs intake_date: treatment can only end after the intake; give the intake date."),
        (["measure_end": "2025-06-30"], "measure_end", "2025-06-30 is before the measure start 2025-07-01; correct one of them."),
        (["measure_end": ""], "measure_outcome", "needs measure_end: give the day the measure ended."),
        (["measure_outcome": "pardoned"], "measure_outcome", "'pardoned' is not a measure outcome; use completed, revoked, terminated, absconded, transferred or died."),
        (["incentives": "-1"], "incentives", "'-1' is not a count; give a whole number, 0 or more."),
        (["sanctions": "2.5"], "sanctions", "'2.5' is not a count; give a whole number, 0 or more."),
        (["last_test": "2025-07-01"], "last_test", "2025-07-01 is before the testing start 2025-07-02; correct one of them."),
        (["relapse_date": "2025-12-01"], "relapse_date", "2025-12-01 is after the last test 2025-11-28; a relapse is a test result, so correct one of them."),
        (["testing_start": ""], "last_test", "needs testing_start: give the day of the first test too."),
    ])
    func namesEachProblem(changes: [String: String], column: String, message: String) {
        let found = problems(file(changes))
        #expect(found.contains(HistoricalImportError(line: 2, column: column, message: message)), "\(found)")
        #expect(found.allSatisfy { $0.line == 2 })
    }

    @Test("A measure without its type, or supervision without a measure, names the missing column", arguments: [
        ("measure_start", "needs measure_type: say which measure started."),
        ("measure_end", "needs measure_type: say which measure ended."),
        ("measure_outcome", "needs measure_type: say which measure the outcome is of."),
        ("incentives", "needs measure_type: incentives are given in the supervision of a measure."),
        ("sanctions", "needs measure_type: sanctions are given in the supervision of a measure."),
    ])
    func measureStepsNeedAMeasure(column: String, message: String) {
        let found = problems(file(["measure_type": "", "diverted": "yes"]))
        #expect(found.contains(HistoricalImportError(line: 2, column: column, message: message)), "\(found)")
    }

    @Test("The printed form reads 'line 17, contact_date: …'")
    func printedForm() {
        let e = HistoricalImportError(line: 17, column: "contact_date", message: "'2024-13-01' is not a date; write YYYY-MM-DD.")
        #expect(e.description == "line 17, contact_date: '2024-13-01' is not a date; write YYYY-MM-DD.")
        #expect(HistoricalImportError(line: 3, column: "", message: "x").description == "line 3: x")
    }

    @Test("A header with unknown, repeated or missing columns names each of them and reads no row")
    func headerProblems() {
        let found = problems("reference,person,colour,contact_date,person,Weight\nA,P,red,2025-01-01,P,3\n")
        #expect(found.map(\.column) == ["colour", "person", "Weight", "region"])
        #expect(found.allSatisfy { $0.line == 1 })
        #expect(found[0].message.hasPrefix("'colour' is not a column of a historical contacts file; remove it or rename it to one of reference, person, contact_date"))
        #expect(found[3].message == "the required column 'region' is missing; add it to the header.")
    }

    @Test("An empty file, or one holding only a byte-order mark, asks for the header")
    func emptyFile() {
        for text in ["", "\u{FEFF}", "\n\n"] {
            #expect(problems(text).map(\.message) == ["the file is empty; its first line names the columns, such as reference,person,contact_date,region."])
        }
    }

    @Test("A line with too few or too many fields is named with both counts")
    func fieldCount() {
        let found = problems("reference,person,contact_date,region\nA,P,2025-01-01\nB,P,2025-01-01,R1,extra\nC,P,2025-01-01,R1\n")
        #expect(found == [
            HistoricalImportError(line: 2, column: "", message: "has 3 fields but the header names 4 columns; check the commas and quotes on this line."),
            HistoricalImportError(line: 3, column: "", message: "has 5 fields but the header names 4 columns; check the commas and quotes on this line."),
        ])
    }

    @Test("A large file, read in slices on every core, keeps file order and finds a duplicate across slices")
    func largeFileReadInSlices() throws {
        let header = ["reference", "person", "contact_date", "region"]
        let rows = (1...30_000).map { ["R-\($0)", "P-\($0 / 3)", "2025-0\(1 + $0 % 9)-1\($0 % 10)", "R\(1 + $0 % 4)"] }
        let parsed = try HistoricalContacts.parse(csv(header, rows), policy: testPolicy, today: today)
        #expect(parsed.facts.count == 30_000)
        #expect(parsed.facts.map(\.contactKey) == (1...30_000).map { "H:R-\($0)" })
        #expect(parsed.lines == Array(2...30_001))

        var broken = rows
        broken[29_000][0] = "R-5"  // line 29 002 repeats line 6's reference, in another slice
        broken[28_000][2] = "2025-02-30"
        #expect(problems(csv(header, broken)) == [
            HistoricalImportError(line: 28_002, column: "contact_date", message: "'2025-02-30' is not a date; write YYYY-MM-DD."),
            HistoricalImportError(
                line: 29_002, column: "reference", message: "'R-5' is used again; line 6 already has it, and each contact needs its own reference."),
        ])
    }

    @Test("A reference used twice is a problem on the second line that names the first")
    func duplicateReference() {
        let text = csv(["reference", "person", "contact_date", "region"], [
            ["A-1", "P", "2025-01-01", "R1"], ["A-2", "P", "2025-02-01", "R1"], ["A-1", "Q", "2025-03-01", "R2"],
        ])
        #expect(problems(text) == [HistoricalImportError(
            line: 4, column: "reference", message: "'A-1' is used again; line 2 already has it, and each contact needs its own reference."
        )])
    }

    @Test("Problems on quoted multi-line records carry the line the record starts on, a line break in a reference is refused, and every problem of the file is found")
    func collectsEveryProblem() {
        let text = "reference,person,contact_date,region\n\"A\nB\",P,2025-01-01,R1\nC,P,bad,R1\nD,,2025-01-01,\n"
        let found = problems(text)
        #expect(found.map(\.line) == [2, 4, 5, 5])
        #expect(found.map(\.column) == ["reference", "contact_date", "person", "region"])
    }

    @Test("More than a hundred problems are listed up to a hundred and the rest counted")
    func capsTheList() throws {
        let rows = (1...150).map { ["R\($0)", "P", "2025-01-\($0 % 28 + 1 < 10 ? "0" : "")\($0 % 28 + 1)", "no region!"] }
        do {
            _ = try HistoricalContacts.parse(csv(["reference", "person", "contact_date", "region"], rows), policy: testPolicy, today: today)
            Issue.record("the file was accepted")
        } catch {
            #expect(error.errors.count == 100)
            #expect(error.more == 50)
            #expect(error.count == 150)
            #expect(error.errors.first?.line == 2 && error.errors.last?.line == 101)
        }
    }

    @Test("A reference already in the fact table is a problem on its line; others pass")
    func alreadyImported() throws {
        let text = csv(["reference", "person", "contact_date", "region"], [["A-1", "P", "2025-01-01", "R1"], ["A-2", "P", "2025-02-01", "R1"]])
        let result = try HistoricalContacts.parse(text, policy: testPolicy, today: today)
        #expect(result.alreadyImported(["H:B-9"]) == nil)
        #expect(result.alreadyImported(["H:A-2", "G:1"]) == HistoricalImportProblems(errors: [HistoricalImportError(
            line: 3, column: "reference", message: "'A-2' was imported before; import with --replace to load the whole file anew."
        )]))
    }

    @Test("The documented example file imports without problems")
    func exampleFileImports() throws {
        let text = try String(contentsOf: exampleFile, encoding: .utf8)
        let result = try HistoricalContacts.parse(text, policy: testPolicy, today: today)
        #expect(result.facts.count == 5)
        #expect(result.facts.last?.contactKey == "H:B,2024/77")
        #expect(Set(result.facts.map(\.personKey)).count == 4)
        // Every documented column appears in the example's header.
        let header = try #require(text.split(separator: "\n").first).split(separator: ",").map(String.init)
        #expect(header == allColumns)
    }
}
