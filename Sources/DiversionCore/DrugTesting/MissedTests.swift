import Foundation

/// A test day whose window has closed with no result on record.
public struct MissedTest: Sendable, Equatable {
    public let day: CalendarDate
    public let windowStart: Date
    public let windowEnd: Date
    /// The result to record for it: missed, so the day stays on the record rather than disappearing.
    public let result: DrugTestResult

    public init(day: CalendarDate, windowStart: Date, windowEnd: Date, result: DrugTestResult) {
        self.day = day
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.result = result
    }
}

/// Finds test days that passed without a result, so each one is recorded as missed and none is silently dropped.
public enum MissedTests {
    /// Every test day of `plan` whose window closed at or before `now` and has no result of any outcome.
    ///
    /// Any recorded result accounts for its day, an excused or already-missed one included, so running this
    /// again after the missed results are stored finds nothing new. A day whose window is still open is not
    /// missed yet.
    public static func find(_ plan: DrugTestPlan, results: [DrugTestResult], through now: Date) -> [MissedTest] {
        let accounted = Set(results.map(\.testDay))
        let today = plan.condition.localDate(of: now)
        var missed: [MissedTest] = []
        for day in plan.testDays where day <= today && !accounted.contains(day) {
            let window = plan.condition.window(on: day)
            guard window.end <= now else { continue }
            missed.append(MissedTest(
                day: day, windowStart: window.start, windowEnd: window.end,
                result: .missed(on: day, specimen: plan.condition.specimen)
            ))
        }
        return missed
    }
}
