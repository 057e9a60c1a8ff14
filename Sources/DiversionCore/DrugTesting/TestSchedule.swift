import Foundation

/// One Monday–Sunday week of a condition, cut to the days the condition covers.
public struct PlanWeek: Sendable, Equatable, Codable {
    /// 0 for the week holding the start date, counting up.
    public let index: Int
    public let monday: CalendarDate
    /// The days of this week the condition covers: all seven, or fewer in the first and last week.
    public let days: [CalendarDate]

    public init(index: Int, monday: CalendarDate, days: [CalendarDate]) {
        self.index = index
        self.monday = monday
        self.days = days
    }

    public var isPartial: Bool { days.count < 7 }
}

/// How test days are drawn from a condition; the rules below are version 1 of the plan algorithm.
///
/// In each week of d covered days:
/// 1. the week's minimum is the weekly minimum m pro rata, m·d/7, rounded up with the chance of its fraction
///    and down otherwise (2 a week over 3 days is 6/7: 1 test with chance 6/7, none with chance 1/7), so on
///    average a partial week gets exactly its share. A full week always gets m;
/// 2. each of the remaining d − minimum days adds one more test with chance `extraChance`, so the number of
///    tests is not predictable either;
/// 3. that many days are picked as a uniformly random subset of the week's days (partial Fisher–Yates).
///
/// Because the subset is uniform given its size, every day of a week has the same chance, E[count]/d, and the
/// random rounding makes that chance m/7 + p·(1 − m/7) in partial weeks too: weekends, holidays and the
/// first and last days are as likely as any other day. Holidays are not skipped on purpose: a day known
/// to be free of tests is a day known to be safe.
public enum TestSchedule {
    /// The plan algorithm these rules implement; a stored plan names it so it is never verified by other rules.
    public static let algorithm = "hmac-sha256-uniform-subset/1"

    /// The chance that each day beyond the minimum becomes a test day too, in thousandths (15%).
    public static let extraChancePerMille = 150

    /// The chance that any one day is a test day under a weekly minimum of `minimumPerWeek`.
    public static func dailyChance(minimumPerWeek m: Int) -> Double {
        let p = Double(extraChancePerMille) / 1000
        return Double(m) / 7 + p * (1 - Double(m) / 7)
    }

    /// The Monday–Sunday weeks of the condition, the first and last cut to its dates.
    public static func weeks(of condition: DrugTestingCondition) -> [PlanWeek] {
        let first = condition.startDate.dayNumber
        let last = condition.endDate.dayNumber
        guard first <= last else { return [] }
        var monday = first - CalendarDate.weekdayIndex(dayNumber: first)
        var weeks: [PlanWeek] = []
        while monday <= last {
            let days = (max(monday, first)...min(monday + 6, last)).map(CalendarDate.init(dayNumber:))
            weeks.append(PlanWeek(index: weeks.count, monday: CalendarDate(dayNumber: monday), days: days))
            monday += 7
        }
        return weeks
    }

    /// The fewest tests a week can get: the minimum in a full week, the pro-rata share rounded down in a partial one.
    public static func guaranteedMinimum(for week: PlanWeek, minimumPerWeek m: Int) -> Int {
        m * week.days.count / 7
    }

    /// The test days of one week, drawn from the seed.
    static func draw(_ week: PlanWeek, minimumPerWeek m: Int, planID: UUID, seed: PlanSeed, hashing: DrugTestHashing) -> [CalendarDate] {
        var random = WeekRandomness(seed: seed, planID: planID, weekIndex: week.index, hashing: hashing)
        let d = week.days.count
        var minimum = m * d / 7
        if (m * d) % 7 != 0, random.chance((m * d) % 7, in: 7) {
            minimum += 1
        }
        var count = minimum
        for _ in minimum..<d where random.chance(extraChancePerMille, in: 1000) {
            count += 1
        }
        var order = Array(0..<d)
        for i in 0..<count {
            order.swapAt(i, i + random.uniform(below: d - i))
        }
        return order[0..<count].sorted().map { week.days[$0] }
    }
}
