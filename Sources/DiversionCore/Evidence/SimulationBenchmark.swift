import Foundation

/// Generated contacts and candidate policies for measuring the policy simulation without a database:
/// the same seed gives the same contacts and the same candidates on every machine.
public enum SimulationBenchmark {
    public struct Result: Sendable {
        public let contacts: Int
        public let policies: Int
        public let generateSeconds: Double
        public let simulateSeconds: Double
        public let reports: [SimulationReport]

        public var decisionsPerSecond: Double { Double(contacts * (policies + 1)) / simulateSeconds }
        public var contactPoliciesPerSecond: Double { Double(contacts * policies) / simulateSeconds }
    }

    /// A small deterministic generator (PCG-style LCG), so no system randomness enters a benchmark.
    struct Generator {
        var state: UInt64

        mutating func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(max(n, 1)))
        }

        mutating func chance(_ percent: Int) -> Bool { next(100) < percent }
    }

    /// `count` contacts of people with one to six contacts each over five years, spread over `policy`'s substances
    /// around their thresholds, some in other units, some tested for purity, a few with exclusions or convictions.
    public static func contacts(for policy: JurisdictionPolicy, count: Int, seed: UInt64 = 42) -> ReplayContacts {
        var random = Generator(state: seed)
        var builder = ReplayContactsBuilder(expectedCount: count)
        let start = CalendarDate(year: 2021, month: 1, day: 1).dayNumber
        let offences = policy.offenceCategories.map(\.code)
        let regions = ["R1", "R2", "R3", "R4", "R5"]
        let nationalities = ["PT", "ES", "BR", "CV", "UA"]
        var person = 0
        var made = 0
        while made < count {
            person += 1
            let key = "p\(person)"
            let contactsOfPerson = min(1 + random.next(6), count - made)
            var day = start + random.next(1800)
            let sex = random.chance(80) ? "male" : "female"
            let age = 16 + random.next(50)
            let region = regions[random.next(regions.count)]
            let nationality: String? = random.chance(10) ? nil : nationalities[random.next(nationalities.count)]
            let convictions: [Int] = random.chance(8) ? [day - 200 - random.next(2500)] : []
            for _ in 0..<contactsOfPerson {
                var seizures: [SeizureRecord] = []
                for _ in 0..<(random.chance(85) ? 1 : random.chance(70) ? 2 : 0) {
                    guard !policy.substances.isEmpty else { break }
                    let s = policy.substances[random.next(policy.substances.count)]
                    var quantity = s.threshold * Double(10 + random.next(290)) / 100
                    var unit = s.unit
                    if s.unit == .g && random.chance(20) { unit = .mg; quantity *= 1000 }
                    let purity: Double? = s.basis == .pure && random.chance(40) ? Double(10 + random.next(80)) : nil
                    seizures.append(SeizureRecord(substance: s.code, quantity: quantity, unit: unit.rawValue, purityPercent: purity))
                }
                let circumstances = random.chance(6) ? 1 << random.next(5) : 0
                let offence = offences.isEmpty ? "possession_personal_use" : random.chance(80) ? offences[0] : offences[random.next(offences.count)]
                builder.append(
                    personKey: key, day: day, sex: sex, age: age, region: region, nationality: nationality, offence: offence,
                    substance: seizures.first?.substance, seizures: FactEncoding.seizures(seizures), circumstances: circumstances,
                    seriousConvictions: convictions.map(String.init).joined(separator: ","), eligible: false, diverted: false
                )
                day += 20 + random.next(400)
                made += 1
            }
        }
        return builder.build()
    }

    /// `count` variations of `policy`: thresholds raised or lowered, exclusions dropped, the diversion limit and the
    /// conviction look-back changed, one or two changes each.
    public static func candidates(from policy: JurisdictionPolicy, count: Int, seed: UInt64 = 7) -> [JurisdictionPolicy] {
        var random = Generator(state: seed)
        return (0..<count).map { i in
            var p = policy
            p.version = "\(policy.version)-candidate-\(i + 1)"
            for _ in 0..<(1 + random.next(2)) {
                switch random.next(5) {
                case 0, 1:
                    guard !p.substances.isEmpty else { break }
                    let s = random.next(p.substances.count)
                    p.substances[s].threshold *= Double(60 + random.next(100)) / 100
                case 2:
                    switch random.next(5) {
                    case 0: p.exclusions.violence.toggle()
                    case 1: p.exclusions.weapon.toggle()
                    case 2: p.exclusions.supplyToMinors.toggle()
                    case 3: p.exclusions.nearSchool.toggle()
                    default: p.exclusions.organisedCrime.toggle()
                    }
                case 3:
                    p.exclusions.maxDiversions = JurisdictionPolicy.DiversionLimit(count: 1 + random.next(5), years: 1 + random.next(5))
                default:
                    p.exclusions.priorSeriousConvictionYears = random.chance(20) ? nil : 1 + random.next(7)
                }
            }
            return p
        }
    }

    /// Generates the contacts, then times the simulation of `policies` candidates against `policy`.
    public static func run(_ policy: JurisdictionPolicy, contacts count: Int, policies: Int, seed: UInt64 = 42) -> Result {
        let generated = Date()
        let set = contacts(for: policy, count: count, seed: seed)
        let candidateList = candidates(from: policy, count: policies, seed: seed &+ 1)
        let started = Date()
        let reports = PolicySimulation.run(contacts: set, baseline: policy, candidates: candidateList, groupBy: [.sex, .ageGroup])
        let finished = Date()
        return Result(
            contacts: set.count, policies: policies, generateSeconds: started.timeIntervalSince(generated),
            simulateSeconds: finished.timeIntervalSince(started), reports: reports
        )
    }
}
