import DiversionCore
import FluentKit
import Foundation

/// Rebuilds the recorded facts from the pathway's own records: contacts, people, screenings, referrals,
/// cases, measures, responses and tests. Nothing is entered twice; names and free text never reach the facts.
public struct EvidenceRefresh: Sendable {
    public init() {}

    /// Builds every recorded fact and replaces the recorded rows in one transaction; answers the counts written.
    @discardableResult
    public func run(policy: JurisdictionPolicy, at now: Date, on db: any Database) async throws -> (contacts: Int, tests: Int) {
        let (facts, tests) = try await build(policy: policy, on: db)
        try await EvidenceStore().replace(source: .recorded, facts: facts, tests: tests, at: now, on: db)
        return (facts.count, tests.count)
    }

    func build(policy: JurisdictionPolicy, on db: any Database) async throws -> ([ContactFact], [TestFact]) {
        let contacts = try await ContactModel.query(on: db).all().compactMap { try? ContactStore.record($0) }
        var people: [UUID: PersonModel] = [:]
        for p in try await PersonModel.query(on: db).all() { if let id = p.id { people[id] = p } }
        var screenings: [UUID: [CalendarDate]] = [:]
        for s in try await ScreeningModel.query(on: db).all() { screenings[s.$person.id, default: []].append(CalendarDate(s.createdAt)) }

        var modalities: [UUID: String] = [:]
        for s in try await ServiceModel.query(on: db).all() {
            if let id = s.id { modalities[id] = (try? JSONText.decode([String].self, s.modalities))?.first }
        }
        var eventsByReferral: [UUID: [ReferralEventModel]] = [:]
        for e in try await ReferralEventModel.query(on: db).all() { eventsByReferral[e.$referral.id, default: []].append(e) }
        var referralsByContact: [UUID: [ReferralModel]] = [:]
        for r in try await ReferralModel.query(on: db).all() {
            if let contactID = r.$contact.id { referralsByContact[contactID, default: []].append(r) }
        }

        var caseOfContact: [UUID: JusticeCase] = [:]
        for m in try await JusticeCaseModel.query(on: db).all() {
            guard let c = try? CaseStore.justiceCase(m) else { continue }
            for id in c.contactIDs { caseOfContact[id] = c }
        }
        var decisionsByCase: [UUID: [RecordedDecision]] = [:]
        for m in try await CaseDecisionModel.query(on: db).all() {
            if let d = try? CaseStore.decision(m) { decisionsByCase[d.caseID, default: []].append(d) }
        }
        var measuresByDecision: [UUID: [MeasureRecord]] = [:]
        for m in try await MeasureModel.query(on: db).all() {
            if let r = try? MeasureStore.record(m) { measuresByDecision[r.decisionID, default: []].append(r) }
        }
        var responsesByMeasure: [UUID: (incentives: Int, sanctions: Int)] = [:]
        for r in try await ResponseModel.query(on: db).all() {
            var tally = responsesByMeasure[r.measureID] ?? (0, 0)
            if r.optionKind == ResponseKind.incentive.rawValue { tally.incentives += 1 } else if r.optionKind == ResponseKind.sanction.rawValue { tally.sanctions += 1 }
            responsesByMeasure[r.measureID] = tally
        }
        var resultsByMeasure: [UUID: [(day: CalendarDate, negative: Bool)]] = [:]
        for r in try await DrugTestResultModel.query(on: db).all() {
            guard let day = CalendarDate(r.testDay) else { continue }
            // Only tests given count: a missed or excused day has no result to be negative or positive.
            guard ["negative", "positive", "dilute", "adulterated"].contains(r.outcome) else { continue }
            resultsByMeasure[r.measureID, default: []].append((day, r.outcome == "negative"))
        }

        var facts: [ContactFact] = []
        var tests: [TestFact] = []
        for contact in contacts {
            let person = people[contact.personID]
            let day = CalendarDate(contact.occurredAt)
            let birth = person.flatMap { CalendarDate($0.birthDate) }
            let key = contact.id.uuidString
            var fact = ContactFact(
                source: .recorded, contactKey: key, personKey: contact.personID.uuidString, occurredOn: day,
                sex: person.flatMap { Sex(rawValue: $0.sex) } ?? .unknown, age: birth.map { $0.completedYears(on: day) },
                region: contact.region, nationality: person?.nationality, offence: contact.offences.first ?? "unknown",
                substance: PrimarySubstance.of(contact.evaluation.percentOfThreshold), seizures: contact.seizures,
                circumstances: contact.circumstances, eligible: contact.evaluation.eligible, diverted: contact.decision == .divert
            )
            fact.screened = (screenings[contact.personID] ?? []).contains { $0 >= day && $0.dayNumber - day.dayNumber <= 30 }

            let referrals = (referralsByContact[contact.id] ?? []).sorted { $0.createdAt < $1.createdAt }
            if let referral = referrals.first {
                fact.referralSent = true
                let events = (eventsByReferral[referral.id ?? UUID()] ?? []).sorted { $0.occurredAt < $1.occurredAt }
                let types = Set(events.map(\.type))
                fact.referralAccepted = types.contains(ReferralEventType.accepted.rawValue)
                fact.referralEngaged = types.contains(ReferralEventType.engaged.rawValue)
                fact.intakeOn = events.first { $0.type == ReferralEventType.intakeAttended.rawValue }.map { CalendarDate($0.occurredAt) }
                fact.treatmentDroppedOn = events.first {
                    $0.type == ReferralEventType.disengaged.rawValue || $0.type == ReferralEventType.withdrawn.rawValue
                }.map { CalendarDate($0.occurredAt) }
                fact.treatmentModality = modalities[referral.$service.id]
            }

            if let justiceCase = caseOfContact[contact.id],
               let decision = (decisionsByCase[justiceCase.id] ?? []).max(by: { $0.decidedAt < $1.decidedAt }) {
                fact.stage = decision.stage
                let measures = measuresByDecision[decision.id] ?? []
                if let first = decision.measures.first {
                    fact.measureType = first.type.rawValue
                    fact.diverted = true
                    let primary = measures.first { $0.type == first.type } ?? measures.first
                    fact.measureStartOn = primary?.start ?? first.start
                    fact.measureEndOn = primary?.outcome?.date ?? primary?.plannedEnd ?? first.plannedEnd
                    fact.measureOutcome = primary?.outcome?.outcome.rawValue
                }
                var results: [(day: CalendarDate, negative: Bool)] = []
                for m in measures {
                    let tally = responsesByMeasure[m.id] ?? (0, 0)
                    fact.incentives += tally.incentives
                    fact.sanctions += tally.sanctions
                    results += resultsByMeasure[m.id] ?? []
                }
                if !results.isEmpty {
                    let sorted = results.sorted { $0.day < $1.day }
                    fact.testingStartOn = sorted.first?.day
                    fact.lastTestOn = sorted.last?.day
                    fact.relapseOn = Relapse.day(sorted, after: policy.evidence.relapseAfterNegatives)
                    tests += sorted.map { TestFact(contactKey: key, testOn: $0.day, negative: $0.negative) }
                }
            }
            facts.append(fact)
        }
        return (facts, tests)
    }
}
