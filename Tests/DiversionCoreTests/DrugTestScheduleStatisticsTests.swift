import Foundation
import Testing
@testable import DiversionCore

/// Statistical checks of the draw. Seeds are fixed, so each test sees the same draws on every run and cannot flake;
/// the thresholds are what a fair draw passes with probability 0.999 or better.
@Suite("Random test days are fair and unpredictable")
struct DrugTestScheduleStatisticsTests {
    static let planID = UUID(uuidString: "0d6c1a52-3f4e-4c1b-9a57-2b7f3d6e8c10")!
    static let fullWeek = PlanWeek(
        index: 0, monday: CalendarDate(year: 2026, month: 1, day: 5),
        days: (0..<7).map { CalendarDate(year: 2026, month: 1, day: 5 + $0) }
    )

    /// χ² with 6 degrees of freedom above which equal chances are rejected at p = 0.001.
    static let chiSquareCritical6 = 22.46
    /// χ² with 2 degrees of freedom above which equal chances are rejected at p = 0.001.
    static let chiSquareCritical2 = 13.82

    static func chiSquare(_ counts: [Int]) -> Double {
        let expected = Double(counts.reduce(0, +)) / Double(counts.count)
        return counts.reduce(0) { $0 + pow(Double($1) - expected, 2) / expected }
    }

    /// `weeks` draws of `week` (re-indexed each time, so each is a fresh week of one plan), as offsets from its first day.
    static func simulate(_ week: PlanWeek, minimum: Int, weeks: Int, seed: PlanSeed = testSeed(7)) -> [[Int]] {
        (0..<weeks).map { i in
            let w = PlanWeek(index: i, monday: week.monday, days: week.days)
            return TestSchedule.draw(w, minimumPerWeek: minimum, planID: planID, seed: seed, hashing: .reference)
                .map { $0.dayNumber - week.days[0].dayNumber }
        }
    }

    @Test(arguments: [1, 2, 3])
    func everyDayOfTheWeekHasTheSameChanceOfBeingATestDay(minimum: Int) {
        let draws = Self.simulate(Self.fullWeek, minimum: minimum, weeks: 20_000)
        var perDay = [Int](repeating: 0, count: 7)
        for week in draws { for day in week { perDay[day] += 1 } }
        let chiSquare = Self.chiSquare(perDay)
        #expect(chiSquare < Self.chiSquareCritical6, "χ² \(chiSquare) over weekdays \(perDay) rejects equal chances at p = 0.001")
        // Saturday and Sunday are as likely as a Tuesday, and each day comes up as often as the rules say.
        for count in perDay {
            #expect(abs(Double(count) / 20_000 - TestSchedule.dailyChance(minimumPerWeek: minimum)) < 0.015)
        }
    }

    @Test(arguments: [1, 2, 3])
    func everyWeekHasAtLeastTheMinimumButTheCountVaries(minimum: Int) {
        let counts = Self.simulate(Self.fullWeek, minimum: minimum, weeks: 20_000).map(\.count)
        #expect(counts.min() == minimum)
        #expect(Set(counts).count >= 3, "the number of tests a week should not be predictable: \(Set(counts).sorted())")
        let mean = Double(counts.reduce(0, +)) / Double(counts.count)
        let expectedMean = Double(minimum) + Double(7 - minimum) * Double(TestSchedule.extraChancePerMille) / 1000
        #expect(abs(mean - expectedMean) < 0.03, "mean \(mean), expected \(expectedMean)")
    }

    @Test func noWeekHasTheSameDayTwice() {
        for week in Self.simulate(Self.fullWeek, minimum: 3, weeks: 2_000) {
            #expect(Set(week).count == week.count)
            #expect(week == week.sorted())
        }
    }

    @Test func aWeekOfSevenTestsIsEveryDay() {
        #expect(Self.simulate(Self.fullWeek, minimum: 7, weeks: 50).allSatisfy { $0 == Array(0..<7) })
    }

    /// Fri–Sun of a condition that starts on a Friday: pro rata minimum with random rounding keeps each day's
    /// chance the same as in a full week, so the first and last days are not easier or harder to predict.
    @Test(arguments: [1, 2, 3])
    func daysOfAPartialWeekHaveTheSameChanceAsInAFullWeek(minimum: Int) {
        let partial = PlanWeek(index: 0, monday: Self.fullWeek.monday, days: Array(Self.fullWeek.days[4...]))
        let draws = Self.simulate(partial, minimum: minimum, weeks: 20_000)
        var perDay = [0, 0, 0]
        for week in draws { for day in week { perDay[day] += 1 } }
        #expect(Self.chiSquare(perDay) < Self.chiSquareCritical2, "χ² over Fri–Sun \(perDay)")
        for count in perDay {
            #expect(abs(Double(count) / 20_000 - TestSchedule.dailyChance(minimumPerWeek: minimum)) < 0.015)
        }
        #expect(draws.allSatisfy { $0.count >= TestSchedule.guaranteedMinimum(for: partial, minimumPerWeek: minimum) })
    }

    /// Across 4,000 plans, whether a weekday was a test day in week 1 says nothing about the same weekday in week 2:
    /// the conditional frequency stays at the marginal one. Without the seed, the past gives no edge.
    @Test func pastWeeksDoNotShiftTheChancesOfTheNextWeek() {
        let plans = 4_000
        let chance = TestSchedule.dailyChance(minimumPerWeek: 2)
        var after = [[Int]](repeating: [0, 0], count: 7)    // [weekday][tested last week ? 1 : 0] → tested this week
        var given = [[Int]](repeating: [0, 0], count: 7)
        var nextCountAfter = [Int: [Int]]()                  // tests last week → tests this week
        for n in 0..<plans {
            let pair = Self.simulate(Self.fullWeek, minimum: 2, weeks: 2, seed: testSeed(10_000 + n))
            nextCountAfter[pair[0].count, default: []].append(pair[1].count)
            for day in 0..<7 {
                let before = pair[0].contains(day) ? 1 : 0
                given[day][before] += 1
                if pair[1].contains(day) { after[day][before] += 1 }
            }
        }
        for day in 0..<7 {
            for before in 0...1 {
                let frequency = Double(after[day][before]) / Double(given[day][before])
                #expect(abs(frequency - chance) < 0.06, "weekday \(day), tested last week \(before == 1): \(frequency) vs \(chance)")
            }
        }
        // A busy week is not followed by a quiet one, nor the other way round.
        let meanAfterMinimum = nextCountAfter[2].map { Double($0.reduce(0, +)) / Double($0.count) } ?? 0
        let meanAfterMore = nextCountAfter.filter { $0.key > 2 }.values.flatMap { $0 }
        #expect(abs(meanAfterMinimum - Double(meanAfterMore.reduce(0, +)) / Double(meanAfterMore.count)) < 0.1)
    }

    @Test func theSamePastWeekIsFollowedByManyDifferentWeeks() {
        var followers = [[Int]: Set<[Int]>]()
        for n in 0..<4_000 {
            let pair = Self.simulate(Self.fullWeek, minimum: 2, weeks: 2, seed: testSeed(20_000 + n))
            followers[pair[0], default: []].insert(pair[1])
        }
        let mostCommon = followers.max { $0.value.count < $1.value.count }!
        #expect(mostCommon.value.count >= 20, "after \(mostCommon.key) came only \(mostCommon.value.count) different weeks")
    }
}
