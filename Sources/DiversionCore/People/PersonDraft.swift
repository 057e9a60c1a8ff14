import Foundation

/// A person as submitted, before checking: every field optional so each problem can be named.
public struct PersonInput: Sendable, Codable, Equatable {
    public var givenName: String?
    public var familyName: String?
    public var birthDate: String?
    public var sex: String?
    public var genderIdentity: String?
    public var nationality: String?
    public var preferredLanguage: String?
    public var flags: [String]?

    public init(
        givenName: String? = nil, familyName: String? = nil, birthDate: String? = nil, sex: String? = nil,
        genderIdentity: String? = nil, nationality: String? = nil, preferredLanguage: String? = nil, flags: [String]? = nil
    ) {
        self.givenName = givenName
        self.familyName = familyName
        self.birthDate = birthDate
        self.sex = sex
        self.genderIdentity = genderIdentity
        self.nationality = nationality
        self.preferredLanguage = preferredLanguage
        self.flags = flags
    }
}

/// A person's identifying and demographic facts, checked and ready to store.
public struct PersonDraft: Sendable, Equatable {
    public var givenName: String
    public var familyName: String
    public var birthDate: CalendarDate
    public var sex: Sex
    public var genderIdentity: String?
    public var nationality: String?
    public var preferredLanguage: String?
    public var flags: [PersonFlag]

    public init(
        givenName: String, familyName: String, birthDate: CalendarDate, sex: Sex, genderIdentity: String? = nil,
        nationality: String? = nil, preferredLanguage: String? = nil, flags: [PersonFlag] = []
    ) {
        self.givenName = givenName
        self.familyName = familyName
        self.birthDate = birthDate
        self.sex = sex
        self.genderIdentity = genderIdentity
        self.nationality = nationality
        self.preferredLanguage = preferredLanguage
        self.flags = flags
    }

    /// Given and family name, as pages show them.
    public var fullName: String { "\(givenName) \(familyName)" }

    public static let maxNameLength = 100
    public static let maxGenderIdentityLength = 60
    public static let earliestBirthDate = CalendarDate(year: 1900, month: 1, day: 1)

    /// Checks `input`, naming every field that is missing or wrong.
    public static func validate(_ input: PersonInput, today: CalendarDate) throws(ValidationFailure) -> PersonDraft {
        var errors = FieldErrors()
        let given = checkName(input.givenName, field: "givenName", errors: &errors)
        let family = checkName(input.familyName, field: "familyName", errors: &errors)

        var birthDate: CalendarDate?
        if let text = input.birthDate?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            if let date = CalendarDate(text) {
                if date > today {
                    errors.add("birthDate", "The birth date \(date) is in the future.")
                } else if date < earliestBirthDate {
                    errors.add("birthDate", "The birth date \(date) is before \(earliestBirthDate); check the year.")
                } else {
                    birthDate = date
                }
            } else {
                errors.add("birthDate", "Write the birth date as YYYY-MM-DD, for example 1990-04-23.")
            }
        } else {
            errors.add("birthDate", "The birth date is required.")
        }

        var sex: Sex?
        if let text = input.sex, !text.isEmpty {
            sex = Sex(rawValue: text)
            if sex == nil { errors.add("sex", "Unknown value '\(text.prefix(40))'; use one of \(list(Sex.allCases.map(\.rawValue))).") }
        } else {
            errors.add("sex", "Sex is required; use 'unknown' when it was not stated.")
        }

        let genderIdentity = optionalText(input.genderIdentity)
        if let g = genderIdentity {
            if g.count > maxGenderIdentityLength {
                errors.add("genderIdentity", "Keep the gender identity under \(maxGenderIdentityLength + 1) characters.")
            } else if g.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
                errors.add("genderIdentity", "The gender identity contains control characters.")
            }
        }

        let nationality = optionalText(input.nationality)
        if let n = nationality, !Nationality.isValid(n) {
            errors.add("nationality", "'\(n.prefix(10))' is not an ISO 3166 alpha-3 country code (such as PRT, MEX, CZE) in capitals, nor XXA, XXB, XXC or XXX.")
        }

        let language = optionalText(input.preferredLanguage)
        if let l = language, !LanguageTag.isWellFormed(l) {
            errors.add("preferredLanguage", "'\(l.prefix(40))' is not a BCP 47 language tag (such as es, fr-CA, zh-Hans).")
        }

        var flags: Set<PersonFlag> = []
        for (index, raw) in (input.flags ?? []).enumerated() {
            if let flag = PersonFlag(rawValue: raw) {
                flags.insert(flag)
            } else {
                errors.add("flags[\(index)]", "Unknown flag '\(raw.prefix(40))'; use \(list(PersonFlag.allCases.map(\.rawValue))).")
            }
        }

        try errors.throwIfAny()
        guard let given, let family, let birthDate, let sex else {
            throw ValidationFailure([FieldError("person", "The person could not be read.")])
        }
        return PersonDraft(
            givenName: given, familyName: family, birthDate: birthDate, sex: sex,
            genderIdentity: genderIdentity, nationality: nationality, preferredLanguage: language,
            flags: flags.sorted()
        )
    }

    /// Whether the person is a minor on `date` under the given age of majority.
    public func isMinor(on date: CalendarDate, ageOfMajority: Int = 18) -> Bool {
        birthDate.completedYears(on: date) < ageOfMajority
    }

    private static func checkName(_ value: String?, field: String, errors: inout FieldErrors) -> String? {
        let name = (value ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty {
            errors.add(field, "The \(field == "givenName" ? "given" : "family") name is required.")
            return nil
        }
        if name.count > maxNameLength {
            errors.add(field, "Keep the name under \(maxNameLength + 1) characters.")
            return nil
        }
        if name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
            errors.add(field, "The name contains control characters.")
            return nil
        }
        if NameKey.fold(name).isEmpty {
            errors.add(field, "The name needs at least one letter.")
            return nil
        }
        return name
    }

    private static func optionalText(_ value: String?) -> String? {
        guard let t = value?.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else { return nil }
        return t
    }

    private static func list(_ values: [String]) -> String {
        values.joined(separator: ", ")
    }
}

/// A person on record.
public struct Person: Sendable, Equatable, Identifiable {
    public let id: UUID
    public var details: PersonDraft
    public let createdAt: Date

    public init(id: UUID, details: PersonDraft, createdAt: Date) {
        self.id = id
        self.details = details
        self.createdAt = createdAt
    }
}

/// What to look for among people on record: name prefixes and/or a birth date.
public struct PersonQuery: Sendable, Equatable {
    /// Folded words, each of which must begin a word of the given or family name.
    public var nameWords: [String]
    public var birthDate: CalendarDate?
    public var limit: Int

    public static let maxLimit = 100

    /// Checks a search request; at least one criterion is needed so nobody lists everyone.
    public static func validate(q: String?, birthDate: String?, limit: Int?) throws(ValidationFailure) -> PersonQuery {
        var errors = FieldErrors()
        let words = NameKey.fold(q ?? "").split(separator: " ").map(String.init).filter { !$0.isEmpty }
        if let q, q.count > 200 { errors.add("q", "Search with at most 200 characters.") }
        if words.count > 6 { errors.add("q", "Search with at most 6 name words.") }
        var date: CalendarDate?
        if let b = birthDate, !b.isEmpty {
            date = CalendarDate(b)
            if date == nil { errors.add("birthDate", "Write the birth date as YYYY-MM-DD.") }
        }
        if words.isEmpty && date == nil && (birthDate ?? "").isEmpty && errors.isEmpty {
            errors.add("q", "Give the beginning of a name (q) or a birth date (birthDate) to search.")
        }
        let n = limit ?? 20
        if !(1...maxLimit).contains(n) { errors.add("limit", "Ask for between 1 and \(maxLimit) results.") }
        try errors.throwIfAny()
        return PersonQuery(nameWords: words, birthDate: date, limit: n)
    }
}
