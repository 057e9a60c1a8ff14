import DiversionCore
import Foundation
import Testing
@testable import DiversionApp

@Suite("From page forms to the core's inputs")
struct FormMappingTests {
    @Test func crafftWithoutUseAsksOnlyTheCarItem() {
        let answers = ScreeningPages.answers(.crafft, ["ca1": "0", "ca2": "0", "ca3": "0", "cb1": "yes", "cb2": "yes"])
        guard case .object(let root) = answers, case .array(let partB)? = root["partB"] else {
            Issue.record("CRAFFT answers are an object with part B")
            return
        }
        #expect(partB == [.bool(true)])
        #expect((try? Screening.score(.crafft, answers: answers, sex: nil))?.score == 1)
    }

    @Test func crafftWithUseAsksAllSixItems() {
        let answers = ScreeningPages.answers(.crafft, ["ca1": "3", "ca2": "0", "ca3": "0", "cb1": "no", "cb2": "yes", "cb3": "yes", "cb4": "no", "cb5": "no", "cb6": "no"])
        #expect((try? Screening.score(.crafft, answers: answers, sex: nil))?.level == "positive")
    }

    @Test func assistLeavesOutWhatIsNotAskedAndKeepsInjectingOnce() throws {
        let values = [
            "tobacco_q1": "yes", "tobacco_q2": "4", "tobacco_q3": "4", "tobacco_q4": "0", "tobacco_q5": "3", "tobacco_q6": "0", "tobacco_q7": "0",
            "cannabis_q1": "yes", "cannabis_q2": "0", "cannabis_q3": "4", "cannabis_q6": "0", "cannabis_q7": "0",
            "opioids_q1": "yes", "opioids_q2": "4", "opioids_q3": "4", "opioids_q4": "3", "opioids_q5": "2", "opioids_q6": "1", "opioids_q7": "1",
            "cocaine_q1": "no", "cocaine_q2": "4", "inject": "1",
        ]
        let answers = ScreeningPages.answers(.assist, values)
        guard case .object(let root) = answers else { Issue.record("ASSIST answers are an object"); return }
        #expect(root["cocaine"] == nil)
        guard case .object(let tobacco)? = root["tobacco"], case .object(let cannabis)? = root["cannabis"], case .object(let opioids)? = root["opioids"] else {
            Issue.record("used substances are answered")
            return
        }
        #expect(tobacco["q5"] == nil)
        #expect(cannabis["q3"] == nil)
        #expect(cannabis["q8"] == .number(1))
        #expect(opioids["q8"] == nil)
        let result = try Screening.score(.assist, answers: answers, sex: nil)
        #expect(result.level == "high")
        #expect(result.recommendation.contains("Injecting"))
    }

    @Test func unansweredDastItemsAreNamedByTheCore() {
        let answers = ScreeningPages.answers(.dast10, ["d1": "yes"])
        #expect(throws: ValidationFailure.self) { try Screening.score(.dast10, answers: answers, sex: nil) }
    }

    @Test func emptySeizureRowsAreSkippedAndCommasAreDecimalPoints() throws {
        var form = ContactPages.ContactForm()
        form.offence = "possession_personal_use"
        form.occurredAt = "2026-11-20T21:40"
        form.seizures = [
            .init(substance: "cannabis_herb", quantity: "12,5", unit: "g", purity: "", packaging: ["scales"]),
            .init(substance: "", quantity: "", unit: "g", purity: "", packaging: nil),
        ]
        let input = try ContactPages.input(from: form)
        #expect(input.seizures?.count == 1)
        #expect(input.seizures?.first?.quantity == 12.5)
        #expect(input.seizures?.first?.packaging == ["scales"])
        #expect(input.occurredAt == "2026-11-20T21:40:00Z")
        #expect(input.person != nil)
    }

    @Test(arguments: [("abc", "", "seizures[0].quantity"), ("1", "x", "seizures[0].purityPercent")])
    func unreadableNumbersAreNamed(quantity: String, purity: String, field: String) {
        var form = ContactPages.ContactForm()
        form.offence = "possession_personal_use"
        form.seizures = [.init(substance: "cocaine", quantity: quantity, unit: "g", purity: purity, packaging: nil)]
        #expect {
            try ContactPages.input(from: form)
        } throws: { error in
            (error as? ValidationFailure)?.errors.map(\.field) == [field]
        }
    }

    @Test func officialWordingReplacesOurPromptsKeyByKey() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wording-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(#"{"dast10.q1": "Official item one"}"#.utf8).write(to: folder.appendingPathComponent("en.json"))
        let ours = try InstrumentWording(directory: AppResources.directory.appendingPathComponent("Instruments"))
        let wording = try InstrumentWording(directory: AppResources.directory.appendingPathComponent("Instruments"), override: folder)
        #expect(wording.prompts("en")["dast10.q1"] == "Official item one")
        #expect(wording.prompts("en")["dast10.q2"] == ours.prompts("en")["dast10.q2"])
        #expect(wording.prompts("es")["dast10.q1"] == ours.prompts("es")["dast10.q1"])
    }

    @Test func everyLanguageHasEveryPrompt() throws {
        let wording = try InstrumentWording(directory: AppResources.directory.appendingPathComponent("Instruments"))
        let english = Set(wording.prompts("en").keys)
        #expect(english.count > 100)
        for language in Localizer.supported {
            let prompts = wording.prompts(language)
            #expect(Set(prompts.keys) == english)
            if language != "en" { #expect(prompts["dast10.q1"] != wording.prompts("en")["dast10.q1"], "\(language)") }
        }
    }
}
