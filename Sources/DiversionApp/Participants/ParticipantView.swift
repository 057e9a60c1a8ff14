import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Vapor

/// What a participant's own page shows, read for one person: today and tomorrow, what is coming up, the conditions
/// with progress, and who has seen their data. Staff notes, clinical detail and test days beyond tomorrow are never read
/// into it, so the page cannot show them.
struct ParticipantView: Encodable {
    struct Day: Encodable {
        var id: String
        var isTestDay: Bool
        var answer: String
        var detail: String
        var place: String?
    }

    struct Coming: Encodable {
        var when: String
        var what: String
        var place: String?
    }

    struct Fact: Encodable {
        var label: String
        var value: String
    }

    struct ConditionLine: Encodable {
        var type: String
        var title: String
        var text: String
        var facts: [Fact]
        var hasFacts: Bool
    }

    struct MeasureCard: Encodable {
        var title: String
        var period: String
        var remaining: String?
        var conditions: [ConditionLine]
    }

    struct Disclosure: Encodable {
        var when: String
        var who: String
        var categories: [String]
        var purpose: String
        var basis: String
    }

    var name: String
    var days: [Day]
    var hasPlan: Bool
    var coming: [Coming]
    var hasComing: Bool
    var measures: [MeasureCard]
    var hasMeasures: Bool
    var disclosures: [Disclosure]
    var hasDisclosures: Bool
    var csrf: String
    var expires: String
}

extension ParticipantView {
    /// Reads the page of `personID` in `lang` at the request's time. Only the person's own records are read.
    static func load(personID: UUID, csrf: String, expiresAt: Date, lang: String, request req: Request) async throws -> ParticipantView {
        let t = req.diversion.localizer.messages(lang)
        let f = LocaleFormat(lang)
        let db = req.db
        let now = req.now
        guard let person = try await req.diversion.people.find(personID, on: db) else {
            throw APIError.unauthenticated("Sign in with your personal code first.")
        }
        let measures = try await MeasureStore().forPerson(personID, on: db).filter(\.isActive).sorted { $0.start < $1.start }
        let active = Set(measures.map(\.id))
        let stored = try await DrugTestStore().plans(forPerson: personID, on: db).filter { active.contains($0.measureID) }
        let plans = stored.map(\.plan)
        let policyZone = try? await req.diversion.policies.active(on: db)?.policy.supervision.timeZone
        let zoneID = plans.first?.condition.timeZoneID ?? policyZone ?? "UTC"
        let zone = TimeZone(identifier: zoneID) ?? .gmt
        let referrals = try await ReferralStore().list(.person(personID), on: db)
        let place = try await testPlace(measures: measures, referrals: referrals, db: db)

        // Today and tomorrow only, as the call-in answers: test days further ahead are never told.
        let askable = CallInAnswer.askableDates(now: now, timeZoneID: zoneID)
        let days = zip(["today", "tomorrow"], askable).map { id, date -> Day in
            let answer = CallInAnswer.answer(for: date, plans: plans, timeZoneID: zoneID)
            let key = "call_in_\(answer.isTestDay ? "test" : "free")_\(id)"
            let text = (t[key] ?? key).replacingOccurrences(of: "{start}", with: answer.windowStart ?? "")
                .replacingOccurrences(of: "{end}", with: answer.windowEnd ?? "")
            let detail = answer.isTestDay
                ? (t["call_in_detail"] ?? "").replacingOccurrences(of: "{date}", with: f.date(date))
                    .replacingOccurrences(of: "{zone}", with: answer.timeZoneID)
                    .replacingOccurrences(of: "{specimen}", with: answer.specimen.map { t["specimen_\($0.rawValue)"] ?? $0.rawValue } ?? "")
                : (t["call_in_free_detail"] ?? "").replacingOccurrences(of: "{date}", with: f.date(date))
            return Day(id: id, isTestDay: answer.isTestDay, answer: text, detail: detail,
                       place: answer.isTestDay ? (place ?? t["me_place_ask"]) : nil)
        }

        let today = askable[0]
        let entries = try await ComplianceStore().entries(measureIDs: measures.map(\.id), on: db)
        let results = Dictionary(grouping: try await DrugTestStore().results(ofPlans: stored.map(\.plan.id), from: CalendarDate(year: 1970, month: 1, day: 1), on: db),
                                 by: \.measureID)
        var coming: [(Date, Coming)] = []
        var cards: [MeasureCard] = []
        for m in measures {
            let progress = MeasureCompliance(measure: m, entries: entries[m.id] ?? [], today: today)
            let plan = stored.first { $0.measureID == m.id }
            let recorded = (results[m.id] ?? []).map(\.result)
            // Days whose window closed without a result count as missed, as the next sweep will record them.
            let unrecorded = plan.map { MissedTests.find($0.plan, results: recorded, through: now).count } ?? 0
            cards.append(card(m, progress: progress, tests: recorded, unrecordedMissed: unrecorded, today: today, t: t, f: f))
            for p in progress.payments {
                if let due = p.nextDueDate {
                    coming.append((instant(due), Coming(when: f.date(due), what: (t["me_coming_payment"] ?? "").replacingOccurrences(of: "{amount}", with: f.money(p.amount / Decimal(p.instalments), currency: p.currency)))))
                }
            }
            for h in progress.hours where h.remaining > 0 && h.deadline >= today {
                coming.append((instant(h.deadline), Coming(when: f.date(h.deadline), what: (t["me_coming_hours"] ?? "").replacingOccurrences(of: "{hours}", with: f.number(h.remaining)))))
            }
            if let end = m.plannedEnd, end >= today {
                coming.append((instant(end), Coming(when: f.date(end), what: (t["me_coming_end"] ?? "").replacingOccurrences(of: "{measure}", with: t["measure_\(m.type.rawValue)"] ?? m.type.rawValue))))
            }
        }
        for r in referrals where r.status == .intakeScheduled {
            guard let at = r.scheduledFor, at >= now.addingTimeInterval(-3600) else { continue }
            let service = try await ServiceStore().find(r.serviceID, on: db)
            coming.append((at, Coming(when: f.dateTime(at, timeZone: zone), what: (t["me_coming_intake"] ?? "").replacingOccurrences(of: "{service}", with: service?.profile.name ?? ""),
                                      place: service.flatMap { Self.address($0.profile) })))
        }
        coming.sort { $0.0 < $1.0 }

        let agencies = try await ConsentPages.agencyNames(req)
        let disclosures = try await ConsentStore().disclosures(of: personID, on: db).map { d in
            let basis: String = switch d.basis {
            case .consent: t["basis_consent"] ?? "consent"
            case .courtOrder: t["basis_court_order"] ?? "court order"
            case .breakGlass: t["basis_break_glass"] ?? "emergency access"
            case .ownRecord, .justiceRecord: ""
            }
            let agency = agencies[d.recipientAgencyID]
            return Disclosure(
                when: f.dateTime(d.disclosedAt, timeZone: zone), who: agency.map { "\(d.recipientName), \($0)" } ?? d.recipientName,
                categories: d.categories.map { t["category_\($0.rawValue)"] ?? $0.words }, purpose: t["purpose_\(d.purpose.rawValue)"] ?? d.purpose.rawValue,
                basis: basis
            )
        }
        return ParticipantView(
            name: person.details.givenName, days: days, hasPlan: !plans.isEmpty, coming: coming.map(\.1), hasComing: !coming.isEmpty,
            measures: cards, hasMeasures: !cards.isEmpty, disclosures: disclosures, hasDisclosures: !disclosures.isEmpty, csrf: csrf,
            expires: f.time(expiresAt, timeZone: zone)
        )
    }

    /// Where the person goes for a test: the service the measure names for treatment, else the service of their open
    /// referral; nil when the record names no place (the page then says to ask the supervision officer).
    static func testPlace(measures: [MeasureRecord], referrals: [ReferralRecord], db: any Database) async throws -> String? {
        var serviceID: UUID?
        for m in measures {
            for c in m.conditions(.attendTreatment) {
                if case .string(let text)? = c.parameters["serviceId"], let id = UUID(uuidString: text) { serviceID = id; break }
            }
            if serviceID != nil { break }
        }
        if serviceID == nil {
            let open: [ReferralStatus] = [.engaged, .intakeAttended, .intakeScheduled, .accepted]
            serviceID = open.lazy.compactMap { s in referrals.first { $0.status == s }?.serviceID }.first
        }
        guard let serviceID, let service = try await ServiceStore().find(serviceID, on: db) else { return nil }
        let named = address(service.profile).map { "\(service.profile.name), \($0)" } ?? service.profile.name
        // The phone lets the person ask about the way there or a change of time.
        return service.profile.phone.map { "\(named) · \($0)" } ?? named
    }

    static func address(_ profile: ServiceProfile) -> String? {
        guard let a = profile.address?.trimmingCharacters(in: .whitespaces), !a.isEmpty else { return nil }
        return a
    }

    /// Noon UTC of a day, to sort dated items together with timed ones.
    static func instant(_ day: CalendarDate) -> Date {
        Date(timeIntervalSince1970: Double(day.dayNumber) * 86_400 + 43_200)
    }

    /// One measure in plain words: its conditions, and what has been done so far.
    static func card(_ m: MeasureRecord, progress: MeasureCompliance, tests: [DrugTestResult], unrecordedMissed: Int, today: CalendarDate,
                     t: [String: String], f: LocaleFormat) -> MeasureCard {
        func fill(_ key: String, _ values: [String: String]) -> String {
            values.reduce(t[key] ?? key) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
        }
        func text(_ c: Condition, _ key: String) -> String {
            if case .string(let s)? = c.parameters[key] { return s }
            return ""
        }
        func number(_ c: Condition, _ key: String) -> String {
            if case .number(let n)? = c.parameters[key] { return f.number(n) }
            return ""
        }
        var hoursLeft = progress.hours
        var paymentsLeft = progress.payments
        let lines = m.conditions.map { c -> ConditionLine in
            var facts: [Fact] = []
            let body: String
            switch c.type {
            case .drugTesting:
                body = fill("me_cond_drug_testing", ["times": number(c, "minimumPerWeek"),
                                                     "specimen": t["specimen_\(text(c, "specimen"))"] ?? text(c, "specimen")])
                let taken = tests.filter { $0.outcome.hasSpecimen }.count
                let negative = tests.filter { $0.outcome == .negative }.count
                let missed = tests.filter { $0.outcome == .missed }.count + unrecordedMissed
                facts = [Fact(label: t["me_tests_taken"] ?? "", value: f.number(taken)),
                         Fact(label: t["me_tests_negative"] ?? "", value: f.number(negative)),
                         Fact(label: t["me_tests_missed"] ?? "", value: f.number(missed))]
            case .attendTreatment:
                body = fill("me_cond_attend_treatment", ["sessions": number(c, "sessionsPerWeek")])
                let a = progress.appointments
                facts = [Fact(label: t["me_sessions_kept"] ?? "", value: f.number(a.attended + a.late)),
                         Fact(label: t["me_sessions_missed"] ?? "", value: f.number(a.missed))]
            case .communityService:
                let deadline = CalendarDate(text(c, "deadline")).map { f.date($0) } ?? text(c, "deadline")
                body = fill("me_cond_community_service", ["hours": number(c, "hours"), "date": deadline])
                if !hoursLeft.isEmpty {
                    let h = hoursLeft.removeFirst()
                    facts = [Fact(label: t["me_hours_done"] ?? "", value: fill("me_of", ["done": f.number(h.done), "due": f.number(h.due)]))]
                }
            case .payment:
                var amount = number(c, "amount")
                if case .number(let n)? = c.parameters["amount"] { amount = f.money(Decimal(string: "\(n)") ?? Decimal(n), currency: text(c, "currency")) }
                let instalments = number(c, "instalments")
                body = instalments.isEmpty || instalments == f.number(1)
                    ? fill("me_cond_payment_once", ["amount": amount])
                    : fill("me_cond_payment", ["amount": amount, "instalments": instalments])
                if !paymentsLeft.isEmpty {
                    let p = paymentsLeft.removeFirst()
                    facts = [Fact(label: t["me_paid"] ?? "", value: fill("me_of", ["done": f.money(p.paid, currency: p.currency), "due": f.money(p.amount, currency: p.currency)]))]
                }
            case .curfew:
                body = fill("me_cond_curfew", ["place": text(c, "place"), "start": text(c, "start"), "end": text(c, "end")])
            case .exclusionZone:
                body = fill("me_cond_exclusion_zone", ["name": text(c, "name")])
            case .inclusionZone:
                body = fill("me_cond_inclusion_zone", ["name": text(c, "name")])
            case .reportToOfficer:
                body = fill("me_cond_report_to_officer", ["times": number(c, "timesPerMonth")])
                facts = [Fact(label: t["me_reports_made"] ?? "", value: fill("me_of", ["done": f.number(progress.reports.made), "due": f.number(progress.reports.expectedSoFar)]))]
            case .educationProgramme:
                body = fill("me_cond_education_programme", ["programme": text(c, "programme")])
            case .noContact:
                body = fill("me_cond_no_contact", ["with": text(c, "with")])
            }
            return ConditionLine(type: c.type.rawValue, title: t["condition_\(c.type.rawValue)"] ?? c.type.rawValue, text: body, facts: facts, hasFacts: !facts.isEmpty)
        }
        var remaining: String?
        if let end = m.plannedEnd, end >= today {
            remaining = fill("me_days_left", ["days": f.number(end.dayNumber - today.dayNumber)])
        }
        let period = m.plannedEnd.map { "\(f.date(m.start)) – \(f.date($0))" } ?? f.date(m.start)
        var title = t["measure_\(m.type.rawValue)"] ?? m.type.rawValue
        if m.type == .treatmentCourt { title += " · " + fill("me_phase", ["phase": f.number(m.phase)]) }
        return MeasureCard(title: title, period: period, remaining: remaining, conditions: lines)
    }
}
