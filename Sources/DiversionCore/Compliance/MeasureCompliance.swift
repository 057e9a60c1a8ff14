import Foundation

/// Progress with a measure's conditions at a glance, worked out from its conditions and its compliance entries.
public struct MeasureCompliance: Sendable, Equatable, Codable {
    /// Community service hours against one condition's hours and deadline.
    public struct Hours: Sendable, Equatable, Codable {
        public var due: Decimal
        public var done: Decimal
        public var remaining: Decimal
        public var deadline: CalendarDate
        /// What a steady pace from the start to the deadline would have reached a week ago (a week's grace).
        public var expectedByNow: Decimal
        public var deadlinePassed: Bool
        public var behindPace: Bool
        public var overdue: Bool
    }

    /// Payments against one payment condition, paid in monthly instalments.
    public struct Payment: Sendable, Equatable, Codable {
        public var amount: Decimal
        public var currency: String
        public var paid: Decimal
        public var balance: Decimal
        public var instalments: Int
        /// Instalments whose due date has passed; the first is due a month after the start, then one a month.
        public var instalmentsDue: Int
        public var dueSoFar: Decimal
        public var nextDueDate: CalendarDate?
        public var overdue: Bool
    }

    /// Appointments kept: late counts as attended.
    public struct Appointments: Sendable, Equatable, Codable {
        public var attended: Int
        public var late: Int
        public var missed: Int
        public var total: Int
        /// (attended + late) / total; nil before any appointment is recorded.
        public var rate: Double?
    }

    /// Reports to an officer against the condition's reports per month.
    public struct Reports: Sendable, Equatable, Codable {
        public var timesPerMonth: Int?
        public var made: Int
        public var missed: Int
        public var thisMonth: Int
        /// timesPerMonth for each whole month since the start.
        public var expectedSoFar: Int
        public var behind: Bool
    }

    public var hours: [Hours]
    public var payments: [Payment]
    public var appointments: Appointments
    public var reports: Reports
    /// Hours or payments overdue: what the overdue worklist shows.
    public var overdue: Bool

    /// The grace, in days, before slow progress on hours counts as behind pace.
    public static let paceGraceDays = 7

    /// Progress of `measure` on `today`, from `entries` of that measure.
    public init(measure: MeasureRecord, entries: [ComplianceEntry], today: CalendarDate) {
        var hoursDone: Decimal = 0
        var paidByCurrency: [String: Decimal] = [:]
        var appointments = Appointments(attended: 0, late: 0, missed: 0, total: 0, rate: nil)
        var reportsMade: [CalendarDate] = []
        var reportsMissed = 0
        for e in entries {
            switch e.detail {
            case .communityService(let h): hoursDone += h.hours
            case .payment(let p): paidByCurrency[p.currency, default: 0] += p.amount
            case .appointment(let a):
                switch a.attendance {
                case .attended: appointments.attended += 1
                case .late: appointments.late += 1
                case .missed: appointments.missed += 1
                }
            case .report(let r):
                if r.attendance.came { reportsMade.append(e.date) } else { reportsMissed += 1 }
            }
        }
        appointments.total = appointments.attended + appointments.late + appointments.missed
        if appointments.total > 0 { appointments.rate = Double(appointments.attended + appointments.late) / Double(appointments.total) }

        // Hours cannot be told apart by condition, so they fill the earliest deadline first.
        var hoursLeft = hoursDone
        hours = measure.conditions(.communityService).compactMap { c -> (Decimal, CalendarDate)? in
            guard case .number(let n)? = c.parameters["hours"], case .string(let d)? = c.parameters["deadline"], let deadline = CalendarDate(d) else { return nil }
            return (Self.decimal(n), deadline)
        }
        .sorted { $0.1 < $1.1 }
        .map { due, deadline in
            let done = min(due, hoursLeft)
            hoursLeft -= done
            return Self.hours(due: due, done: done, start: measure.start, deadline: deadline, today: today)
        }

        var paidLeft = paidByCurrency
        payments = measure.conditions(.payment).compactMap { c -> Payment? in
            guard case .number(let n)? = c.parameters["amount"], case .string(let currency)? = c.parameters["currency"] else { return nil }
            var instalments = 1
            if case .number(let i)? = c.parameters["instalments"], i >= 1, i <= 120 { instalments = Int(i) }
            let amount = Self.decimal(n)
            let paid = min(amount, paidLeft[currency] ?? 0)
            paidLeft[currency, default: 0] -= paid
            return Self.payment(amount: amount, currency: currency, instalments: instalments, paid: paid, start: measure.start, today: today)
        }

        let timesPerMonth = measure.conditions(.reportToOfficer).compactMap { c -> Int? in
            if case .number(let n)? = c.parameters["timesPerMonth"] { return Int(n) }
            return nil
        }.first
        let wholeMonths = (1...1200).prefix { measure.start.addingMonths($0) <= today }.count
        let expected = (timesPerMonth ?? 0) * wholeMonths
        reports = Reports(
            timesPerMonth: timesPerMonth, made: reportsMade.count, missed: reportsMissed,
            thisMonth: reportsMade.filter { $0.year == today.year && $0.month == today.month }.count,
            expectedSoFar: expected, behind: reportsMade.count < expected
        )
        self.appointments = appointments
        overdue = hours.contains(where: \.overdue) || payments.contains(where: \.overdue)
    }

    static func hours(due: Decimal, done: Decimal, start: CalendarDate, deadline: CalendarDate, today: CalendarDate) -> Hours {
        let total = deadline.dayNumber - start.dayNumber
        let elapsed = max(0, today.dayNumber - start.dayNumber - paceGraceDays)
        var expected: Decimal = total <= 0 ? (today > deadline ? due : 0) : min(due, due * Decimal(elapsed) / Decimal(total))
        expected = rounded(expected, .down)
        let deadlinePassed = today > deadline && done < due
        let behind = !deadlinePassed && done < expected
        return Hours(due: due, done: done, remaining: due - done, deadline: deadline, expectedByNow: expected,
                     deadlinePassed: deadlinePassed, behindPace: behind, overdue: deadlinePassed || behind)
    }

    static func payment(amount: Decimal, currency: String, instalments: Int, paid: Decimal, start: CalendarDate, today: CalendarDate) -> Payment {
        let dates = (1...instalments).map { start.addingMonths($0) }
        // An instalment is due on its date and overdue from the day after, so the whole due day is there to pay.
        let dueCount = dates.filter { $0 < today }.count
        let share = rounded(amount / Decimal(instalments), .down)
        let dueSoFar = dueCount == instalments ? amount : share * Decimal(dueCount)
        return Payment(amount: amount, currency: currency, paid: paid, balance: amount - paid, instalments: instalments,
                       instalmentsDue: dueCount, dueSoFar: dueSoFar, nextDueDate: paid >= amount ? nil : dates.first { $0 >= today },
                       overdue: paid < dueSoFar)
    }

    /// A stored condition number as an exact decimal ("2.5", not 2.4999…).
    static func decimal(_ n: Double) -> Decimal {
        Decimal(string: "\(n)", locale: Locale(identifier: "en_US_POSIX")) ?? Decimal(n)
    }

    static func rounded(_ value: Decimal, _ mode: NSDecimalNumber.RoundingMode) -> Decimal {
        var input = value
        var result = Decimal()
        NSDecimalRound(&result, &input, 2, mode)
        return result
    }
}

extension CalendarDate {
    /// The same day `months` later, or the month's last day when it is shorter (31 January + 1 month = 28 or 29 February).
    public func addingMonths(_ months: Int) -> CalendarDate {
        let index = year * 12 + (month - 1) + months
        let y = index / 12
        let m = index % 12 + 1
        return CalendarDate(year: y, month: m, day: min(day, Self.daysIn(month: m, year: y)))
    }
}

/// The facts phase promotion is checked against, counted from the records that hold them.
public enum PromotionEvidence {
    /// Negative results in a row, counted back from the latest test day; excused tests are skipped, anything else ends the run.
    public static func consecutiveNegatives(_ results: [DrugTestResult]) -> Int {
        let ordered = results.sorted {
            ($0.testDay, $0.collectedAt ?? .distantPast) < ($1.testDay, $1.collectedAt ?? .distantPast)
        }
        var count = 0
        for r in ordered.reversed() {
            switch r.outcome {
            case .negative: count += 1
            case .excused: continue
            case .positive, .dilute, .adulterated, .missed: return count
            }
        }
        return count
    }

    /// Appointments kept since `since` (the phase's start) over all recorded then; nil when none were recorded.
    public static func attendanceRate(_ entries: [ComplianceEntry], since: CalendarDate) -> (rate: Double?, count: Int) {
        let kept = entries.compactMap { e -> Attendance? in
            guard e.date >= since, case .appointment(let a) = e.detail else { return nil }
            return a.attendance
        }
        guard !kept.isEmpty else { return (nil, 0) }
        return (Double(kept.filter(\.came).count) / Double(kept.count), kept.count)
    }

    /// Whole days in the current phase on `today`.
    public static func daysInPhase(_ measure: MeasureRecord, today: CalendarDate) -> Int {
        max(0, today.dayNumber - measure.phaseSince.dayNumber)
    }

    /// Checks the measure's current phase: days in phase, the run of negative tests and attendance in the phase.
    /// With no appointment recorded in the phase, attendance is counted as 0 and the reasons say so.
    public static func check(
        _ measure: MeasureRecord, matrix: ResponseMatrix, today: CalendarDate, results: [DrugTestResult], entries: [ComplianceEntry]
    ) -> PhasePromotion.Result? {
        guard let phase = matrix.phase(measure.phase) else { return nil }
        let attendance = attendanceRate(entries, since: measure.phaseSince)
        var result = PhasePromotion.check(
            phase: phase, in: matrix, daysInPhase: daysInPhase(measure, today: today),
            consecutiveNegatives: consecutiveNegatives(results), attendanceRate: attendance.rate ?? 0
        )
        if attendance.rate == nil {
            result.reasons.append("No appointment has been recorded in this phase since \(measure.phaseSince); record attendance first.")
        }
        return result
    }
}
