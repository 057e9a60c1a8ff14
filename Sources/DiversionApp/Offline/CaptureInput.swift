import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// A whole capture an officer recorded, possibly offline: the person (new, or on record with corrected
/// details), the contact, and optionally a screening and the officer's decision. Recorded at once or not at all.
struct CaptureInput: Decodable, Sendable {
    /// Corrections to a person on record, made against the revision the officer's device had.
    struct PersonChange: Decodable, Sendable {
        var baseRevision: Int?
        var preferredLanguage: String?
        var flags: [String]?
    }

    struct Contact: Decodable, Sendable {
        var occurredAt: String?
        var region: String?
        var latitude: Double?
        var longitude: Double?
        var stage: String?
        var offences: [ContactInput.Offence]?
        var seizures: [ContactInput.Seizure]?
        var circumstances: ContactInput.Circumstances?
    }

    struct Screening: Decodable, Sendable {
        var instrument: String?
        var answers: AnswerValue?
        var sex: String?
    }

    struct Decision: Decodable, Sendable {
        var decision: String?
        var reason: String?
    }

    /// A referral chosen on the device after a decision to divert, from the directory the device kept.
    struct Referral: Decodable, Sendable {
        var serviceId: String?
        var reason: String?
        var urgency: String?
        /// The needs the officer saw the suggestions for; the server matches for the same ones.
        var needs: [String]?
    }

    var personId: String?
    var person: PersonInput?
    var personChange: PersonChange?
    var contact: Contact?
    var screening: Screening?
    var decision: Decision?
    var referral: Referral?

    /// The contact part as the contact checks read it.
    var contactInput: ContactInput {
        var input = ContactInput()
        input.personId = personId
        input.person = person
        input.occurredAt = contact?.occurredAt
        input.region = contact?.region
        input.latitude = contact?.latitude
        input.longitude = contact?.longitude
        input.stage = contact?.stage
        input.offences = contact?.offences
        input.seizures = contact?.seizures
        input.circumstances = contact?.circumstances
        return input
    }
}

extension CaptureInput.PersonChange {
    /// Checks the corrections; `field` prefixes the names of fields in errors.
    func check(prefix field: String, into errors: inout FieldErrors) -> (base: Int, change: PersonDetailsChange)? {
        if baseRevision == nil {
            errors.add("\(field)baseRevision", "Give the revision of the person's details the change was made against.")
        }
        let language = preferredLanguage?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        if let l = language, !LanguageTag.isWellFormed(l) {
            errors.add("\(field)preferredLanguage", "'\(l.prefix(40))' is not a BCP 47 language tag (such as es, fr-CA, zh-Hans).")
        }
        var flags: Set<PersonFlag> = []
        for (i, raw) in (self.flags ?? []).enumerated() {
            if let flag = PersonFlag(rawValue: raw) { flags.insert(flag) } else {
                errors.add("\(field)flags[\(i)]", "Unknown flag '\(raw.prefix(40))'; use one of \(PersonFlag.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
        }
        guard let base = baseRevision else { return nil }
        return (base, PersonDetailsChange(preferredLanguage: language, flags: flags.sorted()))
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
