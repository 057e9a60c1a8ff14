import Foundation

/// One person's random drug-testing plan: which days are test days. Supervisors see all of it; the person
/// is told only about today (`notice(at:)`). The seed it was drawn from is not part of it.
public struct DrugTestPlan: Sendable, Equatable, Codable, Identifiable {
    public let id: UUID
    public let condition: DrugTestingCondition
    /// The rules the days were drawn by (`TestSchedule.algorithm`).
    public let algorithm: String
    /// SHA-256 over the seed, the plan id and the condition, fixed when the plan was drawn; see `commitment(...)`.
    public let commitment: Data
    /// Every test day, in order.
    public let testDays: [CalendarDate]

    /// Rebuilds a stored plan; new plans come from `draw`.
    public init(id: UUID, condition: DrugTestingCondition, algorithm: String, commitment: Data, testDays: [CalendarDate]) {
        self.id = id
        self.condition = condition
        self.algorithm = algorithm
        self.commitment = commitment
        self.testDays = testDays.sorted()
    }

    private enum CodingKeys: String, CodingKey {
        case id, condition, algorithm, commitment, testDays
    }

    /// Decodes through `init` so the days are in order however they were stored (`isTestDay` relies on it).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(UUID.self, forKey: .id), condition: try c.decode(DrugTestingCondition.self, forKey: .condition),
            algorithm: try c.decode(String.self, forKey: .algorithm), commitment: try c.decode(Data.self, forKey: .commitment),
            testDays: try c.decode([CalendarDate].self, forKey: .testDays)
        )
    }

    /// Draws the plan for `condition` from `seed`, week by week (see `TestSchedule`).
    ///
    /// Keep the seed secret and record the commitment where it cannot be changed later (the audit trail):
    /// with both, `verify` proves the plan is the one drawn on the day, not one edited after the fact.
    public static func draw(
        id: UUID, condition: DrugTestingCondition, seed: PlanSeed, hashing: DrugTestHashing
    ) throws(ValidationFailure) -> DrugTestPlan {
        try condition.validate()
        return DrugTestPlan(
            id: id, condition: condition, algorithm: TestSchedule.algorithm,
            commitment: commitment(seed: seed, id: id, condition: condition, hashing: hashing),
            testDays: days(id: id, condition: condition, seed: seed, hashing: hashing)
        )
    }

    /// SHA-256(label ‖ 0 ‖ seed ‖ plan id ‖ canonical condition).
    ///
    /// Committing to the seed alone would let someone redraw the plan for a changed condition with the same
    /// seed; binding the id and the condition too makes any such change fail verification. The seed is 32
    /// random bytes, so the commitment reveals nothing about it.
    public static func commitment(seed: PlanSeed, id: UUID, condition: DrugTestingCondition, hashing: DrugTestHashing) -> Data {
        var data = Data("\(WeekRandomness.label)/commitment".utf8)
        data.append(0)
        data.append(seed.bytes)
        withUnsafeBytes(of: id.uuid) { data.append(contentsOf: $0) }
        data.append(condition.canonicalEncoding())
        return hashing.sha256(data)
    }

    /// The commitment as lowercase hex, the way it is written to the audit trail.
    public var commitmentHex: String {
        commitment.map { String(format: "%02x", $0) }.joined()
    }

    /// Checks `plan` against the seed and the commitment recorded when it was drawn: recomputes every day.
    public static func verify(
        _ plan: DrugTestPlan, seed: PlanSeed, commitment recorded: Data, hashing: DrugTestHashing
    ) -> PlanVerification {
        guard plan.algorithm == TestSchedule.algorithm else { return .unknownAlgorithm(plan.algorithm) }
        let expected = commitment(seed: seed, id: plan.id, condition: plan.condition, hashing: hashing)
        guard plan.commitment == recorded, expected == recorded else { return .commitmentMismatch }
        let drawn = days(id: plan.id, condition: plan.condition, seed: seed, hashing: hashing)
        let stored = Set(plan.testDays)
        let recomputed = Set(drawn)
        if stored == recomputed && plan.testDays.count == drawn.count { return .intact }
        return .daysAltered(added: stored.subtracting(recomputed).sorted(), removed: recomputed.subtracting(stored).sorted())
    }

    private static func days(id: UUID, condition: DrugTestingCondition, seed: PlanSeed, hashing: DrugTestHashing) -> [CalendarDate] {
        TestSchedule.weeks(of: condition).flatMap { week in
            TestSchedule.draw(week, minimumPerWeek: condition.minimumPerWeek, planID: id, seed: seed, hashing: hashing)
        }
    }

    /// The Monday–Sunday weeks of the plan.
    public var weeks: [PlanWeek] { TestSchedule.weeks(of: condition) }

    /// Whether `date` is a test day.
    public func isTestDay(_ date: CalendarDate) -> Bool {
        var low = 0
        var high = testDays.count
        while low < high {
            let mid = (low + high) / 2
            if testDays[mid] < date { low = mid + 1 } else { high = mid }
        }
        return low < testDays.count && testDays[low] == date
    }

    /// The collection window on `date` if it is a test day; nil on other days.
    public func window(on date: CalendarDate) -> (start: Date, end: Date)? {
        isTestDay(date) ? condition.window(on: date) : nil
    }

    /// The test days of `week`, for supervisors.
    public func testDays(in week: PlanWeek) -> [CalendarDate] {
        testDays.filter { week.days.contains($0) }
    }

    /// The test days of the Monday–Sunday week holding `date`, for supervisors.
    public func testDays(inWeekOf date: CalendarDate) -> [CalendarDate] {
        let n = date.dayNumber
        let monday = n - CalendarDate.weekdayIndex(dayNumber: n)
        return testDays.filter { (monday...monday + 6).contains($0.dayNumber) }
    }

    /// What the person is told at `now`: whether today (in the plan's time zone) is a test day and its window.
    public func notice(at now: Date) -> DrugTestNotice {
        let today = condition.localDate(of: now)
        guard let window = window(on: today) else {
            return DrugTestNotice(date: today, isTestDay: false, windowStart: nil, windowEnd: nil)
        }
        return DrugTestNotice(date: today, isTestDay: true, windowStart: window.start, windowEnd: window.end)
    }
}

/// What the person learns on a day: whether it is a test day and when to come, and nothing about other days.
public struct DrugTestNotice: Sendable, Equatable, Codable {
    public let date: CalendarDate
    public let isTestDay: Bool
    public let windowStart: Date?
    public let windowEnd: Date?

    public init(date: CalendarDate, isTestDay: Bool, windowStart: Date?, windowEnd: Date?) {
        self.date = date
        self.isTestDay = isTestDay
        self.windowStart = windowStart
        self.windowEnd = windowEnd
    }
}

/// The outcome of checking a stored plan against its seed and recorded commitment.
public enum PlanVerification: Sendable, Equatable, CustomStringConvertible {
    /// Every day is the one drawn from the committed seed for the committed condition.
    case intact
    /// The seed, plan id or condition is not the one committed to when the plan was drawn.
    case commitmentMismatch
    /// The stored days differ from the drawn ones: `added` were never drawn, `removed` were drawn but are gone.
    case daysAltered(added: [CalendarDate], removed: [CalendarDate])
    /// The plan names rules this version cannot recompute.
    case unknownAlgorithm(String)

    public var description: String {
        switch self {
        case .intact:
            "the plan is the one drawn from its committed seed"
        case .commitmentMismatch:
            "the seed, plan id or condition does not match the commitment recorded when the plan was drawn"
        case .daysAltered(let added, let removed):
            "the plan was altered: "
                + [added.isEmpty ? nil : "test days added \(added.map(\.description).joined(separator: ", "))",
                   removed.isEmpty ? nil : "test days removed \(removed.map(\.description).joined(separator: ", "))"]
                .compactMap { $0 }.joined(separator: "; ")
        case .unknownAlgorithm(let name):
            "the plan was drawn by '\(name.prefix(60))', which this version cannot recompute"
        }
    }
}
