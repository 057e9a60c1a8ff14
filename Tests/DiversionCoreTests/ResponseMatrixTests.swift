import Foundation
import Testing
@testable import DiversionCore

/// A change to the standard matrix and the problem it should cause.
struct MatrixBreak: Sendable, CustomTestStringConvertible {
    let name: String
    let change: @Sendable (inout ResponseMatrix) -> Void
    let path: String
    let says: String

    var testDescription: String { name }
}

private func index(of behaviour: Behaviour, phase: Int? = nil, in m: ResponseMatrix) -> Int {
    m.rules.firstIndex { $0.behaviour == behaviour && $0.phase == phase } ?? -1
}

private let breaks: [MatrixBreak] = [
    MatrixBreak(name: "unknown option code", change: { m in m.rules[0].steps[0][0] = "stocks" }, path: "rules[0].steps[0][0]", says: "There is no option 'stocks'"),
    MatrixBreak(name: "empty list of steps", change: { m in m.rules[1].steps = [] }, path: "rules[1].steps", says: "at least one step"),
    MatrixBreak(name: "empty step", change: { m in m.rules[0].steps[1] = [] }, path: "rules[0].steps[1]", says: "at least one response option"),
    MatrixBreak(name: "magnitude above 5", change: { m in m.options[0].magnitude = 6 }, path: "options[0].magnitude", says: "from 1 (lightest) to 5"),
    MatrixBreak(name: "magnitude 0", change: { m in m.options[3].magnitude = 0 }, path: "options[3].magnitude", says: "from 1 (lightest) to 5"),
    MatrixBreak(name: "phase numbers skip", change: { m in m.phases[2].number = 4; m.phases[3].number = 5 }, path: "phases[2].number",
                says: "this one should be 3, not 4"),
    MatrixBreak(name: "phase numbers repeat", change: { m in m.phases[1].number = 1 }, path: "phases[1].number", says: "this one should be 2, not 1"),
    MatrixBreak(name: "no phases", change: { m in m.phases = [] }, path: "phases", says: "at least one phase"),
    MatrixBreak(name: "rule for a phase that does not exist", change: { m in m.rules[0].phase = 7 }, path: "rules[0].phase", says: "There is no phase 7"),
    MatrixBreak(name: "duplicate code", change: { m in m.options[1].code = m.options[0].code }, path: "options[1].code", says: "used twice"),
    MatrixBreak(name: "badly written code", change: { m in m.options[0].code = "Verbal Praise" }, path: "options[0].code", says: "lowercase letters"),
    MatrixBreak(name: "unnamed phase", change: { m in m.phases[0].name = " " }, path: "phases[0].name", says: "Name the phase"),
    MatrixBreak(name: "attendance rate as a percentage", change: { m in m.phases[1].promotion.minAttendanceRate = 85 },
                path: "phases[1].promotion.minAttendanceRate", says: "from 0 to 1"),
    MatrixBreak(name: "negative days in phase", change: { m in m.phases[0].promotion.minDaysInPhase = -1 }, path: "phases[0].promotion.minDaysInPhase",
                says: "from 0 to 3650"),
    MatrixBreak(name: "no look-back window", change: { m in m.lookBackDays = 0 }, path: "lookBackDays", says: "from 1 to 365"),
    MatrixBreak(name: "rule window too long", change: { m in m.rules[0].lookBackDays = 400 }, path: "rules[0].lookBackDays", says: "from 1 to 365"),
    MatrixBreak(name: "zero ratio target", change: { m in m.incentiveRatioTarget = 0 }, path: "incentiveRatioTarget", says: "above 0"),
    MatrixBreak(name: "sanction in the early-treatment steps", change: { m in m.earlyTreatment.steps[0] = ["verbal_warning"] },
                path: "earlyTreatment.steps[0][0]", says: "is a sanction"),
    MatrixBreak(name: "jail for a first occurrence", change: { m in m.rules[index(of: .curfewViolation, in: m)].steps[0] = ["short_jail_stay"] },
                path: "rules[\(index(of: .curfewViolation, in: .standard))].steps[0][0]", says: "cannot answer a first occurrence"),
    MatrixBreak(name: "jail for substance use", change: { m in m.rules[index(of: .positiveTest, phase: 2, in: m)].steps[2] = ["short_jail_stay"] },
                path: "rules[\(index(of: .positiveTest, phase: 2, in: .standard))].steps[2][0]", says: "never answers substance use alone"),
    MatrixBreak(name: "sanction for progress", change: { m in m.rules[index(of: .completedHours, in: m)].steps[0] = ["verbal_warning"] },
                path: "rules[\(index(of: .completedHours, in: .standard))].steps[0][0]", says: "answered with incentives; 'verbal_warning' is a sanction"),
    MatrixBreak(name: "incentive for a missed test", change: { m in m.rules[0].steps[0] = ["gift_voucher"] }, path: "rules[0].steps[0][0]",
                says: "'gift_voucher' is an incentive"),
    MatrixBreak(name: "same code twice in a step", change: { m in m.rules[0].steps[0] = ["verbal_warning", "verbal_warning"] }, path: "rules[0].steps[0][1]",
                says: "listed twice"),
    MatrixBreak(name: "two rules for one behaviour and phase", change: { m in m.rules.append(m.rules[0]) }, path: "rules[\(ResponseMatrix.standard.rules.count)]",
                says: "already given at rules[0]"),
    MatrixBreak(name: "behaviour left unanswered", change: { m in m.rules.removeAll { $0.behaviour == .paymentMade } }, path: "rules",
                says: "No rule answers payment_made in phase 1"),
]

@Suite("The response matrix, its ratio and phase promotion")
struct ResponseMatrixTests {
    @Test func theStandardMatrixHasNoProblems() {
        #expect(ResponseMatrix.standard.validate() == [])
        #expect(ResponseMatrix.standard.phases.map(\.number) == [1, 2, 3, 4])
        #expect(ResponseMatrix.standard.incentiveRatioTarget == 4)
    }

    @Test func theCatalogueHasEveryKindAndJailIsTheOnlyLastResort() {
        let catalogue = ResponseOption.catalogue
        #expect(Set(catalogue.map(\.kind)) == Set(ResponseKind.allCases))
        #expect(catalogue.filter(\.isLastResort).map(\.code) == ["short_jail_stay"])
        #expect(catalogue.allSatisfy { ResponseOption.magnitudes.contains($0.magnitude) })
        #expect(Set(catalogue.map(\.code)).count == catalogue.count)
    }

    @Test(arguments: breaks)
    func eachProblemNamesItsPath(broken: MatrixBreak) {
        var matrix = ResponseMatrix.standard
        broken.change(&matrix)
        let problems = matrix.validate()
        #expect(problems.contains { $0.path == broken.path && $0.message.contains(broken.says) }, "\(problems.map(\.description))")
    }

    @Test func problemsCanBeNamedUnderThePolicyThatCarriesTheMatrix() {
        var matrix = ResponseMatrix.standard
        matrix.options[0].magnitude = 9
        #expect(matrix.validate(prefix: "responseMatrix").map(\.path) == ["responseMatrix.options[0].magnitude"])
    }

    @Test func theMatrixSurvivesAJSONRoundTrip() throws {
        let data = try JSONEncoder().encode(ResponseMatrix.standard)
        #expect(try JSONDecoder().decode(ResponseMatrix.self, from: data) == .standard)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"negative_test_run\"") && text.contains("\"treatment_adjustment\""))
    }

    @Test(arguments: [
        (4, 1, 4.0 as Double?, false), (40, 10, 4.0, false), (39, 10, 3.9, true), (12, 3, 4.0, false), (11, 3, 11.0 / 3, true),
        (3, 1, 3.0, true), (0, 3, 0.0, true), (9, 1, 9.0, false), (5, 0, nil, false), (0, 0, nil, false),
    ])
    func theRatioIsFlaggedOnlyBelowFourToOne(incentives: Int, sanctions: Int, ratio: Double?, below: Bool) {
        let r = ResponseRatio(incentives: incentives, sanctions: sanctions)
        #expect(r.ratio == ratio)
        #expect(r.belowTarget == below)
    }

    @Test(arguments: [(2.0, 4, 2, false), (2.0, 3, 2, true), (2.0, 3, 1, false), (2.0, 5, 3, true), (4.5, 9, 2, false), (4.5, 8, 2, true)])
    func theTargetCanBeSetByTheProgramme(target: Double, incentives: Int, sanctions: Int, below: Bool) {
        #expect(ResponseRatio(incentives: incentives, sanctions: sanctions, target: target).belowTarget == below)
    }

    @Test(arguments: [
        (12, 3, "12 incentives to 3 sanctions (4.0:1)"), (39, 10, "39 incentives to 10 sanctions (3.9:1, below the 4.0:1 aim)"),
        (79, 20, "79 incentives to 20 sanctions (3.9:1, below the 4.0:1 aim)"), (1, 1, "1 incentive to 1 sanction (1.0:1, below the 4.0:1 aim)"),
        (5, 0, "5 incentives and no sanctions"), (0, 0, "No incentives or sanctions yet"),
    ])
    func theRatioReadsAsASentence(incentives: Int, sanctions: Int, summary: String) {
        #expect(ResponseRatio(incentives: incentives, sanctions: sanctions).summary == summary)
    }

    @Test func theRatioIsWrittenWithItsFlag() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let below = String(decoding: try encoder.encode(ResponseRatio(incentives: 39, sanctions: 10)), as: UTF8.self)
        #expect(below == #"{"belowTarget":true,"incentives":39,"ratio":3.9,"sanctions":10,"target":4,"treatmentAdjustments":0}"#)
        let none = String(decoding: try encoder.encode(ResponseRatio(incentives: 2, sanctions: 0)), as: UTF8.self)
        #expect(none == #"{"belowTarget":false,"incentives":2,"ratio":null,"sanctions":0,"target":4,"treatmentAdjustments":0}"#)
        let read = try JSONDecoder().decode(ResponseRatio.self, from: Data(#"{"incentives":3,"sanctions":1,"ratio":99,"belowTarget":false}"#.utf8))
        #expect(read == ResponseRatio(incentives: 3, sanctions: 1))
        #expect(read.belowTarget)
    }

    @Test func ratiosAreCountedPerPersonAndPerProgrammeWithAdjustmentsApart() throws {
        let court = UUID(), other = UUID(), ana = UUID(), ben = UUID()
        func response(_ code: String, _ person: UUID, _ programme: UUID) throws -> RecordedResponse {
            RecordedResponse(id: UUID(), measureID: UUID(), personID: person, programmeID: programme, behaviour: .missedTest, behaviourAt: .now, phase: 1,
                             option: try #require(ResponseMatrix.standard.option(code)), wasSuggested: true, decidedByUserID: UUID(),
                             decidedByName: "Case manager", decidedAt: .now, why: "Team decision.")
        }
        let responses = try (0..<4).map { _ in try response("verbal_praise", ana, court) } + [
            try response("verbal_warning", ana, court), try response("reassessment", ana, court),
            try response("certificate", ben, court), try response("increased_testing", ben, court), try response("verbal_warning", ben, other),
        ]
        let people = ResponseRatio.byPerson(responses)
        #expect(people[ana] == ResponseRatio(incentives: 4, sanctions: 1, treatmentAdjustments: 1))
        #expect(people[ana]?.belowTarget == false)
        #expect(people[ben] == ResponseRatio(incentives: 1, sanctions: 2))
        #expect(people[ben]?.belowTarget == true)
        let programmes = ResponseRatio.byProgramme(responses)
        #expect(programmes[court] == ResponseRatio(incentives: 5, sanctions: 2, treatmentAdjustments: 1))
        #expect(programmes[court]?.belowTarget == true)
        #expect(programmes[other]?.ratio == 0)
        #expect(ResponseRatio([]) == ResponseRatio(incentives: 0, sanctions: 0))
    }

    @Test(arguments: [
        (30, 4, 0.8, true), (29, 4, 0.8, false), (30, 3, 0.8, false), (30, 4, 0.79, false), (30, 4, 0.7999, false),
        (31, 5, 0.85, true), (0, 0, 0.0, false), (365, 40, 1.0, true), (30, 4, 1.01, false), (30, 4, -0.1, false), (30, 4, .nan, false),
    ])
    func promotionNeedsEveryCriterionAndTheMinimumItselfCounts(days: Int, negatives: Int, rate: Double, eligible: Bool) {
        let criteria = ResponseMatrix.PromotionCriteria(minDaysInPhase: 30, minConsecutiveNegativeTests: 4, minAttendanceRate: 0.8)
        let result = PhasePromotion.check(criteria, daysInPhase: days, consecutiveNegatives: negatives, attendanceRate: rate)
        #expect(result.eligible == eligible)
        #expect(result.reasons.count == 3)
        #expect(result.reasons.filter { $0.hasSuffix("not yet met.") }.isEmpty == eligible)
    }

    @Test func anAttendanceRateComputedFromCountsMeetsTheSameMinimum() {
        let criteria = ResponseMatrix.PromotionCriteria(minDaysInPhase: 0, minConsecutiveNegativeTests: 0, minAttendanceRate: 0.85)
        #expect(PhasePromotion.check(criteria, daysInPhase: 0, consecutiveNegatives: 0, attendanceRate: 17.0 / 20).eligible)
        #expect(PhasePromotion.check(criteria, daysInPhase: 0, consecutiveNegatives: 0, attendanceRate: 0.7 + 0.15).eligible)
        #expect(!PhasePromotion.check(criteria, daysInPhase: 0, consecutiveNegatives: 0, attendanceRate: 16.0 / 20).eligible)
    }

    @Test func promotionReasonsSayWhatIsMissing() {
        let phase = ResponseMatrix.standard.phases[0]
        let result = PhasePromotion.check(phase: phase, in: .standard, daysInPhase: 21, consecutiveNegatives: 4, attendanceRate: 0.75)
        #expect(!result.eligible)
        #expect(result.reasons == [
            "Not yet eligible for promotion to phase 2 (Intensive treatment).",
            "21 days in this phase, at least 30 needed (9 more): not yet met.",
            "4 consecutive negative tests, at least 4 needed: met.",
            "Attendance 75 %, at least 80 % needed: not yet met.",
        ])
    }

    @Test func meetingTheLastPhaseMeansGraduation() {
        let last = ResponseMatrix.standard.phases[3]
        let result = PhasePromotion.check(phase: last, in: .standard, daysInPhase: 90, consecutiveNegatives: 16, attendanceRate: 0.925)
        #expect(result.eligible)
        #expect(result.reasons.first == "Eligible for graduation.")
        #expect(result.reasons.last == "Attendance 92.5 %, at least 90 % needed: met.")
    }

    @Test(arguments: [
        ("community_service", "Second missed test this month; agreed with the team.", Behaviour.missedTest, [] as [String]),
        ("verbal_praise", "Eight weeks of negative tests.", .negativeTestRun, []),
        ("reassessment", "Use in week two.", .positiveTest, []),
        (nil, "Because.", .missedTest, ["optionCode"]),
        ("stocks", "Because.", .missedTest, ["optionCode"]),
        ("verbal_warning", "   ", .missedTest, ["why"]),
        ("increased_testing", "Because.", .negativeTestRun, ["optionCode"]),
        ("gift_voucher", nil, .missedAppointment, ["optionCode", "why"]),
    ] as [(String?, String?, Behaviour, [String])])
    func aChosenResponseNeedsAKnownFittingOptionAndAReason(code: String?, why: String?, behaviour: Behaviour, fields: [String]) {
        do {
            let option = try RecordedResponse.checkChoice(optionCode: code, why: why, behaviour: behaviour)
            #expect(fields.isEmpty, "accepted \(option.code)")
            #expect(option.code == code)
        } catch {
            #expect(error.errors.map(\.field) == fields)
        }
    }
}
