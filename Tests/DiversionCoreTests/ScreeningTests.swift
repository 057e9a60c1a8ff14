import Foundation
import Testing
@testable import DiversionCore

func yesNo(_ values: [Bool]) -> AnswerValue { .array(values.map(AnswerValue.bool)) }
func options(_ values: [Int]) -> AnswerValue { .array(values.map { .number(Double($0)) }) }

/// The fields named by the validation failure `body` throws; empty when it succeeds.
func fields(_ body: () throws -> ScreeningResult) -> [String] {
    do {
        _ = try body()
        return []
    } catch let failure as ValidationFailure {
        return failure.errors.map(\.field)
    } catch {
        return ["unexpected \(error)"]
    }
}

@Suite("DAST-10")
struct DAST10Tests {
    @Test func theWorkedExampleScoresFiveModerate() throws {
        // Yes to items 1, 2, 5, 6; no to item 3; no elsewhere.
        let answers = yesNo([true, true, false, false, true, true, false, false, false, false])
        let result = try Screening.score(.dast10, answers: answers, sex: nil)
        #expect(result.score == 5)
        #expect(result.level == "moderate")
        #expect(result.version == "1982")
    }

    @Test(arguments: [(0, "none"), (1, "low"), (2, "low"), (3, "moderate"), (5, "moderate"), (6, "substantial"), (8, "substantial"), (9, "severe"), (10, "severe")])
    func bandsMeetAtTheirBoundaries(score: Int, level: String) throws {
        // Item 3 answered yes scores 0, so risk answers are "yes" everywhere but item 3.
        var answers = [Bool](repeating: false, count: 10)
        answers[2] = true
        let others = [0, 1, 3, 4, 5, 6, 7, 8, 9]
        for i in others.prefix(min(score, 9)) { answers[i] = true }
        if score == 10 { answers[2] = false }
        let result = try Screening.score(.dast10, answers: yesNo(answers), sex: nil)
        #expect(result.score == score)
        #expect(result.level == level)
    }

    @Test func impossibleAnswersNameTheItem() {
        #expect(fields { try Screening.score(.dast10, answers: yesNo([true]), sex: nil) } == ["answers"])
        var items = [AnswerValue](repeating: .bool(false), count: 10)
        items[4] = .number(1)
        #expect(fields { try Screening.score(.dast10, answers: .array(items), sex: nil) } == ["answers[4]"])
        #expect(fields { try Screening.score(.dast10, answers: .object([:]), sex: nil) } == ["answers"])
    }
}

@Suite("AUDIT and AUDIT-C")
struct AUDITTests {
    @Test func theWorkedExampleScores23InZoneIV() throws {
        // Scores 4,3,3,2,2,1,1,1,4,2: items 9 and 10 are answered 2 and 1 (scored 4 and 2).
        let result = try Screening.score(.audit, answers: options([4, 3, 3, 2, 2, 1, 1, 1, 2, 1]), sex: nil)
        #expect(result.score == 23)
        #expect(result.level == "IV")
    }

    @Test(arguments: [
        ([1, 1, 1, 1, 1, 1, 1, 0, 0, 0], 7, "I"),
        ([1, 1, 1, 1, 1, 1, 1, 1, 0, 0], 8, "II"),
        ([3, 2, 2, 1, 1, 1, 2, 2, 1, 0], 16, "III"),
        ([4, 4, 4, 1, 1, 1, 1, 1, 1, 1], 21, "IV"),
        ([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 12, "II"),
    ])
    func zonesFollowTheTotal(answers: [Int], total: Int, level: String) throws {
        let result = try Screening.score(.audit, answers: options(answers), sex: nil)
        #expect(result.score == total)
        #expect(result.level == level)
    }

    @Test func dependenceSignsStepUpOneZone() throws {
        // Total 6 (zone I) but items 4, 5 and 6 each score 2: zone II.
        let result = try Screening.score(.audit, answers: options([0, 0, 0, 2, 2, 2, 0, 0, 0, 0]), sex: nil)
        #expect(result.score == 6)
        #expect(result.level == "II")
    }

    @Test func harmInTheLastYearStepsUpOneZone() throws {
        // Item 10 answered "yes, during the last year" scores 4: zone I becomes II.
        let result = try Screening.score(.audit, answers: options([1, 0, 0, 0, 0, 0, 0, 0, 0, 2]), sex: nil)
        #expect(result.score == 5)
        #expect(result.level == "II")
    }

    @Test func itemsNineAndTenTakeOnlyThreeOptions() {
        #expect(fields { try Screening.score(.audit, answers: options([0, 0, 0, 0, 0, 0, 0, 0, 3, 0]), sex: nil) } == ["answers[8]"])
        #expect(fields { try Screening.score(.audit, answers: options([5, 0, 0, 0, 0, 0, 0, 0, 0, 0]), sex: nil) } == ["answers[0]"])
        #expect(fields { try Screening.score(.audit, answers: .array([.number(1.5)] + [AnswerValue](repeating: .number(0), count: 9)), sex: nil) } == ["answers[0]"])
    }

    @Test func auditCWorkedExampleIsPositive() throws {
        let result = try Screening.score(.auditc, answers: options([2, 2, 1]), sex: .male)
        #expect(result.score == 5)
        #expect(result.level == "positive")
    }

    @Test(arguments: [(Sex.male, 3, "negative"), (.male, 4, "positive"), (.female, 2, "negative"), (.female, 3, "positive"), (.unknown, 3, "positive")])
    func auditCCutOffsDependOnSex(sex: Sex, total: Int, level: String) throws {
        let result = try Screening.score(.auditc, answers: options([total, 0, 0].map { min($0, 4) }), sex: sex)
        #expect(result.level == level)
    }

    @Test func auditCNeedsTheSex() {
        #expect(fields { try Screening.score(.auditc, answers: options([1, 1, 1]), sex: nil) } == ["sex"])
    }
}

@Suite("WHO ASSIST")
struct ASSISTTests {
    func substance(_ q: [String: Int?], everUsed: Bool = true) -> AnswerValue {
        var object: [String: AnswerValue] = ["q1": .bool(everUsed)]
        for (key, value) in q { object[key] = value.map { .number(Double($0)) } ?? .null }
        return .object(object)
    }

    @Test func theCannabisWorkedExampleScores18Moderate() throws {
        // 4 + 4 + 4 + 0 + 6 + 0: weekly use, monthly urges, problems once or twice, concern in the past 3 months.
        let answers = AnswerValue.object(["cannabis": substance(["q2": 3, "q3": 2, "q4": 1, "q5": 0, "q6": 1, "q7": 0])])
        let result = try Screening.score(.assist, answers: answers, sex: nil)
        #expect(result.substances?.first == .init(substance: "cannabis", score: 18, level: "moderate"))
        #expect(result.level == "moderate")
        #expect(result.score == 18)
        #expect(result.recommendation == "Brief intervention.")
    }

    @Test func theAlcoholWorkedExampleScoresThreeLower() throws {
        let answers = AnswerValue.object(["alcohol": substance(["q2": 2, "q3": 0, "q4": 0, "q5": 0, "q6": 0, "q7": 0])])
        let result = try Screening.score(.assist, answers: answers, sex: nil)
        #expect(result.substances?.first?.score == 3)
        #expect(result.level == "lower")
    }

    @Test func noRecentUseCanStillBeModerate() throws {
        // Cocaine once long ago: q2 never, concern and failed control both "not in the past 3 months".
        let answers = AnswerValue.object(["cocaine": substance(["q2": 0, "q6": 2, "q7": 2])])
        let result = try Screening.score(.assist, answers: answers, sex: nil)
        #expect(result.substances?.first == .init(substance: "cocaine", score: 6, level: "moderate"))
    }

    @Test(arguments: [
        ("alcohol", 10, "lower"), ("alcohol", 11, "moderate"), ("alcohol", 26, "moderate"), ("alcohol", 27, "high"),
        ("opioids", 3, "lower"), ("opioids", 4, "moderate"), ("opioids", 26, "moderate"), ("opioids", 27, "high"),
    ])
    func riskLevelsChangeAtTheirBoundaries(substance: String, score: Int, level: String) {
        #expect(ASSIST.level(score, substance: substance) == level)
    }

    @Test func theHighestSubstanceSetsTheOverallLevel() throws {
        let answers = AnswerValue.object([
            "alcohol": substance(["q2": 2, "q3": 0, "q4": 0, "q5": 0, "q6": 0, "q7": 0]),
            "opioids": substance(["q2": 4, "q3": 4, "q4": 4, "q5": 4, "q6": 1, "q7": 1, "q8": 1]),
            "tobacco": substance([:], everUsed: false),
        ])
        let result = try Screening.score(.assist, answers: answers, sex: nil)
        #expect(result.level == "high")
        #expect(result.score == 39)
        #expect(result.substances?.map(\.substance) == ["alcohol", "opioids"])
        #expect(result.recommendation.contains("specialist"))
        #expect(result.recommendation.contains("Injecting"))
    }

    @Test func impossibleAnswersNameTheItem() {
        let recentWithoutUse = AnswerValue.object(["cannabis": substance(["q2": 0, "q3": 2, "q6": 0, "q7": 0])])
        #expect(fields { try Screening.score(.assist, answers: recentWithoutUse, sex: nil) } == ["answers.cannabis.q3"])
        let neverButFrequent = AnswerValue.object(["cannabis": substance(["q2": 3], everUsed: false)])
        #expect(fields { try Screening.score(.assist, answers: neverButFrequent, sex: nil) } == ["answers.cannabis.q2"])
        let tobaccoQ5 = AnswerValue.object(["tobacco": substance(["q2": 4, "q3": 1, "q4": 0, "q5": 1, "q6": 0, "q7": 0])])
        #expect(fields { try Screening.score(.assist, answers: tobaccoQ5, sex: nil) } == ["answers.tobacco.q5"])
        let unknown = AnswerValue.object(["ketamine": substance(["q2": 1])])
        #expect(fields { try Screening.score(.assist, answers: unknown, sex: nil) } == ["answers.ketamine"])
        let outOfRange = AnswerValue.object(["alcohol": substance(["q2": 5, "q6": 0, "q7": 0])])
        #expect(fields { try Screening.score(.assist, answers: outOfRange, sex: nil) } == ["answers.alcohol.q2"])
        let missing = AnswerValue.object(["alcohol": substance(["q2": 1, "q3": 0, "q4": 0, "q6": 0, "q7": 0])])
        #expect(fields { try Screening.score(.assist, answers: missing, sex: nil) } == ["answers.alcohol.q5"])
    }
}

@Suite("CRAFFT 2.1")
struct CRAFFTTests {
    func answers(days: [Int], partB: [Bool]) -> AnswerValue {
        .object([
            "partA": .object(["alcoholDays": .number(Double(days[0])), "cannabisDays": .number(Double(days[1])), "otherDays": .number(Double(days[2]))]),
            "partB": yesNo(partB),
        ])
    }

    @Test(arguments: [([false, false, false, false, false, false], 0, "negative"), ([false, true, false, false, false, false], 1, "negative"), ([false, true, true, false, false, false], 2, "positive"), ([true, true, true, true, true, true], 6, "positive")])
    func twoOrMoreYesAnswersArePositive(partB: [Bool], score: Int, level: String) throws {
        let result = try Screening.score(.crafft, answers: answers(days: [3, 0, 0], partB: partB), sex: nil)
        #expect(result.score == score)
        #expect(result.level == level)
    }

    @Test func withNoUseOnlyTheCarItemIsAsked() throws {
        let result = try Screening.score(.crafft, answers: answers(days: [0, 0, 0], partB: [true]), sex: nil)
        #expect(result.score == 1)
        #expect(result.level == "negative")
        #expect(result.recommendation.contains("driver"))
        #expect(fields { try Screening.score(.crafft, answers: answers(days: [0, 0, 0], partB: [true, false, false, false, false, false]), sex: nil) } == ["answers.partB"])
        #expect(fields { try Screening.score(.crafft, answers: answers(days: [5, 0, 0], partB: [true]), sex: nil) } == ["answers.partB"])
    }

    @Test func daysOutsideTheYearAreRefused() {
        #expect(fields { try Screening.score(.crafft, answers: answers(days: [400, 0, 0], partB: [false]), sex: nil) } == ["answers.partA.alcoholDays"])
        #expect(fields { try Screening.score(.crafft, answers: answers(days: [-1, 0, 0], partB: [false]), sex: nil) } == ["answers.partA.alcoholDays"])
    }
}

@Suite("Which instrument fits whom")
struct ScreeningRulesTests {
    @Test(arguments: [
        (ScreeningInstrument.crafft, 11, false), (.crafft, 12, true), (.crafft, 17, true), (.crafft, 21, true), (.crafft, 22, false),
        (.assist, 17, false), (.assist, 18, true), (.dast10, 16, false), (.audit, 40, true), (.auditc, 18, true),
    ])
    func minorsAreScreenedWithCRAFFTWithinItsAges(instrument: ScreeningInstrument, age: Int, fits: Bool) {
        #expect((ScreeningRules.instrumentProblem(instrument, age: age, ageOfMajority: 18) == nil) == fits)
    }
}
