import DiversionCore
import Foundation

/// The screenings, drug tests and graduated responses of a generated jurisdiction: scored, checked and chosen by the
/// core as recorded ones are, and timed so the evidence counted back from them is the contact fact's.
extension GeneratedJurisdiction {
    /// At most this many test results per measure (more only when the policy's relapse rule needs a longer run), so a
    /// million people stay a matter of minutes; the fact's first test, last test and relapse day are always kept.
    static let maxTests = 12

    /// At most this many responses per measure. The facts draw up to eight incentives a month, which would make responses
    /// most of the rows written; a measure with more keeps its incentives and sanctions in the fact's proportion.
    static let maxResponses = 12

    /// The incentives and sanctions written for a fact's counts: the counts themselves up to `maxResponses`, else scaled
    /// to it in their proportion, a sanction kept when there was any.
    static func responseCounts(incentives: Int, sanctions: Int) -> (incentives: Int, sanctions: Int) {
        let total = incentives + sanctions
        guard total > maxResponses else { return (incentives, sanctions) }
        guard incentives > 0 else { return (0, maxResponses) }
        let kept = sanctions == 0 ? 0 : min(maxResponses - 1, max(1, Int((Double(sanctions * maxResponses) / Double(total)).rounded())))
        return (maxResponses - kept, kept)
    }

    /// What a generated plan names as its algorithm: its days are the generated results' days, not drawn from a seed,
    /// so no seed or commitment is on record and the plan check says so instead of claiming a verified plan.
    public static let planAlgorithm = "generated/1"

    /// Whether a contact is screened: the share the facts draw, and everyone diverted into treatment or supervision,
    /// since an intake or a supervised measure starts from a screening.
    func screens(_ fact: ContactFact, diverted: Bool) -> Bool {
        guard !fact.screened else { return true }
        guard diverted else { return false }
        let supervised = fact.measureStartOn != nil && fact.measureType.flatMap(MeasureType.init(rawValue:))?.imposesObligations == true
        return fact.intakeOn != nil || supervised
    }

    /// The officer's screening at the contact, with the instrument the policy names for the person's age, scored by the core.
    func screening(
        _ fact: ContactFact, personID: UUID, age: Int, at: Date, random: inout SplitMix64, into rows: inout Rows, summary: inout Summary
    ) throws {
        let instrument = age < policy.ageOfMajority ? policy.instruments.minors : policy.instruments.adults
        let hard = ["heroin", "cocaine", "cocaine_base", "methamphetamine"].contains(fact.substance ?? "")
        // 0 (no problem use) to 3 (severe): most people diverted for possession screen low to moderate.
        let severity = random.pick(hard ? [10, 30, 35, 25] : [25, 40, 25, 10])
        let answers = Self.answers(instrument, severity: severity, substance: fact.substance, random: &random)
        let result = try Screening.score(instrument, answers: answers, sex: fact.sex)
        rows.screenings.append(try ScreeningStore.model(
            result, answers: answers, personID: personID, screenedBy: staff.officer.userID, agency: staff.officer.agencyID, id: Self.uuid(&random), at: at
        ))
        summary.screenings += 1
    }

    /// Answers to `instrument` of a person at `severity` (0–3), in the form the core scores.
    static func answers(_ instrument: ScreeningInstrument, severity: Int, substance: String?, random: inout SplitMix64) -> AnswerValue {
        func upTo(_ n: Int) -> Int { random.int(0...max(0, n)) }
        switch instrument {
        case .dast10:
            // Item 3 asks whether the person can stop at will: "no" is the risk answer.
            return .array((0..<10).map { i in .bool(i == 2 ? severity < 2 : random.int(0...3) < severity) })
        case .audit:
            return .array((0..<10).map { i in .number(Double(i < 8 ? min(4, upTo(severity + 1)) : min(2, upTo(severity)))) })
        case .auditc:
            return .array((0..<3).map { _ in .number(Double(min(4, upTo(severity + 1)))) })
        case .crafft:
            let days = severity == 0 ? 0 : random.int(1...(10 * severity))
            return .object([
                "partA": .object(["alcoholDays": .number(Double(upTo(days))), "cannabisDays": .number(Double(days)), "otherDays": .number(0)]),
                "partB": .array((0..<(days > 0 ? 6 : 1)).map { _ in .bool(random.int(0...3) < severity) }),
            ])
        case .assist:
            let used: String = switch substance ?? "" {
            case let s where s.contains("cannabis"): "cannabis"
            case let s where s.contains("cocaine"): "cocaine"
            case "heroin": "opioids"
            case "methamphetamine", "mdma": "amphetamines"
            case "": "cannabis"
            default: "other"
            }
            let q2 = min(4, 1 + upTo(severity))
            return .object([used: .object([
                "q1": .bool(true), "q2": .number(Double(q2)), "q3": .number(Double(min(4, upTo(severity + 1)))),
                "q4": .number(Double(min(4, upTo(severity)))), "q5": .number(Double(min(4, upTo(severity)))),
                "q6": .number(Double(upTo(2))), "q7": .number(Double(upTo(2))), "q8": .number(used == "opioids" && severity > 2 ? 1 : 0),
            ])])
        }
    }

    /// The drug-testing condition a supervised measure orders when the fact says the person was tested.
    static let testingCondition = Condition(
        type: .drugTesting, parameters: ["minimumPerWeek": .number(1), "windowHours": .number(12), "specimen": .string(DrugTestSpecimen.urine.rawValue)]
    )

    /// The supervision of a measure: its drug-testing plan and results, and the fact's incentives and sanctions as responses.
    func supervision(
        _ fact: ContactFact, measure: MeasureRecord, decidedAt: Date, judge: (userID: UUID, name: String, agencyID: UUID), endDay: Int,
        random: inout SplitMix64, into rows: inout Rows, summary: inout Summary
    ) throws {
        let agencyType: AgencyType = judge.agencyID == staff.prosecution.agencyID ? .prosecution : .court
        if let ordered = measure.conditions.first(where: { $0.type == .drugTesting }) {
            try tests(fact, measure: measure, ordered: ordered, decidedAt: decidedAt, recorder: (judge.agencyID, agencyType), random: &random, into: &rows, summary: &summary)
        }
        try responses(fact, measure: measure, judge: judge, endDay: endDay, random: &random, into: &rows, summary: &summary)
    }

    /// The results of the fact's testing: the first on its first test day, the last on its last, and when it relapsed,
    /// a positive on the relapse day after at least the policy's run of negatives, with none before that counting as one.
    func tests(
        _ fact: ContactFact, measure: MeasureRecord, ordered: Condition, decidedAt: Date, recorder: (agencyID: UUID, type: AgencyType),
        random: inout SplitMix64, into rows: inout Rows, summary: inout Summary
    ) throws {
        guard let first = fact.testingStartOn?.dayNumber, let last = fact.lastTestOn?.dayNumber, last >= first else { return }
        let run = max(policy.evidence.relapseAfterNegatives, 1)
        let cap = max(Self.maxTests, run + 2)
        // Weekly to monthly, as supervision tests once stable.
        let wanted = min(cap, max(2, (last - first) / random.int(7...30) + 1))
        let hard = ["heroin", "cocaine", "cocaine_base", "methamphetamine"].contains(fact.substance ?? "")
        // Use that continues in the first weeks is no relapse: it is not preceded by a run of negatives.
        func early(_ room: Int) -> Int { room > 0 && random.chance(hard ? 0.5 : 0.3) ? random.int(1...min(2, room)) : 0 }
        var results: [(day: Int, negative: Bool)] = []
        if let relapse = fact.relapseOn?.dayNumber, relapse - first >= run, relapse <= last {
            let later = last > relapse ? 1 : 0
            let share = Double(relapse - first) / Double(max(last - first, 1))
            let before = min(relapse - first, cap - 1 - later, max(run, Int((Double(wanted - 1) * share).rounded())))
            let positives = early(before - run)
            for i in 0..<before { results.append((first + (relapse - first) * i / before, i >= positives)) }
            results.append((relapse, false))
            let after = later == 0 ? 0 : min(last - relapse, max(1, wanted - before - 1), cap - before - 1)
            for i in stride(from: 1, through: after, by: 1) { results.append((relapse + (last - relapse) * i / after, random.chance(0.6))) }
        } else {
            let count = min(wanted, last - first + 1)
            let positives = early(count - 1)
            for i in 0..<count { results.append((count == 1 ? first : first + (last - first) * i / (count - 1), i >= positives)) }
        }
        let dated = results.map { (day: CalendarDate(dayNumber: $0.day), negative: $0.negative) }
        let relapse = Relapse.day(dated, after: policy.evidence.relapseAfterNegatives)
        assert(relapse == fact.relapseOn && dated.first?.day == fact.testingStartOn && dated.last?.day == fact.lastTestOn,
               "the generated results do not give the fact's testing")

        let condition = try DrugTestingCondition.ordered(by: ordered, start: measure.start, plannedEnd: measure.plannedEnd, defaultTimeZone: policy.supervision.timeZone)
        let planID = Self.uuid(&random)
        rows.plans.append(try DrugTestStore.model(StoredDrugTestPlan(
            plan: DrugTestPlan(id: planID, condition: condition, algorithm: Self.planAlgorithm, commitment: Data(), testDays: dated.map(\.day)),
            measureID: measure.id, personID: measure.personID, createdAt: decidedAt
        )))
        let found = Self.panel(fact.substance)
        for (day, negative) in dated {
            // Collected inside the plan's window (from 07:00 local for twelve hours), read by the laboratory within two days.
            let collected = Date(timeIntervalSince1970: TimeInterval(day.dayNumber * 86_400 + random.int(8 * 3_600...17 * 3_600)))
            let result = try DrugTestResult(
                testDay: day, specimen: condition.specimen, collectedAt: collected, outcome: negative ? .negative : .positive(substances: [found]),
                labConfirmed: !negative, chainOfCustody: "CC-\(random.int(10_000_000...99_999_999))"
            )
            rows.results.append(try DrugTestStore.model(StoredDrugTestResult(
                id: Self.uuid(&random), planID: planID, measureID: measure.id, personID: measure.personID, result: result, outsideWindow: false,
                recordedByName: "Supervision testing", recordedByAgencyID: recorder.agencyID, recordedByAgencyType: recorder.type,
                recordedAt: collected.addingTimeInterval(Double(random.int(1...48)) * 3_600)
            )))
            summary.drugTests += 1
            if !negative { summary.positiveTests += 1 }
        }
        summary.testedMeasures += 1
        if relapse != nil { summary.relapses += 1 }
    }

    /// The name a test panel reports a substance under.
    static func panel(_ substance: String?) -> String {
        switch substance ?? "" {
        case let s where s.contains("cannabis"): "cannabis"
        case let s where s.contains("cocaine"): "cocaine"
        case "heroin": "opiates"
        case "methamphetamine": "amphetamines"
        case "": "cannabis"
        case let s: s
        }
    }

    /// The fact's incentives and sanctions (see `responseCounts`) as responses over the supervised months, each chosen as the policy's response
    /// matrix suggests for the behaviour and its earlier occurrences, and checked as a recorded choice is.
    func responses(
        _ fact: ContactFact, measure: MeasureRecord, judge: (userID: UUID, name: String, agencyID: UUID), endDay: Int,
        random: inout SplitMix64, into rows: inout Rows, summary: inout Summary
    ) throws {
        let (incentives, sanctions) = Self.responseCounts(incentives: fact.incentives, sanctions: fact.sanctions)
        let count = incentives + sanctions
        guard count > 0 else { return }
        let matrix = policy.supervision.responses
        let programme = ResponseProgramme.id(caseAgencyID: judge.agencyID, measureType: measure.type)
        let start = measure.start.dayNumber
        let end = max(start, min(fact.measureEndOn?.dayNumber ?? endDay, endDay))
        var kinds = Array(repeating: ResponseKind.incentive, count: incentives) + Array(repeating: ResponseKind.sanction, count: sanctions)
        kinds.shuffle(using: &random)
        let days = (0..<count).map { _ in random.int(start...end) }.sorted()
        var history: [BehaviourRecord] = []
        for (kind, day) in zip(kinds, days) {
            let behaviour: Behaviour = kind == .incentive ? .attendedAllSessions : random.chance(0.6) ? .missedAppointment : .lateAppointment
            let at = Self.instant(CalendarDate(dayNumber: day), &random)
            let suggestions = ResponseAdvisor.suggest(behaviour, phase: measure.phase, history: history, daysInTreatment: day - start, now: at, matrix: matrix)
            let chosen: (option: ResponseOption, why: String, suggested: Bool)
            if let s = suggestions.first(where: { $0.option.kind == kind }) {
                chosen = (s.option, s.reason, true)
            } else if let o = matrix.options.filter({ $0.kind == kind && !$0.isLastResort }).min(by: { $0.magnitude < $1.magnitude }) {
                // A matrix without a suggestion of this kind here: the lightest one, as a team would choose it.
                chosen = (o, "\(behaviour.words.prefix(1).uppercased() + behaviour.words.dropFirst()): \(o.words), the lightest \(kind.words).", false)
            } else {
                continue
            }
            let option = try RecordedResponse.checkChoice(optionCode: chosen.option.code, why: chosen.why, behaviour: behaviour, matrix: matrix)
            rows.responses.append(try ResponseStore.model(RecordedResponse(
                id: Self.uuid(&random), measureID: measure.id, personID: measure.personID, programmeID: programme, behaviour: behaviour,
                behaviourAt: at, phase: measure.phase, option: option, wasSuggested: chosen.suggested, decidedByUserID: judge.userID,
                decidedByName: judge.name, decidedAt: at.addingTimeInterval(Double(random.int(1...72)) * 3_600), why: chosen.why
            )))
            if kind == .incentive { summary.incentives += 1 } else { summary.sanctions += 1 }
            history.append(BehaviourRecord(behaviour: behaviour, occurredAt: at))
        }
    }
}
