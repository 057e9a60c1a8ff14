import Foundation

/// A progress report for the court on one measure over one period: what was asked, what was done.
///
/// Every figure counts only what happened inside the period, except the running totals of hours and payments
/// (done so far against what is due), which is what the court needs to judge the pace.
public struct ProgressReport: Sendable, Equatable, Codable {
    /// Drug tests in the period.
    public struct Tests: Sendable, Equatable, Codable {
        /// Test days drawn in the period.
        public var scheduled: Int
        /// Results with a specimen (scheduled or not).
        public var done: Int
        public var negative: Int
        public var positive: Int
        public var diluteOrAdulterated: Int
        public var missed: Int
        public var excused: Int
        /// Specimens collected outside the collection window.
        public var outsideWindow: Int
        /// Test days whose window has closed with no result recorded yet (recorded as missed by the next sweep).
        public var unaccounted: Int
        /// Substances found in positive tests, most frequent first.
        public var substances: [String]
    }

    /// Graduated responses given in the period.
    public struct Responses: Sendable, Equatable, Codable {
        public var incentives: Int
        public var sanctions: Int
        public var treatmentAdjustments: Int
        public var ratio: ResponseRatio
        public var items: [Item]

        public struct Item: Sendable, Equatable, Codable {
            public var date: CalendarDate
            public var behaviour: Behaviour
            public var option: String
            public var kind: ResponseKind
            /// The option's code, so a page can name it in the reader's language.
            public var code: String? = nil
        }
    }

    /// Monitoring alerts opened in the period.
    public struct Alerts: Sendable, Equatable, Codable {
        public var opened: Int
        public var stillOpen: Int
        public var byCode: [String: Int]
    }

    public var measureID: UUID
    public var measureType: MeasureType
    public var status: MeasureStatus
    public var from: CalendarDate
    public var to: CalendarDate
    public var phase: Int
    public var tests: Tests?
    /// Appointments and reports to an officer in the period: attended (late included) over all recorded.
    public var appointments: MeasureCompliance.Appointments
    public var attendanceRate: Double?
    /// Running totals as of the end of the period.
    public var compliance: MeasureCompliance
    public var hoursInPeriod: Decimal
    public var paidInPeriod: Decimal
    public var responses: Responses
    public var alerts: Alerts
    public var breaches: Int
    public var outcome: RecordedOutcome?
    /// Why parts of the person's health records are left out (no consent or court order covers them).
    public var withheld: [String] = []
    /// The redisclosure notice, when the report carries health data disclosed to its reader.
    public var redisclosureNotice: String?

    /// The longest period one report covers.
    public static let longestDays = 366

    /// Checks the period: both dates, in order, at most a year, not starting in the future.
    public static func checkPeriod(from: CalendarDate?, to: CalendarDate?, today: CalendarDate) throws(ValidationFailure) -> (CalendarDate, CalendarDate) {
        var errors = FieldErrors()
        if from == nil { errors.add("from", "Write the first day of the period as YYYY-MM-DD.") }
        if to == nil { errors.add("to", "Write the last day of the period as YYYY-MM-DD.") }
        if let from, let to {
            if to < from { errors.add("to", "The period ends before it starts.") }
            else if to.dayNumber - from.dayNumber + 1 > longestDays { errors.add("to", "A report covers at most \(longestDays) days.") }
            if from > today { errors.add("from", "The period starts in the future.") }
        }
        try errors.throwIfAny()
        guard let from, let to else { throw ValidationFailure(errors.all) }
        return (from, to)
    }

    /// Builds the report from everything recorded on the measure; entries outside the period are left out.
    public static func build(
        measure: MeasureRecord, from: CalendarDate, to: CalendarDate, plan: DrugTestPlan?, results: [DrugTestResult],
        compliance entries: [ComplianceEntry], responses: [RecordedResponse], alerts: [(code: String, openedAt: Date, open: Bool)],
        breachesFiled: [Date], now: Date, ratioTarget: Double = ResponseRatio.standardTarget
    ) -> ProgressReport {
        func inPeriod(_ d: CalendarDate) -> Bool { from <= d && d <= to }
        func inPeriod(_ instant: Date) -> Bool { inPeriod(CalendarDate(instant)) }

        var tests: Tests?
        if let plan {
            let periodResults = results.filter { inPeriod($0.testDay) }
            let scheduledDays = plan.testDays.filter(inPeriod)
            var substances: [String: Int] = [:]
            var t = Tests(scheduled: scheduledDays.count, done: 0, negative: 0, positive: 0, diluteOrAdulterated: 0, missed: 0, excused: 0,
                          outsideWindow: 0, unaccounted: 0, substances: [])
            for r in periodResults {
                if r.outcome.hasSpecimen { t.done += 1 }
                if r.isOutsideWindow(of: plan) { t.outsideWindow += 1 }
                switch r.outcome {
                case .negative: t.negative += 1
                case .positive(let found):
                    t.positive += 1
                    for s in found { substances[s.lowercased(), default: 0] += 1 }
                case .dilute, .adulterated: t.diluteOrAdulterated += 1
                case .missed: t.missed += 1
                case .excused: t.excused += 1
                }
            }
            let periodPlan = DrugTestPlan(id: plan.id, condition: plan.condition, algorithm: plan.algorithm, commitment: plan.commitment, testDays: scheduledDays)
            t.unaccounted = MissedTests.find(periodPlan, results: results, through: now).count
            t.substances = substances.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
            tests = t
        }

        let upToEnd = entries.filter { $0.date <= to }
        let periodEntries = upToEnd.filter { inPeriod($0.date) }
        let compliance = MeasureCompliance(measure: measure, entries: upToEnd, today: min(to, CalendarDate(now)))
        let periodCompliance = MeasureCompliance(measure: measure, entries: periodEntries, today: min(to, CalendarDate(now)))
        var hours: Decimal = 0
        var paid: Decimal = 0
        for e in periodEntries {
            switch e.detail {
            case .communityService(let h): hours += h.hours
            case .payment(let p): paid += p.amount
            default: break
            }
        }
        let attended = periodCompliance.appointments.attended + periodCompliance.appointments.late + periodCompliance.reports.made
        let recorded = periodCompliance.appointments.total + periodCompliance.reports.made + periodCompliance.reports.missed
        let periodResponses = responses.filter { inPeriod($0.decidedAt) }
        let ratio = ResponseRatio(periodResponses, target: ratioTarget)
        let items = periodResponses.sorted { $0.decidedAt < $1.decidedAt }.map {
            Responses.Item(date: CalendarDate($0.decidedAt), behaviour: $0.behaviour, option: $0.option.name, kind: $0.option.kind, code: $0.option.code)
        }
        let periodAlerts = alerts.filter { inPeriod($0.openedAt) }
        var byCode: [String: Int] = [:]
        for a in periodAlerts { byCode[a.code, default: 0] += 1 }

        return ProgressReport(
            measureID: measure.id, measureType: measure.type, status: measure.status, from: from, to: to, phase: measure.phase, tests: tests,
            appointments: periodCompliance.appointments, attendanceRate: recorded == 0 ? nil : Double(attended) / Double(recorded),
            compliance: compliance, hoursInPeriod: hours, paidInPeriod: paid,
            responses: Responses(incentives: ratio.incentives, sanctions: ratio.sanctions, treatmentAdjustments: ratio.treatmentAdjustments,
                                 ratio: ratio, items: items),
            alerts: Alerts(opened: periodAlerts.count, stillOpen: periodAlerts.filter(\.open).count, byCode: byCode),
            breaches: breachesFiled.filter(inPeriod).count,
            outcome: measure.outcome
        )
    }
}
