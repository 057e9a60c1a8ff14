import Foundation

extension JurisdictionPolicy {
    /// How the evidence is counted and published: suppression, age bands, offence classes, follow-up and costs.
    public struct Evidence: Sendable, Equatable, Codable {
        /// The country whose citizens count as national (ISO 3166-1 alpha-3, as nationality is recorded); nil when nationality is not split.
        public var country: String?
        /// Counts from 1 to this minus one are suppressed in every published table.
        public var suppressionThreshold: Int
        /// Lower bounds of the age groups after the first: [18, 25] gives under 18, 18–24 and 25+.
        public var ageBands: [Int]
        /// Which offence categories are possession for personal use (ICCS 06011) and which trafficking (06012).
        public var iccs: [String: OffenceClass]
        /// A relapse is the first positive test after at least this many negative ones in a row.
        public var relapseAfterNegatives: Int
        /// Daily costs and the custody a case would typically have received.
        public var costs: Costs

        public static let standardAgeBands = [18, 25, 35, 45, 55]

        public static let standard = Evidence(
            country: nil, suppressionThreshold: 5, ageBands: standardAgeBands,
            iccs: [
                "possession_personal_use": .possession, "cultivation_personal_use": .possession,
                "possession_trafficking": .trafficking, "supply": .trafficking,
            ],
            relapseAfterNegatives: 3, costs: .standard
        )

        public init(country: String?, suppressionThreshold: Int, ageBands: [Int], iccs: [String: OffenceClass], relapseAfterNegatives: Int, costs: Costs) {
            self.country = country
            self.suppressionThreshold = suppressionThreshold
            self.ageBands = ageBands
            self.iccs = iccs
            self.relapseAfterNegatives = relapseAfterNegatives
            self.costs = costs
        }

        /// The ICCS class of an offence category; categories not listed are other drug offences.
        public func offenceClass(_ code: String) -> OffenceClass { iccs[code] ?? .other }

        /// The age group a person of `age` years belongs to, as a label such as "18-24"; "unknown" without an age.
        public func ageGroup(_ age: Int?) -> String { AgeGroups(bands: ageBands).label(age) }
    }

    /// What custody and alternatives cost per day, in one currency, and how long custody would typically have lasted.
    public struct Costs: Sendable, Equatable, Codable {
        public var currency: String
        public var prisonPerDay: Double
        public var pretrialDetentionPerDay: Double
        public var probationPerDay: Double
        /// Daily cost of each treatment modality (service directory codes such as outpatient, residential).
        public var treatmentPerDay: [String: Double]
        /// Daily cost of supervising each measure type; types not listed cost `probationPerDay`.
        public var measurePerDay: [String: Double]
        /// Custody days a case of each offence category would typically have received; `default` for the rest.
        public var custodyDays: [String: Int]
        /// Where the figures come from, printed beside every cost figure.
        public var source: String

        public static let standard = Costs(
            currency: "EUR", prisonPerDay: 97, pretrialDetentionPerDay: 97, probationPerDay: 9,
            treatmentPerDay: ["outpatient": 12, "residential": 120, "opioid_agonist_treatment": 8, "harm_reduction": 4],
            measurePerDay: [:],
            custodyDays: ["default": 60, "possession_personal_use": 30, "cultivation_personal_use": 45, "possession_trafficking": 180, "supply": 365],
            source: "Illustrative figures: Council of Europe SPACE I mean cost per inmate per day; supervision and treatment costs assumed."
        )

        public init(currency: String, prisonPerDay: Double, pretrialDetentionPerDay: Double, probationPerDay: Double, treatmentPerDay: [String: Double], measurePerDay: [String: Double], custodyDays: [String: Int], source: String) {
            self.currency = currency
            self.prisonPerDay = prisonPerDay
            self.pretrialDetentionPerDay = pretrialDetentionPerDay
            self.probationPerDay = probationPerDay
            self.treatmentPerDay = treatmentPerDay
            self.measurePerDay = measurePerDay
            self.custodyDays = custodyDays
            self.source = source
        }

        /// Custody days a case of this offence category would typically have received.
        public func custodyDays(for offence: String) -> Int { custodyDays[offence] ?? custodyDays["default"] ?? 0 }

        /// Daily cost of supervising a measure of this type.
        public func measureCost(_ type: String) -> Double { measurePerDay[type] ?? probationPerDay }

        /// Daily cost of a treatment modality; modalities not listed cost as outpatient care, or nothing.
        public func treatmentCost(_ modality: String) -> Double { treatmentPerDay[modality] ?? treatmentPerDay["outpatient"] ?? 0 }
    }
}

/// The ICCS level-2 drug-offence class: possession for personal use (06011), trafficking (06012), or another drug offence.
public enum OffenceClass: String, Sendable, Codable, CaseIterable {
    case possession, trafficking, other

    /// The ICCS code the class is reported under.
    public var iccsCode: String {
        switch self {
        case .possession: "06011"
        case .trafficking: "06012"
        case .other: "0601"
        }
    }
}

/// Age groups from a list of lower bounds, labelled as people read them ("under 18", "18-24", "55+").
public struct AgeGroups: Sendable, Equatable {
    public let bands: [Int]

    public init(bands: [Int]) { self.bands = bands.sorted() }

    /// Every label in order, "unknown" last.
    public var labels: [String] {
        guard let first = bands.first else { return ["all", "unknown"] }
        var out = ["under \(first)"]
        for (i, lower) in bands.enumerated() {
            out.append(i + 1 < bands.count ? "\(lower)-\(bands[i + 1] - 1)" : "\(lower)+")
        }
        return out + ["unknown"]
    }

    public func label(_ age: Int?) -> String {
        guard let age, age >= 0 else { return "unknown" }
        guard let first = bands.first else { return "all" }
        if age < first { return "under \(first)" }
        let i = bands.lastIndex(where: { $0 <= age }) ?? 0
        return i + 1 < bands.count ? "\(bands[i])-\(bands[i + 1] - 1)" : "\(bands[i])+"
    }
}
