/// Whether a participant has met a phase's criteria, criterion by criterion.
public enum PhasePromotion {
    /// The answer, with one sentence per criterion, met or not.
    public struct Result: Sendable, Equatable, Codable {
        public var eligible: Bool
        public var reasons: [String]

        public init(eligible: Bool, reasons: [String]) {
            self.eligible = eligible
            self.reasons = reasons
        }
    }

    /// Meeting a minimum exactly counts as meeting it.
    public static func check(
        _ criteria: ResponseMatrix.PromotionCriteria, daysInPhase: Int, consecutiveNegatives: Int, attendanceRate: Double
    ) -> Result {
        var eligible = true
        var reasons: [String] = []
        // Each sentence is written whole, met or not, so it can be looked up in the interface languages.
        func record(_ met: Bool, _ sentence: String) {
            eligible = eligible && met
            reasons.append(sentence)
        }

        let days = criteria.minDaysInPhase
        let dayWord = daysInPhase == 1 ? "day" : "days"
        record(daysInPhase >= days, daysInPhase >= days
            ? "\(daysInPhase) \(dayWord) in this phase, at least \(days) needed: met."
            : "\(daysInPhase) \(dayWord) in this phase, at least \(days) needed (\(days - daysInPhase) more): not yet met.")
        let tests = criteria.minConsecutiveNegativeTests
        let testWord = consecutiveNegatives == 1 ? "test" : "tests"
        record(consecutiveNegatives >= tests, consecutiveNegatives >= tests
            ? "\(consecutiveNegatives) consecutive negative \(testWord), at least \(tests) needed: met."
            : "\(consecutiveNegatives) consecutive negative \(testWord), at least \(tests) needed (\(tests - consecutiveNegatives) more): not yet met.")
        if attendanceRate >= 0 && attendanceRate <= 1 {
            // A small tolerance, so a rate computed as 17/20 meets a minimum written as 0.85.
            let met = attendanceRate + 1e-9 >= criteria.minAttendanceRate
            let (rate, minimum) = (percent(attendanceRate), percent(criteria.minAttendanceRate))
            record(met, met ? "Attendance \(rate), at least \(minimum) needed: met." : "Attendance \(rate), at least \(minimum) needed: not yet met.")
        } else {
            record(false, "The attendance rate must be between 0 and 1, not \(attendanceRate): not yet met.")
        }
        return Result(eligible: eligible, reasons: reasons)
    }

    /// Checks the criteria of `phase`, adding whether meeting them means promotion or graduation.
    public static func check(
        phase: ResponseMatrix.Phase, in matrix: ResponseMatrix, daysInPhase: Int, consecutiveNegatives: Int, attendanceRate: Double
    ) -> Result {
        var result = check(phase.promotion, daysInPhase: daysInPhase, consecutiveNegatives: consecutiveNegatives, attendanceRate: attendanceRate)
        let next = matrix.phase(phase.number + 1)
        let first = switch (next, result.eligible) {
        case (let next?, true): "Eligible for promotion to phase \(next.number) (\(next.name))."
        case (let next?, false): "Not yet eligible for promotion to phase \(next.number) (\(next.name))."
        case (nil, true): "Eligible for graduation."
        case (nil, false): "Not yet eligible for graduation."
        }
        result.reasons.insert(first, at: 0)
        return result
    }

    static func percent(_ rate: Double) -> String {
        let value = rate * 100
        return value == value.rounded() ? "\(Int(value)) %" : String(format: "%.1f %%", value)
    }
}
