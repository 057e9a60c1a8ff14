import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// A contact as the API and the officer's form submit it; every field optional so each problem can be named.
struct ContactInput: Decodable, Sendable {
    struct Offence: Decodable, Sendable {
        var category: String?
    }

    struct Seizure: Decodable, Sendable {
        var substance: String?
        var quantity: Double?
        var unit: String?
        var purityPercent: Double?
        var packaging: [String]?
    }

    struct Circumstances: Decodable, Sendable {
        var violence: Bool?
        var weapon: Bool?
        var supplyToMinors: Bool?
        var nearSchool: Bool?
        var organisedCrime: Bool?
    }

    var personId: String?
    /// Inline details creating a person, or, for an evaluation only, just birth date and sex.
    var person: PersonInput?
    var occurredAt: String?
    var region: String?
    var latitude: Double?
    var longitude: Double?
    var stage: String?
    var offences: [Offence]?
    var seizures: [Seizure]?
    var circumstances: Circumstances?
}

/// A contact input after the checks that need no database.
struct CheckedContact: Sendable {
    enum Subject: Sendable {
        case existing(UUID)
        case new(PersonDraft)
        /// Only what an evaluation needs to know about an unnamed person.
        case anonymous(birthDate: CalendarDate?, sex: Sex?)
        case none
    }

    var subject: Subject
    var occurredAt: Date
    var region: String?
    var latitude: Double?
    var longitude: Double?
    var stage: Stage
    var offences: [String]
    var seizures: [SeizureRecord]
    var circumstances: ContactCircumstances

    func question(authority: Authority, history: PriorRecord) -> EligibilityQuestion {
        EligibilityQuestion(
            authority: authority, stage: stage, occurredOn: CalendarDate(occurredAt), offences: offences, seizures: seizures,
            circumstances: circumstances, history: history
        )
    }
}

extension ContactInput {
    /// Checks the fields; `storing` demands a region and a full person, which an evaluation can do without.
    func check(now: Date, storing: Bool) throws -> CheckedContact {
        var errors = FieldErrors()
        var occurredAt = now
        if let text = self.occurredAt {
            if let instant = try? Date(text, strategy: .iso8601) {
                if instant.timeIntervalSince(now) > 5 * 60 {
                    errors.add("occurredAt", "The contact cannot be in the future.")
                } else if instant < Date(timeIntervalSince1970: 946_684_800) {
                    errors.add("occurredAt", "The contact is before 2000; check the year.")
                } else {
                    occurredAt = instant
                }
            } else {
                errors.add("occurredAt", "Write the time as ISO 8601, for example 2026-11-20T21:40:00Z.")
            }
        } else {
            errors.add("occurredAt", "Say when the contact happened.")
        }
        var stage = Stage.preTrial
        if let text = self.stage {
            if let s = Stage(rawValue: text) { stage = s } else {
                errors.add("stage", "Use one of \(Stage.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
        }
        var subject = CheckedContact.Subject.none
        if let text = personId {
            if person != nil { errors.add("person", "Give either personId or person, not both.") }
            if let id = UUID(uuidString: text) { subject = .existing(id) } else { errors.add("personId", "A person id is a UUID.") }
        } else if let person {
            let onlyAge = person.givenName == nil && person.familyName == nil
            if !storing && onlyAge {
                var birthDate: CalendarDate?
                if let text = person.birthDate {
                    birthDate = CalendarDate(text).flatMap { $0 <= CalendarDate(now) ? $0 : nil }
                    if birthDate == nil { errors.add("person.birthDate", "Write a past birth date as YYYY-MM-DD.") }
                }
                var sex: Sex?
                if let text = person.sex {
                    sex = Sex(rawValue: text)
                    if sex == nil { errors.add("person.sex", "Use one of \(Sex.allCases.map(\.rawValue).joined(separator: ", ")).") }
                }
                subject = .anonymous(birthDate: birthDate, sex: sex)
            } else {
                do {
                    subject = .new(try PersonDraft.validate(person, today: CalendarDate(now)))
                } catch {
                    for e in error.errors { errors.add("person.\(e.field)", e.reason) }
                }
            }
        } else if storing {
            errors.add("personId", "Name the person: give personId, or person with their details.")
        }
        let region = ContactPlace.check(region: self.region, latitude: latitude, longitude: longitude, required: storing, into: &errors)
        if offences == nil { errors.add("offences", "Give at least one offence, such as {\"category\": \"possession_personal_use\"}.") }
        let offences = (self.offences ?? []).enumerated().map { i, o -> String in
            if o.category == nil { errors.add("offences[\(i)].category", "Give the offence category.") }
            return o.category ?? ""
        }
        if (self.seizures ?? []).count > 20 { errors.add("seizures", "Record at most 20 seizures on one contact.") }
        let seizures = (self.seizures ?? []).prefix(20).enumerated().compactMap { i, s -> SeizureRecord? in
            guard let substance = s.substance, let quantity = s.quantity, let unit = s.unit else {
                if s.substance == nil { errors.add("seizures[\(i)].substance", "Give the substance code.") }
                if s.quantity == nil { errors.add("seizures[\(i)].quantity", "Give the quantity.") }
                if s.unit == nil { errors.add("seizures[\(i)].unit", "Give the unit.") }
                return nil
            }
            return SeizureRecord(substance: substance, quantity: quantity, unit: unit, purityPercent: s.purityPercent, packaging: s.packaging ?? [])
        }
        try errors.throwIfAny()
        let c = circumstances
        return CheckedContact(
            subject: subject, occurredAt: occurredAt, region: region, latitude: latitude, longitude: longitude, stage: stage,
            offences: offences, seizures: Array(seizures),
            circumstances: ContactCircumstances(
                violence: c?.violence ?? false, weapon: c?.weapon ?? false, supplyToMinors: c?.supplyToMinors ?? false,
                nearSchool: c?.nearSchool ?? false, organisedCrime: c?.organisedCrime ?? false
            )
        )
    }
}
