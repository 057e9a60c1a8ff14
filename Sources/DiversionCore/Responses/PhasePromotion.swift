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
        func record(_ met: Bool, _ text: String) {
            eligible = eligible && met
            reasons.append(text + (met ? ": met." : ": not yet met."))
        }

        let days = criteria.minDaysInPhase
        record(daysInPhase >= days, "\(daysInPhase) day\(daysInPhase == 1 ? "" : "s") in this phase, at least \(days) needed"
            + (daysInPhase < days ? " (\(days - daysInPhase) more)" : ""))
        let tests = criteria.minConsecutiveNegativeTests
        record(consecutiveNegatives >= tests, "\(consecutiveNegatives) consecutive negative test\(consecutiveNegatives == 1 ? "" : "s"), at least \(tests) needed"
            + (consecutiveNegatives < tests ? " (\(tests - consecutiveNegatives) more)" : ""))
        if attendanceRate >= 0 && attendanceRate <= 1 {
            // A small tolerance, so a rate computed as 17/20 meets a minimum written as 0.85.
            record(attendanceRate + 1e-9 >= criteria.minAttendanceRate,
                   "Attendance \(percent(attendanceRate)), at least \(percent(criteria.minAttendanceRate)) needed")
        } else {
            record(false, "The attendance rate must be between 0 and 1, not \(attendanceRate)")
        }
        return Result(eligible: eligible, reasons: reasons)
    }

    /// Checks the criteria of `phase`, adding whether meeting them means promotion or graduation.
    public static func check(
        phase: ResponseMatrix.Phase, in matrix: ResponseMatrix, daysInPhase: Int, consecutiveNegatives: Int, attendanceRate: Double
    ) -> Result {
        var result = check(phase.promotion, daysInPhase: daysInPhase, consecutiveNegatives: consecutiveNegatives, attendanceRate: attendanceRate)
        let next = matrix.phase(phase.number + 1)
        let step = next.map { "promotion to phase \($0.number) (\($0.name))" } ?? "graduation"
        result.reasons.insert(result.eligible ? "Eligible for \(step)." : "Not yet eligible for \(step).", at: 0)
        return result
    }

    static func percent(_ rate: Double) -> String {
        let value = rate * 100
        return value == value.rounded() ? "\(Int(value)) %" : String(format: "%.1f %%", value)
    }
}
