import Foundation

/// What matching needs to know about the person being referred.
public struct MatchSubject: Sendable, Equatable {
    public var age: Int
    public var sex: Sex
    /// The person's preferred language; nil when unknown, and then no service is ruled out by language.
    public var language: String?
    public var pregnant: Bool
    public var caringForChildren: Bool
    public var region: String?

    public init(age: Int, sex: Sex, language: String? = nil, pregnant: Bool = false, caringForChildren: Bool = false, region: String? = nil) {
        self.age = age
        self.sex = sex
        self.language = language
        self.pregnant = pregnant
        self.caringForChildren = caringForChildren
        self.region = region
    }
}

/// A service from the directory, with its id, as matching ranks it.
public struct ListedService: Sendable, Equatable {
    public var id: UUID
    public var profile: ServiceProfile

    public init(id: UUID, profile: ServiceProfile) {
        self.id = id
        self.profile = profile
    }
}

/// One suggested service, why it fits and what to watch for.
public struct ServiceSuggestion: Sendable, Equatable {
    public var serviceID: UUID
    public var rank: Int
    public var fits: [String]
    public var warnings: [String]
}

/// What a screening result says the person needs, before the officer overrides it.
public enum TreatmentNeeds {
    /// Modalities that answer a screening level; higher levels call for specialist assessment and care.
    public static func from(_ result: ScreeningResult) -> [Modality] {
        var needs: [Modality]
        switch (result.instrument, result.level) {
        case (.assist, "high"), (.dast10, "substantial"), (.dast10, "severe"), (.audit, "IV"):
            needs = [.intensiveOutpatient, .residential, .withdrawalManagement, .outpatient]
        case (.assist, "moderate"), (.dast10, "moderate"), (.audit, "III"), (.crafft, "positive"):
            needs = [.outpatient, .briefIntervention, .intensiveOutpatient]
        case (.audit, "II"), (.auditc, "positive"), (.dast10, "low"):
            needs = [.briefIntervention, .outpatient]
        default:
            needs = [.briefIntervention]
        }
        // Opioid use at moderate or high risk calls for agonist treatment; injecting, for harm reduction.
        for s in result.substances ?? [] where s.substance == "opioids" && s.level != "lower" {
            needs.insert(.opioidAgonistTreatment, at: 0)
        }
        if result.recommendation.localizedCaseInsensitiveContains("inject") {
            needs.append(contentsOf: [.harmReduction, .hivHepatitis])
        }
        var seen = Set<Modality>()
        return needs.filter { seen.insert($0).inserted }
    }
}

/// Ranks the services that can serve a person for their needs.
public enum ServiceMatching {
    /// Why a service cannot take this person; empty when nothing stands in the way.
    public static func barriers(for person: MatchSubject, at p: ServiceProfile) -> [String] {
        var found: [String] = []
        if !p.acceptsJusticeReferrals { found.append("\(p.name) does not take referrals from the justice system.") }
        if !(p.minAge...p.maxAge).contains(person.age) { found.append("\(p.name) serves ages \(p.minAge)–\(p.maxAge); the person is \(person.age).") }
        if !p.sexes.contains(person.sex) { found.append("\(p.name) serves \(p.sexes.map(\.rawValue).joined(separator: " and ")) people only.") }
        if person.pregnant && !p.servesPregnantWomen { found.append("\(p.name) does not serve pregnant women.") }
        if person.caringForChildren && !p.servesPeopleWithChildren { found.append("\(p.name) does not serve people with children in their care.") }
        if let language = person.language, !p.languages.contains(where: { LanguageTag.primary($0) == LanguageTag.primary(language) }) {
            found.append("\(p.name) works in \(p.languages.joined(separator: ", ")), not in \(language).")
        }
        return found
    }

    /// A service that cannot serve the person (age, sex, language, pregnancy, children, justice referrals)
    /// is never suggested; one offering none of the needs is left out; full services rank below open ones.
    public static func suggest(for person: MatchSubject, needs: [Modality], among services: [ListedService], limit: Int = 10) -> [ServiceSuggestion] {
        struct Candidate {
            let service: ListedService
            let matched: [Modality]
            let fits: [String]
            let warnings: [String]
            let sameRegion: Bool
        }
        var candidates: [Candidate] = []
        for service in services {
            let p = service.profile
            guard barriers(for: person, at: p).isEmpty else { continue }
            var fits: [String] = []
            if let language = person.language, let spoken = p.languages.first(where: { LanguageTag.primary($0) == LanguageTag.primary(language) }) {
                fits.append("Staff work in \(spoken).")
            }
            let matched = needs.filter(p.modalities.contains)
            guard !matched.isEmpty else { continue }
            fits.insert("Offers \(matched.map(\.words).joined(separator: ", ")).", at: 0)
            fits.append("Serves ages \(p.minAge)–\(p.maxAge)" + (p.sexes.count < Sex.allCases.count ? ", \(p.sexes.map(\.rawValue).joined(separator: " and ")) only." : "."))
            if person.pregnant { fits.append("Serves pregnant women.") }
            if person.caringForChildren { fits.append("Serves people with children.") }
            var warnings: [String] = []
            if p.isFull {
                warnings.append("Full: \(p.load) of \(p.capacity) places taken" + (p.waitlistDays > 0 ? "; waiting list about \(p.waitlistDays) days." : "."))
            } else {
                fits.append("\(p.openPlaces) of \(p.capacity) places open" + (p.waitlistDays > 0 ? ", waiting time about \(p.waitlistDays) days." : "."))
            }
            let sameRegion = person.region.map { $0 == p.region } ?? true
            if sameRegion {
                if person.region != nil { fits.append("In region \(p.region).") }
            } else {
                warnings.append("In another region (\(p.region)).")
            }
            candidates.append(Candidate(service: service, matched: matched, fits: fits, warnings: warnings, sameRegion: sameRegion))
        }
        // The first need is the most important; a service covering it ranks above one that covers later ones.
        func needScore(_ c: Candidate) -> (Int, Int) {
            let best = c.matched.compactMap { needs.firstIndex(of: $0) }.min() ?? needs.count
            return (best, -c.matched.count)
        }
        candidates.sort { a, b in
            if a.service.profile.isFull != b.service.profile.isFull { return !a.service.profile.isFull }
            if a.sameRegion != b.sameRegion { return a.sameRegion }
            let na = needScore(a), nb = needScore(b)
            if na != nb { return na < nb }
            if a.service.profile.waitlistDays != b.service.profile.waitlistDays { return a.service.profile.waitlistDays < b.service.profile.waitlistDays }
            if a.service.profile.openPlaces != b.service.profile.openPlaces { return a.service.profile.openPlaces > b.service.profile.openPlaces }
            return a.service.profile.name < b.service.profile.name
        }
        return candidates.prefix(limit).enumerated().map { i, c in
            ServiceSuggestion(serviceID: c.service.id, rank: i + 1, fits: c.fits, warnings: c.warnings)
        }
    }
}
