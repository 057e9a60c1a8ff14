import Foundation

/// A small deterministic random source (SplitMix64): one seed gives the same data set on every machine and run.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Uniform over `range`.
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// An index drawn with the given weights (which need not add up to 1).
    public mutating func pick(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var x = unit() * total
        for (i, w) in weights.enumerated() {
            if x < w { return i }
            x -= w
        }
        return weights.count - 1
    }
}

/// A generated population of contacts and what followed them, plausible enough to exercise every indicator and
/// load test the database, with outcomes set where the evidence on drug courts puts them (about 38 % of diverted
/// contacts followed by a new contact within two years against 50 % of the others). It is never real data and is
/// kept apart as the `generated` source.
public enum SyntheticEvidence {
    /// Share of contacts followed by a new one within 730 days, diverted or not, before the four-contact cap trims it.
    static let recontact = (diverted: 0.385, notDiverted: 0.50)

    /// `contacts` contacts spread over the three years up to `end`, drawn from `seed` alone.
    public static func generate(contacts: Int, seed: UInt64, policy: JurisdictionPolicy, endingOn end: CalendarDate) -> (facts: [ContactFact], tests: [TestFact]) {
        generate(contacts: contacts, people: Int.max, seed: seed, policy: policy, endingOn: end)
    }

    /// The contacts of `people` people over the three years up to `end` (about 1.3 contacts each), drawn from `seed` alone.
    public static func generate(people: Int, seed: UInt64, policy: JurisdictionPolicy, endingOn end: CalendarDate) -> (facts: [ContactFact], tests: [TestFact]) {
        generate(contacts: Int.max, people: people, seed: seed, policy: policy, endingOn: end)
    }

    static func generate(contacts: Int, people: Int, seed: UInt64, policy: JurisdictionPolicy, endingOn end: CalendarDate) -> (facts: [ContactFact], tests: [TestFact]) {
        var random = SplitMix64(seed: seed)
        let plan = Plan(policy: policy)
        let endDay = end.dayNumber, startDay = endDay - 3 * 365
        var facts: [ContactFact] = []
        var tests: [TestFact] = []
        facts.reserveCapacity(max(0, min(contacts, people < Int.max / 2 ? people * 2 : Int.max, 20_000_000)))
        var personIndex = 0
        while facts.count < contacts && personIndex < people {
            personIndex += 1
            let personKey = "G:P" + String(personIndex)
            let sex = [Sex.male, .female, .other, .unknown][random.pick([87, 12, 0.5, 0.5])]
            let ageBand = plan.ages[random.pick(plan.ageWeights)]
            let firstAge: Int? = random.chance(0.02) ? nil : random.int(ageBand)
            let nationality: String? = random.chance(0.02) ? nil
                : random.chance(0.10) ? plan.foreign[random.int(0...(plan.foreign.count - 1))] : plan.country
            var region = plan.regions[random.pick(plan.regionWeights)]
            let convictions: [CalendarDate] = random.chance(0.03) ? [CalendarDate(dayNumber: startDay - random.int(0...(8 * 365)))] : []
            let firstDay = random.int(startDay...endDay)
            var day = firstDay
            var diversions: [Int] = []
            for _ in 0..<4 where facts.count < contacts {
                if random.chance(0.1) { region = plan.regions[random.pick(plan.regionWeights)] }
                let age = firstAge.map { $0 + (day - firstDay) / 365 }
                let key = "G:" + String(facts.count + 1)
                var fact = contact(key: key, personKey: personKey, day: day, sex: sex, age: age, region: region, nationality: nationality,
                                   convictions: convictions, diversions: diversions, plan: plan, endDay: endDay, random: &random)
                followUp(&fact, plan: plan, startDay: startDay, endDay: endDay, tests: &tests, random: &random)
                if fact.diverted { diversions.append(day) }
                facts.append(fact)
                // The next contact, if any: sooner and likelier after a contact that was not diverted.
                let p = fact.diverted ? recontact.diverted : recontact.notDiverted
                let gap: Int
                if random.chance(p) {
                    gap = 7 + Int(723 * pow(random.unit(), 1.3))
                } else if random.chance(0.25) {
                    gap = 731 + random.int(0...700)
                } else {
                    break
                }
                day += gap
                if day > endDay { break }
            }
        }
        return (facts, tests)
    }

    /// The contact itself: who, where, what was seized, and whether it was screened, eligible and diverted.
    static func contact(key: String, personKey: String, day: Int, sex: Sex, age: Int?, region: String, nationality: String?, convictions: [CalendarDate],
                        diversions: [Int], plan: Plan, endDay: Int, random: inout SplitMix64) -> ContactFact {
        let policy = plan.policy
        var circumstances = ContactCircumstances()
        if random.chance(0.06) {
            switch random.pick([2, 2, 0.5, 2, 1]) {
            case 0: circumstances.violence = true
            case 1: circumstances.weapon = true
            case 2: circumstances.supplyToMinors = true
            case 3: circumstances.nearSchool = true
            default: circumstances.organisedCrime = true
            }
        }
        // How far the seizure is from the threshold: about 70 % at or under it.
        let share: Double
        switch random.pick([70, 20, 10]) {
        case 0: share = 0.05 + 0.95 * random.unit()
        case 1: share = 1 + 2 * random.unit()
        default: share = 3 + 27 * random.unit()
        }
        var substance: JurisdictionPolicy.Substance?
        var seizures: [SeizureRecord] = []
        if !plan.substances.isEmpty, !random.chance(0.04) {
            let s = plan.substances[random.pick(plan.substanceWeights)]
            substance = s
            var purity: Double?
            var amount = share * s.threshold
            if s.basis == .pure {
                let tested = random.chance(0.3)
                let percent = tested ? Double(random.int(10...90)) : (s.assumedPurityPercent ?? 100)
                if tested { purity = percent }
                amount = amount * 100 / percent
            }
            let rounded = s.unit.grams == nil ? max(1, amount.rounded()) : (amount * 100).rounded() / 100
            seizures = [SeizureRecord(substance: s.code, quantity: max(rounded, 0.01), unit: s.unit.rawValue, purityPercent: purity)]
        }
        let offence = plan.offence(share: substance == nil ? 1 : share, plants: substance?.unit == .plants, violent: circumstances.violence, random: &random)
        let e = policy.exclusions
        let excluded = (e.violence && circumstances.violence) || (e.weapon && circumstances.weapon) || (e.supplyToMinors && circumstances.supplyToMinors)
            || (e.nearSchool && circumstances.nearSchool) || (e.organisedCrime && circumstances.organisedCrime)
        let convicted = e.priorSeriousConvictionYears.map { years in convictions.contains { $0.dayNumber > day - years * 365 && $0.dayNumber <= day } } ?? false
        let overLimit = e.maxDiversions.map { limit in diversions.filter { $0 > day - limit.years * 365 }.count >= limit.count } ?? false
        let eligible = share <= 1 && !excluded && !convicted && !overLimit && plan.minorOffences.contains(offence)
        let diverted = eligible && random.chance(0.8)
        return ContactFact(
            source: .generated, contactKey: key, personKey: personKey, occurredOn: CalendarDate(dayNumber: day), sex: sex, age: age,
            region: region, nationality: nationality, offence: offence, substance: substance?.code, seizures: seizures,
            circumstances: circumstances, seriousConvictions: convictions.filter { $0.dayNumber < day },
            screened: random.chance(diverted ? 0.6 : 0.2), eligible: eligible, diverted: diverted
        )
    }

    /// What followed a contact: the stage, the referral and treatment, the measure, supervision and tests.
    static func followUp(_ fact: inout ContactFact, plan: Plan, startDay: Int, endDay: Int, tests: inout [TestFact], random: inout SplitMix64) {
        let day = fact.occurredOn.dayNumber
        guard fact.diverted else {
            fact.stage = [Stage.preTrial, .trial, .sentencing][random.pick([50, 20, 30])]
            return
        }
        fact.referralSent = true
        fact.referralAccepted = random.chance(0.75)
        let heroin = fact.substance == "heroin"
        let modalities = heroin ? ["opioid_agonist_treatment", "outpatient", "residential"] : ["outpatient", "intensive_outpatient", "residential", "harm_reduction"]
        fact.treatmentModality = modalities[random.pick(heroin ? [60, 30, 10] : [75, 10, 8, 7])]
        if fact.referralAccepted, random.chance(0.8) {
            let intake = day + random.int(3...20)
            if intake <= endDay {
                fact.referralEngaged = true
                fact.intakeOn = CalendarDate(dayNumber: intake)
                if random.chance(0.3) {
                    let dropped = intake + random.int(5...200)
                    if dropped <= endDay { fact.treatmentDroppedOn = CalendarDate(dayNumber: dropped) }
                }
            }
        }

        // About a third are diverted by the officer alone; the rest are given a measure at a stage the policy has.
        guard !plan.measureStages.isEmpty, !random.chance(0.35) else { return }
        let minor = (fact.age ?? plan.policy.ageOfMajority) < plan.policy.ageOfMajority
        let stageIndex = random.pick(plan.measureStages.map(\.weight))
        let (stage, _, types, typeWeights) = plan.measureStages[stageIndex]
        var candidates = Array(zip(types, typeWeights))
        if minor, let allowed = plan.policy.juvenile.allowed {
            let kept = candidates.filter { allowed.contains($0.0) }
            if !kept.isEmpty { candidates = kept }
        }
        let type = candidates[random.pick(candidates.map(\.1))].0
        fact.stage = stage
        fact.measureType = type.rawValue
        let delay: ClosedRange<Int> = switch stage {
        case .preTrial: 5...45
        case .trial: 30...120
        case .sentencing: 60...200
        case .postSentencing: 90...300
        }
        let start = day + random.int(delay)
        guard start <= endDay else { return }
        fact.measureStartOn = CalendarDate(dayNumber: start)
        let planned = type.imposesObligations ? random.int(90...365) : 0
        let outcome = [MeasureOutcome.completed, .revoked, .terminated, .absconded, .transferred, .died][random.pick([60, 18, 10, 8, 3, 1])]
        let actualEnd = outcome == .completed ? start + planned : start + Int(Double(planned) * (0.2 + 0.7 * random.unit()))
        if actualEnd <= endDay {
            fact.measureEndOn = CalendarDate(dayNumber: actualEnd)
            fact.measureOutcome = outcome.rawValue
        } else {
            fact.measureEndOn = CalendarDate(dayNumber: start + planned)
        }
        guard type.imposesObligations else { return }
        let supervised = min(fact.measureEndOn?.dayNumber ?? endDay, endDay)
        let months = max(1, (supervised - start) / 30)
        for _ in 0..<months {
            fact.incentives += random.int(0...8)
            fact.sanctions += random.int(0...2)
        }

        // Drug testing for most treatment measures and some others; negatives grow with time in the programme.
        guard random.chance(type == .treatmentCourt || type == .treatmentOrder ? 0.9 : 0.5) else { return }
        let hard = ["heroin", "cocaine", "methamphetamine"].contains(fact.substance ?? "")
        var results: [(day: CalendarDate, negative: Bool)] = []
        var testDay = start + random.int(0...6)
        while testDay <= supervised && results.count < 60 {
            let weeks = Double(testDay - start) / 7
            let calendar = 0.04 * Double(testDay - startDay) / 365
            let p = min(0.97, 0.55 + 0.35 * min(1, weeks / 26) + calendar - (hard ? 0.1 : 0))
            results.append((CalendarDate(dayNumber: testDay), random.chance(p)))
            testDay += random.int(3...10)
        }
        guard let first = results.first, let last = results.last else { return }
        fact.testingStartOn = first.day
        fact.lastTestOn = last.day
        fact.relapseOn = Relapse.day(results, after: plan.policy.evidence.relapseAfterNegatives)
        for r in results { tests.append(TestFact(contactKey: fact.contactKey, testOn: r.day, negative: r.negative)) }
    }

    /// The policy read once into the lists the generator draws from.
    struct Plan {
        let policy: JurisdictionPolicy
        let country: String
        let foreign: [String]
        let regions = ["R1", "R2", "R3", "R4", "R5", "R6"]
        let regionWeights: [Double] = [30, 22, 18, 14, 10, 6]
        let ages: [ClosedRange<Int>] = [14...17, 18...24, 25...34, 35...44, 45...54, 55...72]
        let ageWeights: [Double] = [7, 36, 30, 15, 8, 4]
        let substances: [JurisdictionPolicy.Substance]
        let substanceWeights: [Double]
        let minorOffences: Set<String>
        let personalUse: String
        let cultivation: String?
        let trafficking: [String]
        let violent: String?
        let others: [String]
        let measureStages: [(stage: Stage, weight: Double, types: [MeasureType], typeWeights: [Double])]

        init(policy: JurisdictionPolicy) {
            self.policy = policy
            let country = policy.evidence.country ?? "XD"
            self.country = country
            foreign = ["BRA", "UKR", "ROU", "MAR", "CPV", "AGO", "GBR", "ESP", "NGA", "IND"].filter { $0 != country }
            let preferred: [String: Double] = [
                "cannabis_herb": 40, "cannabis_resin": 15, "cannabis_plants": 5, "cannabis": 60, "cocaine": 18, "cocaine_base": 3,
                "heroin": 8, "methamphetamine": 6, "mdma": 6,
            ]
            substances = policy.substances
            substanceWeights = policy.substances.map { s in preferred[s.code] ?? (s.code.contains("cannabis") ? 10 : 1) }
            let categories = policy.offenceCategories
            minorOffences = Set(categories.filter { $0.minor && $0.nonViolent }.map(\.code))
            let e = policy.evidence
            personalUse = categories.first { $0.code == "possession_personal_use" }?.code
                ?? categories.first { e.offenceClass($0.code) == .possession }?.code ?? categories.first?.code ?? "unknown"
            cultivation = categories.first { $0.code.contains("cultivation") && $0.minor }?.code
            trafficking = categories.filter { e.offenceClass($0.code) == .trafficking }.map(\.code)
            violent = categories.first { !$0.nonViolent }?.code
            let named = Set([personalUse, cultivation, violent].compactMap { $0} + trafficking)
            others = categories.map(\.code).filter { !named.contains($0) }

            // Measures at the stages the policy routes cases through, the treatment-led ones drawn more often.
            let stageWeights: [Stage: Double] = [.preTrial: 50, .trial: 20, .sentencing: 25, .postSentencing: 5]
            let routed = Set(policy.routes.map(\.stage))
            let favoured: Set<MeasureType> = [.deferredProsecution, .conditionalDismissal, .treatmentCourt, .treatmentOrder, .probation, .suspendedSentence, .earlyReleaseIntoTreatment]
            measureStages = Stage.allCases.compactMap { stage in
                guard routed.contains(stage) else { return nil }
                var types: [MeasureType] = []
                for rule in policy.measures where rule.stage == stage {
                    for t in rule.allowed where !types.contains(t) { types.append(t) }
                }
                guard !types.isEmpty else { return nil }
                return (stage, stageWeights[stage] ?? 1, types, types.map { favoured.contains($0) ? 4 : 1 })
            }
        }

        /// An offence category that fits the amount seized: personal use under the threshold, supply far over it.
        func offence(share: Double, plants: Bool, violent isViolent: Bool, random: inout SplitMix64) -> String {
            if isViolent, let violent, random.chance(0.5) { return violent }
            let personal = plants ? (cultivation ?? personalUse) : personalUse
            let supplyShare = share <= 1 ? 0.03 : share <= 3 ? 0.3 : 0.8
            if !trafficking.isEmpty, random.chance(supplyShare) { return trafficking[random.int(0...(trafficking.count - 1))] }
            if !others.isEmpty, random.chance(0.03) { return others[random.int(0...(others.count - 1))] }
            return personal
        }
    }
}
