import Foundation

/// The kind of organisation that runs a service.
public enum OrganisationType: String, Sendable, CaseIterable, Codable {
    case health, social
    case harmReduction = "harm_reduction"
    case faithBased = "faith_based"
    case community, education, housing, employment
}

/// What a service offers.
public enum Modality: String, Sendable, CaseIterable, Codable, Comparable {
    case briefIntervention = "brief_intervention"
    case outpatient
    case intensiveOutpatient = "intensive_outpatient"
    case residential
    case withdrawalManagement = "withdrawal_management"
    case opioidAgonistTreatment = "opioid_agonist_treatment"
    case harmReduction = "harm_reduction"
    case mentalHealth = "mental_health"
    case hivHepatitis = "hiv_hepatitis"
    case housing, employment, education
    case familySupport = "family_support"

    public static func < (a: Modality, b: Modality) -> Bool {
        (allCases.firstIndex(of: a) ?? 0) < (allCases.firstIndex(of: b) ?? 0)
    }

    /// The words used in explanations.
    public var words: String { rawValue.replacingOccurrences(of: "_", with: " ") }
}

/// A service in the directory: what it offers, whom it serves, and how much room it has.
public struct ServiceProfile: Sendable, Equatable {
    public var name: String
    public var organisationType: OrganisationType
    public var modalities: [Modality]
    /// The sexes it serves; every sex when it serves everyone.
    public var sexes: [Sex]
    public var minAge: Int
    public var maxAge: Int
    /// BCP 47 language tags its staff work in.
    public var languages: [String]
    public var servesPregnantWomen: Bool
    public var servesPeopleWithChildren: Bool
    public var region: String
    public var latitude: Double?
    public var longitude: Double?
    public var capacity: Int
    public var load: Int
    public var waitlistDays: Int
    public var acceptsJusticeReferrals: Bool
    public var phone: String?
    public var email: String?
    public var address: String?

    public init(
        name: String, organisationType: OrganisationType, modalities: [Modality], sexes: [Sex] = Sex.allCases, minAge: Int = 18, maxAge: Int = 120,
        languages: [String], servesPregnantWomen: Bool = true, servesPeopleWithChildren: Bool = true, region: String,
        latitude: Double? = nil, longitude: Double? = nil, capacity: Int, load: Int = 0, waitlistDays: Int = 0,
        acceptsJusticeReferrals: Bool = true, phone: String? = nil, email: String? = nil, address: String? = nil
    ) {
        self.name = name
        self.organisationType = organisationType
        self.modalities = modalities
        self.sexes = sexes
        self.minAge = minAge
        self.maxAge = maxAge
        self.languages = languages
        self.servesPregnantWomen = servesPregnantWomen
        self.servesPeopleWithChildren = servesPeopleWithChildren
        self.region = region
        self.latitude = latitude
        self.longitude = longitude
        self.capacity = capacity
        self.load = load
        self.waitlistDays = waitlistDays
        self.acceptsJusticeReferrals = acceptsJusticeReferrals
        self.phone = phone
        self.email = email
        self.address = address
    }

    public var isFull: Bool { load >= capacity }
    public var openPlaces: Int { max(0, capacity - load) }
}

/// A service as submitted, before checking.
public struct ServiceInput: Sendable, Codable, Equatable {
    public var name: String?
    public var organisationType: String?
    public var modalities: [String]?
    public var sexes: [String]?
    public var minAge: Int?
    public var maxAge: Int?
    public var languages: [String]?
    public var servesPregnantWomen: Bool?
    public var servesPeopleWithChildren: Bool?
    public var region: String?
    public var latitude: Double?
    public var longitude: Double?
    public var capacity: Int?
    public var load: Int?
    public var waitlistDays: Int?
    public var acceptsJusticeReferrals: Bool?
    public var phone: String?
    public var email: String?
    public var address: String?

    public init() {}
}

/// The figures a provider keeps current.
public struct CapacityUpdate: Sendable, Equatable {
    public var capacity: Int
    public var load: Int
    public var waitlistDays: Int

    public static let largestCapacity = 100_000
    public static let longestWaitlistDays = 730

    /// Checks capacity, load and waitlist, keeping the current value of anything not given.
    public static func validate(capacity: Int?, load: Int?, waitlistDays: Int?, current: ServiceProfile) throws(ValidationFailure) -> CapacityUpdate {
        var errors = FieldErrors()
        let update = CapacityUpdate(capacity: capacity ?? current.capacity, load: load ?? current.load, waitlistDays: waitlistDays ?? current.waitlistDays)
        update.check(into: &errors)
        try errors.throwIfAny()
        return update
    }

    func check(into errors: inout FieldErrors) {
        if !(0...Self.largestCapacity).contains(capacity) { errors.add("capacity", "Give the number of places, from 0 to \(Self.largestCapacity).") }
        if !(0...Self.largestCapacity).contains(load) { errors.add("load", "Give the number of people in the service now, from 0 to \(Self.largestCapacity).") }
        if !(0...Self.longestWaitlistDays).contains(waitlistDays) { errors.add("waitlistDays", "Give the waiting time in days, from 0 to \(Self.longestWaitlistDays).") }
    }
}

extension ServiceProfile {
    public static let maxTextLength = 200

    /// Checks a new service, naming every field that is missing or wrong.
    public static func validate(_ input: ServiceInput) throws(ValidationFailure) -> ServiceProfile {
        var errors = FieldErrors()
        func text(_ value: String?, _ field: String, required: Bool) -> String? {
            let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if trimmed.isEmpty {
                if required { errors.add(field, "The \(field) is required.") }
                return nil
            }
            if trimmed.count > maxTextLength || trimmed.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
                errors.add(field, "Write the \(field) on one line in at most \(maxTextLength) characters.")
                return nil
            }
            return trimmed
        }
        let name = text(input.name, "name", required: true)
        let type = input.organisationType.flatMap(OrganisationType.init(rawValue:))
        if type == nil { errors.add("organisationType", "Use one of \(OrganisationType.allCases.map(\.rawValue).joined(separator: ", ")).") }
        var modalities: [Modality] = []
        for (i, m) in (input.modalities ?? []).enumerated() {
            if let modality = Modality(rawValue: m) { if !modalities.contains(modality) { modalities.append(modality) } } else {
                errors.add("modalities[\(i)]", "Use one of \(Modality.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
        }
        if (input.modalities ?? []).isEmpty { errors.add("modalities", "Name at least one modality the service offers.") }
        var sexes: [Sex] = []
        for (i, s) in (input.sexes ?? Sex.allCases.map(\.rawValue)).enumerated() {
            if let sex = Sex(rawValue: s) { if !sexes.contains(sex) { sexes.append(sex) } } else {
                errors.add("sexes[\(i)]", "Use one of \(Sex.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
        }
        if input.sexes?.isEmpty == true { errors.add("sexes", "Name at least one sex the service serves, or leave the field out for everyone.") }
        let minAge = input.minAge ?? 18, maxAge = input.maxAge ?? 120
        if !(0...120).contains(minAge) { errors.add("minAge", "Give an age from 0 to 120.") }
        if !(0...120).contains(maxAge) { errors.add("maxAge", "Give an age from 0 to 120.") } else if (0...120).contains(minAge) && maxAge < minAge {
            errors.add("maxAge", "The oldest age served is below the youngest (\(minAge)).")
        }
        var languages: [String] = []
        for (i, l) in (input.languages ?? []).enumerated() {
            if let tag = LanguageTag.normalise(l) { if !languages.contains(tag) { languages.append(tag) } } else {
                errors.add("languages[\(i)]", "Write a language as a BCP 47 tag such as en, es or pt-BR.")
            }
        }
        if (input.languages ?? []).isEmpty { errors.add("languages", "Name at least one language the staff work in.") }
        let region = text(input.region, "region", required: true)
        if let lat = input.latitude, !(-90...90).contains(lat) { errors.add("latitude", "A latitude is from -90 to 90.") }
        if let lon = input.longitude, !(-180...180).contains(lon) { errors.add("longitude", "A longitude is from -180 to 180.") }
        if (input.latitude == nil) != (input.longitude == nil) { errors.add("longitude", "Give both latitude and longitude, or neither.") }
        let capacity = CapacityUpdate(capacity: input.capacity ?? -1, load: input.load ?? 0, waitlistDays: input.waitlistDays ?? 0)
        if input.capacity == nil { errors.add("capacity", "Give the number of places.") } else { capacity.check(into: &errors) }
        let phone = text(input.phone, "phone", required: false)
        let email = text(input.email, "email", required: false)
        if let email, !email.contains("@") { errors.add("email", "Write an email address such as intake@example.org.") }
        let address = text(input.address, "address", required: false)
        try errors.throwIfAny()
        guard let name, let type, let region else { throw ValidationFailure(errors.all) }
        return ServiceProfile(
            name: name, organisationType: type, modalities: modalities, sexes: sexes, minAge: minAge, maxAge: maxAge, languages: languages,
            servesPregnantWomen: input.servesPregnantWomen ?? true, servesPeopleWithChildren: input.servesPeopleWithChildren ?? true,
            region: region, latitude: input.latitude, longitude: input.longitude, capacity: capacity.capacity, load: capacity.load,
            waitlistDays: capacity.waitlistDays, acceptsJusticeReferrals: input.acceptsJusticeReferrals ?? true,
            phone: phone, email: email, address: address
        )
    }
}
