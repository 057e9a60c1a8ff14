import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Vapor

/// A few hundred synthetic people with contacts, screenings and referrals in every status, built
/// through the same core rules as real work (eligibility, history, transitions), so the pages show a living pathway.
enum DemoCaseload {
    static let people = 300

    /// A fixed linear congruential sequence keeps the demo data the same on every machine.
    struct Sequence {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(max(n, 1)))
        }
        mutating func chance(_ percent: Int) -> Bool { next(100) < percent }
    }

    /// Adds the caseload once: nothing happens when contacts already exist.
    static func seed(_ app: Application, now: Date = Date()) async throws {
        let db = app.db
        guard try await ContactModel.query(on: db).count() == 0,
              let active = try await app.diversion.policies.active(on: db),
              let officer = try await AccountStore().user(username: "officer", on: db), let officerID = officer.id,
              let provider = try await AccountStore().user(username: "provider", on: db), let providerID = provider.id
        else { return }
        let policy = active.policy
        let services = try await ServiceStore().list(on: db)
        let agencies = try await AgencyModel.query(on: db).all()
        func agency(_ type: AgencyType, _ region: String) -> UUID? {
            agencies.first { $0.type == type.rawValue && $0.region == region }?.id
        }
        var seq = Sequence(state: 20_261_201)
        let women = ["Ana", "Maria", "Sofia", "Amina", "Elena", "Inés", "Fatima", "Olga", "Zainab", "Lucía", "Marta", "Yara", "Irina", "Carla"]
        let men = ["João", "Luis", "Pavel", "Karim", "Tomás", "Jakub", "Diego", "Mateo", "Petr", "Omar", "Rui", "Ivan", "Samuel", "Nuno"]
        let family = ["Silva", "Novák", "García", "Costa", "Haddad", "Dvořák", "Hernández", "Pereira", "Mensah", "Kowalski", "Santos",
                      "Ramírez", "Ivanova", "Okafor", "Moreau", "Ferreira", "López", "Svoboda", "Nunes", "Benali"]
        let languages = ["pt", "pt", "es", "es", "en", "cs", "ar", "uk", "pt-BR"]
        let today = CalendarDate(now)
        // Substances weighted as seen in practice: cannabis most often, then cocaine, heroin, stimulants.
        let substances = ["cannabis_herb", "cannabis_herb", "cannabis_herb", "cannabis_resin", "cocaine", "cocaine", "heroin", "methamphetamine", "mdma", "cannabis_plants"]
        let screened: [ScreeningInstrument] = [.assist, .assist, .dast10, .audit]

        for i in 0..<people {
            let region = DemoJurisdiction.regions[i % 3]
            guard let police = agency(.police, region) else { continue }
            let sex: Sex = seq.chance(22) ? .female : (seq.chance(2) ? .other : .male)
            let age = seq.chance(8) ? 16 + seq.next(2) : 18 + seq.next(48)
            let names = sex == .female ? women : men
            var flags: [PersonFlag] = []
            if seq.chance(9) { flags.append(.homeless) }
            if seq.chance(12) { flags.append(.caringForChildren) }
            if sex == .female && age < 40 && seq.chance(8) { flags.append(.pregnant) }
            let draft = PersonDraft(
                givenName: names[seq.next(names.count)], familyName: family[seq.next(family.count)],
                birthDate: CalendarDate(year: today.year - age - 1, month: 1 + seq.next(12), day: 1 + seq.next(28)), sex: sex,
                nationality: seq.chance(85) ? "DRP" : "XXA", preferredLanguage: languages[seq.next(languages.count)], flags: flags.sorted()
            )
            let personID = UUID()
            var events: [AuditEvent] = []
            func audit(_ type: String, _ id: UUID, agency: UUID) {
                events.append(AuditEvent(occurredAt: now, userID: nil, username: "demo-seed", agencyID: agency, action: .create,
                                         resourceType: type, resourceID: id.uuidString.lowercased(), personID: personID, purpose: "demo data"))
            }
            audit("person", personID, agency: police)
            var contacts: [ContactRecord] = []
            var past: [PastContact] = []
            let count = seq.chance(25) ? 2 + seq.next(2) : 1
            var day = 20 + seq.next(500)
            for _ in 0..<count {
                let occurredAt = now.addingTimeInterval(-Double(day) * 86400 - Double(seq.next(86400)))
                let code = substances[seq.next(substances.count)]
                guard let substance = policy.substance(code) else { continue }
                // Mostly within the threshold, some near it, some above.
                let share = seq.chance(70) ? 0.1 + Double(seq.next(70)) / 100 : (seq.chance(50) ? 0.82 + Double(seq.next(18)) / 100 : 1.2 + Double(seq.next(300)) / 100)
                var quantity = substance.threshold * share
                if substance.basis == .pure { quantity /= (substance.assumedPurityPercent ?? 100) / 100 }
                quantity = substance.unit.grams == nil ? max(1, quantity.rounded()) : (quantity * 100).rounded() / 100
                let packaging = seq.chance(6) ? [PackagingSign.manySmallBags.rawValue] : []
                let circumstances = ContactCircumstances(violence: seq.chance(3), weapon: seq.chance(2), nearSchool: seq.chance(3))
                let offence = share > 1 && seq.chance(50) ? "possession_trafficking" : "possession_personal_use"
                let question = EligibilityQuestion(
                    authority: .police, occurredOn: CalendarDate(occurredAt), offences: [offence],
                    seizures: [SeizureRecord(substance: code, quantity: quantity, unit: substance.unit.rawValue, packaging: packaging)],
                    circumstances: circumstances,
                    history: PriorRecord.from(past, before: CalendarDate(occurredAt), band: policy.nearThresholdBand)
                )
                guard let answer = try? Eligibility.evaluate(question, under: policy) else { continue }
                let recommended = OfficerDecision.recommended(eligible: answer.eligible)
                let departs = seq.chance(6)
                let decision: OfficerDecision = departs ? (answer.eligible ? .noFurtherAction : .charge) : recommended
                let record = ContactRecord(
                    id: UUID(), personID: personID, occurredAt: occurredAt, region: region, offences: [offence],
                    seizures: question.seizures, circumstances: circumstances, officerUserID: officerID, officerName: officer.displayName,
                    agencyID: police, policyVersionID: active.id, evaluation: answer, decision: decision,
                    decisionReason: departs ? (answer.eligible ? "First contact, very small amount; warned and released." : "Earlier warnings were not heeded.") : nil,
                    decidedAt: occurredAt.addingTimeInterval(600), createdAt: occurredAt
                )
                contacts.append(record)
                past.append(record.past)
                audit("contact", record.id, agency: police)
                day = max(1, day - 30 - seq.next(150))
            }
            guard let last = contacts.last else { continue }

            var screening: (ScreeningResult, AnswerValue)?
            if seq.chance(70) {
                let instrument = age < policy.ageOfMajority ? ScreeningInstrument.crafft : screened[seq.next(screened.count)]
                let answers = demoAnswers(instrument, &seq)
                if let result = try? Screening.score(instrument, answers: answers, sex: sex) { screening = (result, answers) }
            }
            var referral: (ReferralRecord, [ReferralEventRecord])?
            if last.decision == .divert {
                let subject = MatchSubject(
                    age: age, sex: sex, language: draft.preferredLanguage, pregnant: flags.contains(.pregnant),
                    caringForChildren: flags.contains(.caringForChildren), region: region
                )
                let needs = screening.map { TreatmentNeeds.from($0.0) } ?? [.briefIntervention, .outpatient]
                let choices = ServiceMatching.suggest(for: subject, needs: needs, among: services.map(\.listed), limit: 3)
                if let pick = choices.first, let service = services.first(where: { $0.id == pick.serviceID }) {
                    referral = demoReferral(
                        person: personID, service: service, contact: last, needs: needs, police: police, officer: (officerID, officer.displayName),
                        provider: (providerID, provider.displayName), limits: policy.timeLimits, now: now, &seq
                    )
                    if let r = referral { audit("referral", r.0.id, agency: police) }
                }
            }
            let finalContacts = contacts, finalScreening = screening, finalReferral = referral, auditEvents = events
            let officerPrincipal = Principal(userID: officerID, username: "officer", displayName: officer.displayName, roles: [.officer],
                                             agencyID: police, agencyType: .police, region: region)
            let screenedAt = last.occurredAt.addingTimeInterval(1200)
            _ = try await app.diversion.auditTrail.perform { db in
                _ = try await PersonStore().create(draft, id: personID, createdByAgency: police, at: finalContacts.first?.occurredAt ?? now, on: db)
                for c in finalContacts { try await ContactStore().create(c, on: db) }
                if let (result, answers) = finalScreening {
                    _ = try await ScreeningStore().create(result, answers: answers, personID: personID, by: officerPrincipal, at: screenedAt, on: db)
                }
                if let (r, history) = finalReferral {
                    let store = ReferralStore()
                    var sent = r
                    sent.status = .sent
                    sent.statusSince = r.createdAt
                    sent.scheduledFor = nil
                    sent.dueBy = ReferralFlow.dueBy(status: .sent, since: r.createdAt, limits: policy.timeLimits)
                    try await store.create(sent, on: db)
                    var status = ReferralStatus.sent
                    var due = sent.dueBy
                    for e in history {
                        due = ReferralFlow.dueBy(after: e.type, at: e.occurredAt, current: due, scheduledFor: e.scheduledFor, limits: policy.timeLimits)
                        _ = try await store.record(e, expecting: status, dueBy: due, on: db)
                        status = e.type.resultingStatus
                    }
                }
                return (0, auditEvents)
            }
        }
    }

    /// A referral with a plausible history, ending in any status; every step is checked by the core flow.
    static func demoReferral(
        person: UUID, service: StoredService, contact: ContactRecord, needs: [Modality], police: UUID, officer: (UUID, String),
        provider: (UUID, String), limits: JurisdictionPolicy.TimeLimits, now: Date, _ seq: inout Sequence
    ) -> (ReferralRecord, [ReferralEventRecord]) {
        let sentAt = contact.occurredAt.addingTimeInterval(3600)
        let paths: [[ReferralEventType]] = [
            [], [.received], [.accepted], [.declined], [.accepted, .intakeScheduled], [.accepted, .intakeScheduled, .intakeAttended],
            [.accepted, .intakeScheduled, .intakeAttended, .engaged], [.accepted, .intakeScheduled, .intakeAttended, .engaged, .completed],
            [.accepted, .intakeScheduled, .intakeAttended, .engaged, .disengaged], [.withdrawn], [.accepted, .intakeScheduled, .intakeAttended, .engaged],
        ]
        // Recent referrals are early in the loop; older ones have gone further.
        let ageDays = now.timeIntervalSince(sentAt) / 86400
        var path = paths[seq.next(paths.count)]
        if ageDays < 3 { path = Array(path.prefix(1)) } else if ageDays < 14 { path = Array(path.prefix(3)) }
        var status = ReferralStatus.sent
        var at = sentAt
        var events: [ReferralEventRecord] = []
        var scheduled: Date?
        let referralID = UUID()
        for type in path {
            at = at.addingTimeInterval(Double(6 + seq.next(60)) * 3600)
            guard at < now else { break }
            let receiving = !type.recordedByReferrer
            let reason: String? = switch type {
            case .declined: "No place for this programme at present; a service with open places fits better."
            case .withdrawn: "The person moved to another region."
            case .disengaged: "Stopped attending after three missed sessions."
            default: nil
            }
            if type == .intakeScheduled { scheduled = at.addingTimeInterval(Double(1 + seq.next(5)) * 86400) }
            guard let next = try? ReferralFlow.apply(type, to: status, by: receiving ? .receiving : .referring, reason: reason, scheduledFor: scheduled)
            else { break }
            let who = receiving ? provider : officer
            events.append(ReferralEventRecord(
                id: UUID(), referralID: referralID, type: type, reason: reason, note: nil, scheduledFor: type == .intakeScheduled ? scheduled : nil,
                recordedByUserID: who.0, recordedByName: who.1, agencyID: receiving ? service.agencyID : police, occurredAt: at
            ))
            status = next
            if type == .intakeScheduled, let s = scheduled { at = min(s, now.addingTimeInterval(-60)) }
        }
        let record = ReferralRecord(
            id: referralID, personID: person, serviceID: service.id, contactID: contact.id, referringAgencyID: police,
            receivingAgencyID: service.agencyID, referredByUserID: officer.0, referredByName: officer.1,
            reason: "Diversion to treatment after the contact of \(CalendarDate(contact.occurredAt)).",
            urgency: seq.chance(15) ? .urgent : .routine, needs: needs, status: status, statusSince: at,
            dueBy: nil, createdAt: sentAt
        )
        return (record, events)
    }

    /// Plausible answers for each instrument, spread across the levels.
    static func demoAnswers(_ instrument: ScreeningInstrument, _ seq: inout Sequence) -> AnswerValue {
        let severity = seq.next(4)
        switch instrument {
        case .dast10:
            return .array((0..<10).map { i in .bool(i == 2 ? severity < 2 : seq.next(4) < severity) })
        case .audit:
            return .array((0..<10).map { i in .number(Double(i < 8 ? min(4, seq.next(severity + 2)) : min(2, seq.next(severity + 1)))) })
        case .auditc:
            return .array((0..<3).map { _ in .number(Double(min(4, seq.next(severity + 2)))) })
        case .crafft:
            let days = severity == 0 ? 0 : 1 + seq.next(40)
            return .object([
                "partA": .object(["alcoholDays": .number(Double(days)), "cannabisDays": .number(Double(seq.next(days + 1))), "otherDays": .number(0)]),
                "partB": .array((0..<(days > 0 ? 6 : 1)).map { _ in .bool(seq.next(4) < severity) }),
            ])
        case .assist:
            let used = ["cannabis", "cocaine", "opioids", "alcohol"][seq.next(4)]
            let q2 = min(4, 1 + seq.next(severity + 1))
            return .object([used: .object([
                "q1": .bool(true), "q2": .number(Double(q2)), "q3": .number(Double(min(4, seq.next(severity + 2)))),
                "q4": .number(Double(min(4, seq.next(severity + 1)))), "q5": .number(Double(min(4, seq.next(severity + 1)))),
                "q6": .number(Double(seq.next(3))), "q7": .number(Double(seq.next(3))), "q8": .number(used == "opioids" && severity > 2 ? 1 : 0),
            ])])
        }
    }
}
