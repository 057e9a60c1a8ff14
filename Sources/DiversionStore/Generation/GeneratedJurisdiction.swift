import DiversionCore
import FluentKit
import Foundation
import SQLKit

/// A synthetic jurisdiction written into the pathway's own tables: people, contacts with their eligibility
/// evaluated by the core, officers' decisions, referrals and their events, cases, decisions and measures with outcomes,
/// screenings scored by the core, and for supervised measures drug-test results and graduated responses.
///
/// The shares (sex, age, substances, stages, measures, outcomes, recontact) are those of `SyntheticEvidence`, so the
/// evidence counted back from these records is plausible; the same seed gives the same jurisdiction. Never real data:
/// every name is drawn from a short list and every person carries the birth year and sex the generator chose.
public struct GeneratedJurisdiction: Sendable {
    /// The staff and services the generated records are attributed to.
    public struct Staff: Sendable {
        public var officer: (userID: UUID, name: String, agencyID: UUID)
        public var court: (userID: UUID, name: String, agencyID: UUID)
        public var prosecution: (userID: UUID, name: String, agencyID: UUID)
        /// Treatment services with their agency and first modality; a referral goes to one offering the modality.
        public var services: [(id: UUID, agencyID: UUID, modality: String?)]
        public var policyVersionID: UUID

        public init(
            officer: (userID: UUID, name: String, agencyID: UUID), court: (userID: UUID, name: String, agencyID: UUID),
            prosecution: (userID: UUID, name: String, agencyID: UUID), services: [(id: UUID, agencyID: UUID, modality: String?)], policyVersionID: UUID
        ) {
            self.officer = officer
            self.court = court
            self.prosecution = prosecution
            self.services = services
            self.policyVersionID = policyVersionID
        }
    }

    /// What was written, counted as it was written: the true values the indicators must find.
    public struct Summary: Sendable, Equatable {
        public var people = 0
        public var contacts = 0
        public var eligible = 0
        public var diverted = 0
        public var referrals = 0
        public var referralEvents = 0
        public var cases = 0
        public var measures = 0
        /// Contacts and diverted contacts by the person's sex code.
        public var contactsBySex: [String: Int] = [:]
        public var divertedBySex: [String: Int] = [:]
        /// Measures by type code.
        public var measuresByType: [String: Int] = [:]
        public var screenings = 0
        /// Contacts with a screening of the person within 30 days after them: what the evidence counts as screened.
        public var screenedContacts = 0
        /// Measures with drug testing: one plan each, and the contacts the evidence counts as tested.
        public var testedMeasures = 0
        public var drugTests = 0
        public var positiveTests = 0
        /// Tested measures with a relapse: a positive result after the policy's run of negatives.
        public var relapses = 0
        /// Responses recorded on measures, by kind.
        public var incentives = 0
        public var sanctions = 0

        /// Every row written, identity rows, decisions and testing plans included.
        public var rows: Int {
            2 * people + contacts + referrals + referralEvents + 2 * cases + measures + screenings + testedMeasures + drugTests + incentives + sanctions
        }
    }

    public let policy: JurisdictionPolicy
    public let staff: Staff

    public init(policy: JurisdictionPolicy, staff: Staff) {
        self.policy = policy
        self.staff = staff
    }

    /// Writes `people` people and everything that happened to them over the three years up to `end`, in transactions
    /// of about `batch` people; `progress` hears the people written so far after each.
    public func write(
        people: Int, seed: UInt64, endingOn end: CalendarDate, batch: Int = 2_000, on db: any Database,
        progress: @Sendable (Int) -> Void = { _ in }
    ) async throws -> Summary {
        let (facts, _) = SyntheticEvidence.generate(people: people, seed: seed, policy: policy, endingOn: end)
        var random = SplitMix64(seed: seed ^ 0x5EED_0F_D1CE)
        var summary = Summary()
        var start = 0
        while start < facts.count {
            // A batch ends at a person's last contact, so a person's history is written together.
            var stop = min(start + batch * 2, facts.count)
            while stop < facts.count, facts[stop].personKey == facts[stop - 1].personKey { stop += 1 }
            var rows = Rows()
            var index = start
            while index < stop {
                var next = index + 1
                while next < stop, facts[next].personKey == facts[index].personKey { next += 1 }
                try person(facts[index..<next], endDay: end.dayNumber, random: &random, into: &rows, summary: &summary)
                index = next
            }
            let written = rows
            try await db.transaction { tx in try await written.create(on: tx) }
            progress(summary.people)
            start = stop
        }
        return summary
    }

    /// The rows of one batch, written table by table so foreign keys find their parents.
    ///
    /// The rows are built as the stores build them (their `model` functions), then written as multi-row INSERTs of the
    /// models' values: Fluent's batch create reads every model's properties by reflection, which costs more than the
    /// database itself at this volume. `GeneratedJurisdictionTests` reads the rows back through the stores.
    struct Rows: @unchecked Sendable {  // Fluent models are classes; a batch is handed to one transaction and not touched again.
        var people: [PersonModel] = []
        var identities: [PersonIdentityModel] = []
        var contacts: [ContactModel] = []
        var referrals: [ReferralModel] = []
        var events: [ReferralEventModel] = []
        var cases: [JusticeCaseModel] = []
        var decisions: [CaseDecisionModel] = []
        var measures: [MeasureModel] = []
        var screenings: [ScreeningModel] = []
        var plans: [DrugTestPlanModel] = []
        var results: [DrugTestResultModel] = []
        var responses: [ResponseModel] = []

        typealias Value = any Encodable & Sendable

        func create(on db: any Database) async throws {
            guard let sql = db as? any SQLDatabase else { throw GenerationError("the database does not speak SQL") }
            try await Self.insert(PersonModel.schema, ["id", "birth_date", "sex", "gender_identity", "nationality", "preferred_language", "flags",
                                                       "created_by_agency_id", "created_at", "anonymised_at"], people, on: sql) { m in
                [m.id, m.birthDate, m.sex, m.genderIdentity, m.nationality, m.preferredLanguage, m.flags, m.$createdByAgency.id, m.createdAt, m.anonymisedAt]
            }
            try await Self.insert(PersonIdentityModel.schema, ["id", "person_id", "given_name", "family_name", "name_key", "family_name_key"], identities, on: sql) { m in
                [m.id ?? UUID(), m.$person.id, m.givenName, m.familyName, m.nameKey, m.familyNameKey]
            }
            try await Self.insert(ContactModel.schema, ["id", "person_id", "occurred_at", "region", "latitude", "longitude", "offences", "seizures", "circumstances",
                                                        "officer_user_id", "officer_name", "agency_id", "policy_version_id", "evaluation", "eligible", "decision",
                                                        "decision_reason", "decided_at", "created_at", "sealed_at", "sealed_reason"], contacts, on: sql) { m in
                [m.id, m.$person.id, m.occurredAt, m.region, m.latitude, m.longitude, m.offences, m.seizures, m.circumstances, m.officerUserID, m.officerName,
                 m.$agency.id, m.$policyVersion.id, m.evaluation, m.eligible, m.decision, m.decisionReason, m.decidedAt, m.createdAt, m.sealedAt, m.sealedReason]
            }
            try await Self.insert(ReferralModel.schema, ["id", "person_id", "service_id", "contact_id", "referring_agency_id", "receiving_agency_id",
                                                         "referred_by_user_id", "referred_by_name", "reason", "urgency", "needs", "status", "status_since",
                                                         "scheduled_for", "due_by", "created_at"], referrals, on: sql) { m in
                [m.id, m.$person.id, m.$service.id, m.$contact.id, m.referringAgencyID, m.receivingAgencyID, m.referredByUserID, m.referredByName, m.reason,
                 m.urgency, m.needs, m.status, m.statusSince, m.scheduledFor, m.dueBy, m.createdAt]
            }
            try await Self.insert(ReferralEventModel.schema, ["id", "referral_id", "type", "reason", "note", "scheduled_for", "recorded_by_user_id",
                                                              "recorded_by_name", "agency_id", "occurred_at"], events, on: sql) { m in
                [m.id, m.$referral.id, m.type, m.reason, m.note, m.scheduledFor, m.recordedByUserID, m.recordedByName, m.agencyID, m.occurredAt]
            }
            try await Self.insert(JusticeCaseModel.schema, ["id", "person_id", "stage", "contact_ids", "agency_id", "opened_at", "sealed_at", "sealed_reason"],
                                  cases, on: sql) { m in
                [m.id, m.$person.id, m.stage, m.contactIDs, m.$agency.id, m.openedAt, m.sealedAt, m.sealedReason]
            }
            try await Self.insert(CaseDecisionModel.schema, ["id", "case_id", "stage", "authority", "measures", "proportionality", "consent", "decided_by_user_id",
                                                             "decided_by_name", "agency_id", "decided_at", "supersedes_id"], decisions, on: sql) { m in
                [m.id, m.$justiceCase.id, m.stage, m.authority, m.measures, m.proportionality, m.consent, m.decidedByUserID, m.decidedByName, m.agencyID,
                 m.decidedAt, m.supersedesID]
            }
            try await Self.insert(MeasureModel.schema, ["id", "case_id", "decision_id", "person_id", "type", "conditions", "start_date", "planned_end", "status",
                                                        "phase", "phase_since", "outcome"], measures, on: sql) { m in
                [m.id, m.caseID, m.decisionID, m.personID, m.type, m.conditions, m.startDate, m.plannedEnd, m.status, m.phase, m.phaseSince, m.outcome]
            }
            try await Self.insert(ScreeningModel.schema, ["id", "person_id", "instrument", "version", "answers", "score", "level", "recommendation", "substances",
                                                          "screened_by_user_id", "screened_by_agency_id", "created_at"], screenings, on: sql) { m in
                [m.id, m.$person.id, m.instrument, m.version, m.answers, m.score, m.level, m.recommendation, m.substances, m.screenedByUserID,
                 m.$screenedByAgency.id, m.createdAt]
            }
            try await Self.insert(DrugTestPlanModel.schema, ["id", "measure_id", "person_id", "condition", "algorithm", "commitment", "test_days", "created_at"],
                                  plans, on: sql) { m in
                [m.id, m.measureID, m.personID, m.condition, m.algorithm, m.commitment, m.testDays, m.createdAt]
            }
            try await Self.insert(DrugTestResultModel.schema, ["id", "plan_id", "measure_id", "person_id", "test_day", "specimen", "collected_at", "outcome",
                                                               "substances", "excuse_reason", "lab_confirmed", "chain_of_custody", "outside_window",
                                                               "recorded_by_name", "recorded_by_agency_id", "recorded_by_agency_type", "recorded_at"], results, on: sql) { m in
                [m.id, m.planID, m.measureID, m.personID, m.testDay, m.specimen, m.collectedAt, m.outcome, m.substances, m.excuseReason, m.labConfirmed,
                 m.chainOfCustody, m.outsideWindow, m.recordedByName, m.recordedByAgencyID, m.recordedByAgencyType, m.recordedAt]
            }
            try await Self.insert(ResponseModel.schema, ["id", "measure_id", "person_id", "programme_id", "behaviour", "behaviour_at", "phase", "option_code",
                                                         "option_kind", "option", "was_suggested", "decided_by_user_id", "decided_by_name", "decided_at", "why"],
                                  responses, on: sql) { m in
                [m.id, m.measureID, m.personID, m.programmeID, m.behaviour, m.behaviourAt, m.phase, m.optionCode, m.optionKind, m.option, m.wasSuggested,
                 m.decidedByUserID, m.decidedByName, m.decidedAt, m.why]
            }
        }

        /// Multi-row INSERTs of `models`, each statement within SQLite's limit of 32 766 bound values.
        static func insert<M>(_ table: String, _ columns: [String], _ models: [M], on sql: any SQLDatabase, values: (M) -> [Value]) async throws {
            let perStatement = max(1, 30_000 / columns.count)
            for start in stride(from: 0, to: models.count, by: perStatement) {
                var statement = sql.insert(into: table).columns(columns)
                for model in models[start..<min(start + perStatement, models.count)] {
                    let row = values(model)
                    assert(row.count == columns.count, "\(table): \(row.count) values for \(columns.count) columns")
                    statement = statement.values(row.map { SQLBind($0) })
                }
                try await statement.run()
            }
        }
    }

    /// Why a jurisdiction could not be written.
    public struct GenerationError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    static let givenNames = ["Ana", "Rui", "Inês", "Tiago", "Marta", "João", "Leila", "Omar", "Sara", "Ivan", "Mei", "Lucas", "Nadia", "Pedro",
                             "Yara", "Tomás", "Olga", "Karim", "Lina", "Bruno", "Sofia", "Diego", "Amal", "Hugo", "Elena", "Wei", "Rita", "Nuno"]
    static let familyNames = ["Silva", "Santos", "Ferreira", "Pereira", "Costa", "Rodrigues", "Martins", "Sousa", "Gomes", "Lopes", "Marques",
                              "Almeida", "Ribeiro", "Pinto", "Carvalho", "Teixeira", "Moreira", "Correia", "Mendes", "Nunes", "Soares", "Vieira"]

    /// A UUID from the seeded draws, so the same seed gives the same ids.
    static func uuid(_ random: inout SplitMix64) -> UUID {
        var bytes = [UInt8](repeating: 0, count: 16)
        for half in 0..<2 {
            let value = random.next()
            for i in 0..<8 { bytes[half * 8 + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// An instant on `day` between 07:00 and 23:00 UTC.
    static func instant(_ day: CalendarDate, _ random: inout SplitMix64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(day.dayNumber * 86_400 + random.int(7 * 3_600...23 * 3_600)))
    }

    /// One person's rows: the person, each contact evaluated with the history before it, and what followed.
    func person(_ facts: ArraySlice<ContactFact>, endDay: Int, random: inout SplitMix64, into rows: inout Rows, summary: inout Summary) throws {
        guard let first = facts.first else { return }
        let personID = Self.uuid(&random)
        let age = first.age ?? random.int(18...40)
        let birth = CalendarDate(dayNumber: first.occurredOn.dayNumber - age * 365 - random.int(0...364))
        let draft = PersonDraft(
            givenName: Self.givenNames[random.int(0...(Self.givenNames.count - 1))],
            familyName: Self.familyNames[random.int(0...(Self.familyNames.count - 1))], birthDate: birth, sex: first.sex,
            nationality: first.nationality, preferredLanguage: random.chance(0.85) ? nil : ["en", "es", "fr", "ru", "ar", "zh"][random.int(0...5)]
        )
        let (personRow, identityRow) = PersonStore.models(draft, id: personID, createdByAgency: staff.officer.agencyID, at: Self.instant(first.occurredOn, &random))
        rows.people.append(personRow)
        rows.identities.append(identityRow)
        summary.people += 1

        var history = PriorRecord(seriousConvictions: first.seriousConvictions)
        var screenedDays: [Int] = []
        // The evidence counts a contact as screened when the person has a screening within 30 days after it.
        defer { summary.screenedContacts += facts.filter { f in screenedDays.contains { $0 >= f.occurredOn.dayNumber && $0 - f.occurredOn.dayNumber <= 30 } }.count }
        for fact in facts {
            let occurredAt = Self.instant(fact.occurredOn, &random)
            var question = EligibilityQuestion(occurredOn: fact.occurredOn, offences: [fact.offence], seizures: fact.seizures, circumstances: fact.circumstances, history: history)
            question.history.seriousConvictions = fact.seriousConvictions
            let answer = try Eligibility.evaluate(question, under: policy)
            let diverted = answer.eligible && fact.diverted
            let decision: OfficerDecision = diverted ? .divert : answer.eligible ? .noFurtherAction : .referToProsecutor
            let contactID = Self.uuid(&random)
            let decidedAt = occurredAt.addingTimeInterval(Double(random.int(300...3_600)))
            let contact = ContactRecord(
                id: contactID, personID: personID, occurredAt: occurredAt, region: fact.region, offences: [fact.offence], seizures: fact.seizures,
                circumstances: fact.circumstances, officerUserID: staff.officer.userID, officerName: staff.officer.name, agencyID: staff.officer.agencyID,
                policyVersionID: staff.policyVersionID, evaluation: answer, decision: decision, decisionReason: nil, decidedAt: decidedAt, createdAt: occurredAt
            )
            rows.contacts.append(try ContactStore.model(contact))
            summary.contacts += 1
            summary.contactsBySex[fact.sex.rawValue, default: 0] += 1
            if answer.eligible { summary.eligible += 1 }
            history.contacts.append(fact.occurredOn)
            if screens(fact, diverted: diverted) {
                // Twenty minutes after the contact, still on its day (contacts end by 23:00).
                try screening(fact, personID: personID, age: birth.completedYears(on: fact.occurredOn), at: occurredAt.addingTimeInterval(1_200),
                              random: &random, into: &rows, summary: &summary)
                screenedDays.append(fact.occurredOn.dayNumber)
            }
            guard diverted else { continue }
            summary.diverted += 1
            summary.divertedBySex[fact.sex.rawValue, default: 0] += 1
            history.diversions.append(fact.occurredOn)
            if fact.referralSent { try referral(fact, personID: personID, contactID: contactID, sentAt: decidedAt, random: &random, into: &rows, summary: &summary) }
            try measure(fact, personID: personID, contactID: contactID, openedAt: decidedAt, endDay: endDay, random: &random, into: &rows, summary: &summary)
        }
    }

    /// The referral to treatment that followed a diversion, and its events up to where the person got.
    func referral(
        _ fact: ContactFact, personID: UUID, contactID: UUID, sentAt: Date, random: inout SplitMix64, into rows: inout Rows, summary: inout Summary
    ) throws {
        let fitting = staff.services.filter { $0.modality == fact.treatmentModality }
        guard let service = (fitting.isEmpty ? staff.services : fitting).randomElement(using: &random) else { return }
        let referralID = Self.uuid(&random)
        var status = ReferralStatus.sent
        var since = sentAt
        func event(_ type: ReferralEventType, _ at: Date) {
            rows.events.append(ReferralStore.model(ReferralEventRecord(
                id: Self.uuid(&random), referralID: referralID, type: type, reason: nil, note: nil, scheduledFor: nil,
                recordedByUserID: staff.officer.userID, recordedByName: "Service intake", agencyID: service.agencyID, occurredAt: at
            )))
            summary.referralEvents += 1
            status = type.resultingStatus
            since = at
        }
        let acceptedAt = sentAt.addingTimeInterval(Double(random.int(2...48)) * 3_600)
        if fact.referralAccepted {
            event(.accepted, acceptedAt)
        } else if random.chance(0.5) {
            event(.declined, acceptedAt)
        }
        if let intake = fact.intakeOn {
            let at = Self.instant(intake, &random)
            event(.intakeAttended, at)
            if fact.referralEngaged { event(.engaged, at.addingTimeInterval(3_600)) }
        }
        if let dropped = fact.treatmentDroppedOn { event(.disengaged, Self.instant(dropped, &random)) }
        let referral = ReferralRecord(
            id: referralID, personID: personID, serviceID: service.id, contactID: contactID, referringAgencyID: staff.officer.agencyID,
            receivingAgencyID: service.agencyID, referredByUserID: staff.officer.userID, referredByName: staff.officer.name,
            reason: "Diverted at first contact; assessment and treatment offered.", urgency: random.chance(0.15) ? .urgent : .routine,
            needs: fact.treatmentModality.flatMap(Modality.init(rawValue:)).map { [$0] } ?? [], status: status, statusSince: since,
            dueBy: nil, createdAt: sentAt
        )
        // The events were drawn first to know where the referral stands; its row is still written before them.
        rows.referrals.append(try ReferralStore.model(referral))
        summary.referrals += 1
    }

    /// The case, the decision at its stage and the measure ordered, with its outcome once it ended, and its supervision.
    func measure(
        _ fact: ContactFact, personID: UUID, contactID: UUID, openedAt: Date, endDay: Int, random: inout SplitMix64, into rows: inout Rows,
        summary: inout Summary
    ) throws {
        guard let code = fact.measureType, let type = MeasureType(rawValue: code), let start = fact.measureStartOn else { return }
        let caseID = Self.uuid(&random), decisionID = Self.uuid(&random)
        let judge = fact.stage == .preTrial ? staff.prosecution : staff.court
        rows.cases.append(try CaseStore.model(JusticeCase(
            id: caseID, personID: personID, stage: fact.stage, contactIDs: [contactID], agencyID: judge.agencyID, openedAt: openedAt
        )))
        let decidedAt = Self.instant(CalendarDate(dayNumber: max(start.dayNumber - random.int(1...5), fact.occurredOn.dayNumber)), &random)
        var conditions = type.imposesObligations ? [Condition(type: .attendTreatment, parameters: ["sessionsPerWeek": .number(Double(random.int(1...3)))])] : []
        // The facts test only under measures that impose obligations; testing is then a condition of the order.
        if type.imposesObligations, fact.testingStartOn != nil { conditions.append(Self.testingCondition) }
        let planned = fact.measureOutcome == nil ? fact.measureEndOn : (type.imposesObligations ? fact.measureEndOn : nil)
        let ordered = OrderedMeasure(type: type, conditions: conditions, start: start, plannedEnd: planned.map { max($0, start) })
        let decision = RecordedDecision(
            id: decisionID, caseID: caseID, stage: fact.stage, authority: fact.stage == .preTrial ? .prosecution : .court, measures: [ordered],
            proportionality: Proportionality(
                gravity: "Possession of a small quantity for personal use, without violence.",
                circumstances: "Substance use disorder reported; no serious convictions on record.",
                reasons: "Treatment in the community answers the offence and its cause at the lowest intrusion."
            ),
            consent: MeasureConsent(given: true, method: .signedPaper, recordedAt: decidedAt), decidedByUserID: judge.userID,
            decidedByName: judge.name, agencyID: judge.agencyID, decidedAt: decidedAt, supersedes: nil
        )
        rows.decisions.append(try CaseStore.model(decision))
        let outcome = fact.measureOutcome.flatMap(MeasureOutcome.init(rawValue:)).map { o in
            RecordedOutcome(outcome: o, date: fact.measureEndOn ?? start, note: "", recordedByName: judge.name,
                            recordedAt: Self.instant(fact.measureEndOn ?? start, &random))
        }
        let status = outcome.flatMap { MeasureStatus(rawValue: $0.outcome.rawValue) } ?? .active
        let record = MeasureRecord(
            id: Self.uuid(&random), caseID: caseID, decisionID: decisionID, personID: personID, type: type, conditions: conditions, start: start,
            plannedEnd: ordered.plannedEnd, status: status, phase: 1, phaseSince: start, outcome: outcome
        )
        rows.measures.append(try MeasureStore.model(record))
        summary.cases += 1
        summary.measures += 1
        summary.measuresByType[code, default: 0] += 1
        if type.imposesObligations { try supervision(fact, measure: record, decidedAt: decidedAt, judge: judge, endDay: endDay, random: &random, into: &rows, summary: &summary) }
    }
}
