import Foundation

/// A reporting standard the evidence is exported to: the UN Survey of Crime Trends (UN-CTS) or the EMCDDA
/// Treatment Demand Indicator (TDI 3.0).
public enum ExportStandard: String, Sendable, CaseIterable, Codable {
    case uncts, tdi

    public var title: String {
        switch self {
        case .uncts: "UN-CTS: persons in formal contact, prosecuted and convicted for drug offences"
        case .tdi: "EMCDDA TDI 3.0: people entering treatment through a justice referral"
        }
    }
}

/// The file formats an export is written in.
public enum ExportFormat: String, Sendable, CaseIterable, Codable {
    case csv, json

    public var mediaType: String {
        switch self {
        case .csv: "text/csv; charset=utf-8"
        case .json: "application/json"
        }
    }
}

/// Whether a variable the standard asks for is in the export.
public enum ExportVariableStatus: String, Sendable, Codable {
    case exported
    /// Exported, but derived from something close to what the standard asks (the note says what).
    case approximated
    /// The standard asks for it; Diversion does not hold it, so nothing is invented.
    case notRecorded = "not_recorded"
}

/// One variable of the standard and how the export covers it.
public struct ExportVariable: Sendable, Equatable, Codable {
    public var name: String
    public var status: ExportVariableStatus
    public var note: String

    public init(_ name: String, _ status: ExportVariableStatus, _ note: String) {
        self.name = name
        self.status = status
        self.note = note
    }
}

/// One published cell: its category on each dimension and the persons counted, nil when withheld.
public struct ExportRow: Sendable, Equatable {
    public var keys: [String]
    public var persons: Int?

    public var suppressed: Bool { persons == nil }

    public init(keys: [String], persons: Int?) {
        self.keys = keys
        self.persons = persons
    }
}

/// One table of an export: every combination of its dimensions' categories, one row each, zeros included.
public struct ExportTable: Sendable, Equatable {
    public var name: String
    public var title: String
    public var dimensions: [String]
    public var rows: [ExportRow]

    public init(name: String, title: String, dimensions: [String], rows: [ExportRow]) {
        self.name = name
        self.title = title
        self.dimensions = dimensions
        self.rows = rows
    }

    public func row(_ keys: String...) -> ExportRow? { rows.first { $0.keys == keys } }
}

/// A finished export: suppressed tables with the definitions and limits a reader needs beside them.
public struct StatisticalExport: Sendable, Equatable {
    public var standard: ExportStandard
    public var year: Int
    public var jurisdiction: String
    public var generatedAt: Date
    public var threshold: Int
    public var method: String
    public var notes: [String]
    public var variables: [ExportVariable]
    public var tables: [ExportTable]

    public init(standard: ExportStandard, year: Int, jurisdiction: String, generatedAt: Date, threshold: Int, method: String,
                notes: [String], variables: [ExportVariable], tables: [ExportTable]) {
        self.standard = standard
        self.year = year
        self.jurisdiction = jurisdiction
        self.generatedAt = generatedAt
        self.threshold = threshold
        self.method = method
        self.notes = notes
        self.variables = variables
        self.tables = tables
    }

    /// The name a downloaded file is given, such as `uncts-2025.csv`.
    public func fileName(_ format: ExportFormat) -> String { "\(standard.rawValue)-\(year).\(format.rawValue)" }

    public func data(_ format: ExportFormat) throws -> Data {
        switch format {
        case .csv: Data(csv().utf8)
        case .json: try json()
        }
    }

    /// RFC 4180 text: a header, then one line per cell with the table's name, a column for every dimension any table
    /// has (empty where a table lacks it), the persons (empty when withheld) and `suppressed` (true or false). Which
    /// withheld cells are small and which protect them is not said: that would point at the small ones.
    public func csv() -> String {
        var columns: [String] = []
        for table in tables { for d in table.dimensions where !columns.contains(d) { columns.append(d) } }
        var lines = [(["table"] + columns + ["persons", "suppressed"]).map(Self.csvField).joined(separator: ",")]
        for table in tables {
            let position = Dictionary(uniqueKeysWithValues: table.dimensions.enumerated().map { ($1, $0) })
            for row in table.rows {
                let keys = columns.map { position[$0].map { row.keys[$0] } ?? "" }
                let fields = [table.name] + keys + [row.persons.map(String.init) ?? "", row.suppressed ? "true" : "false"]
                lines.append(fields.map(Self.csvField).joined(separator: ","))
            }
        }
        return lines.map { $0 + "\r\n" }.joined()
    }

    /// A field quoted when it holds a comma, a quote or a line break, with quotes doubled (RFC 4180). Text a
    /// spreadsheet would run as a formula is read as text instead.
    public static func csvField(_ text: String) -> String {
        let safe = text.first.map { "=+-@\t\r".contains($0) } == true ? "'" + text : text
        guard safe.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return safe }
        return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `{standard, year, jurisdiction, generatedAt, suppression: {threshold, method}, notes, variables, tables}`,
    /// each row an object of its dimensions, `persons` (null when withheld) and `suppressed`. Keys sorted, so the same
    /// figures always give the same bytes.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(ExportDocument(self))
    }
}

/// The JSON shape of an export.
struct ExportDocument: Encodable {
    struct Suppression: Encodable {
        var threshold: Int
        var method: String
    }

    struct Table: Encodable {
        var name: String
        var title: String
        var dimensions: [String]
        var rows: [Row]
    }

    struct Row: Encodable {
        var dimensions: [String]
        var row: ExportRow

        func encode(to encoder: any Encoder) throws {
            // The categories sit beside the count under their dimension's name, as the table reads.
            var container = encoder.container(keyedBy: ExportKey.self)
            for (d, key) in zip(dimensions, row.keys) { try container.encode(key, forKey: ExportKey(d)) }
            try container.encode(row.persons, forKey: ExportKey("persons"))
            try container.encode(row.suppressed, forKey: ExportKey("suppressed"))
        }
    }

    var standard: String
    var year: Int
    var jurisdiction: String
    var generatedAt: String
    var suppression: Suppression
    var notes: [String]
    var variables: [ExportVariable]
    var tables: [Table]

    init(_ e: StatisticalExport) {
        standard = e.standard.rawValue
        year = e.year
        jurisdiction = e.jurisdiction
        generatedAt = e.generatedAt.formatted(.iso8601)
        suppression = Suppression(threshold: e.threshold, method: e.method)
        notes = e.notes
        variables = e.variables
        tables = e.tables.map { t in Table(name: t.name, title: t.title, dimensions: t.dimensions, rows: t.rows.map { Row(dimensions: t.dimensions, row: $0) }) }
    }
}

private struct ExportKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Why an export could not be assembled.
public enum StatisticalExportError: Error, Sendable, Equatable {
    /// The year is outside the years for which figures can exist.
    case year(Int)
    case table(String, SuppressionTableError)
}

// MARK: - Tables and suppression

/// Builds protected tables from counts.
public enum ExportTables {
    /// The full grid of `categories` (one list per dimension, in order) with `counts` (zero where absent), protected by
    /// `SmallCellSuppression` as one n-way table. Categories met in `counts` but not listed are added at the end of
    /// their dimension, so no count is ever dropped. When the line totals would reveal a small count whatever is
    /// withheld, every cell is withheld.
    public static func protect(
        name: String, title: String, dimensions: [String], categories: [[String]], counts: [[String]: Int], threshold: Int
    ) throws(StatisticalExportError) -> (table: ExportTable, withheldWhole: Bool) {
        var lists = categories
        for keys in counts.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            for (d, key) in keys.enumerated() where d < lists.count && !lists[d].contains(key) { lists[d].append(key) }
        }
        var grid: [[Int]] = [[]]
        for list in lists { grid = grid.flatMap { prefix in list.indices.map { prefix + [$0] } } }
        let keys = grid.map { coordinates in coordinates.enumerated().map { lists[$0][$1] } }
        let values = keys.map { counts[$0] ?? 0 }
        guard !grid.isEmpty else { return (ExportTable(name: name, title: title, dimensions: dimensions, rows: []), false) }
        let result: SuppressionResult
        do {
            result = try SmallCellSuppression.protect(zip(grid, values).map { SuppressionCell(coordinates: $0, value: $1) }, threshold: threshold)
        } catch {
            throw .table(name, error)
        }
        let whole = !result.isPublishable
        let rows = keys.indices.map { i in
            ExportRow(keys: keys[i], persons: whole || result.isSuppressed(i) ? nil : values[i])
        }
        return (ExportTable(name: name, title: title, dimensions: dimensions, rows: rows), whole)
    }

    /// The first and last day number of a calendar year.
    public static func days(of year: Int) -> ClosedRange<Int> {
        CalendarDate(year: year, month: 1, day: 1).dayNumber...CalendarDate(year: year, month: 12, day: 31).dayNumber
    }

    /// Years figures can exist for: from 1970 (the day numbers' origin) to the current year.
    public static func validYears(today: CalendarDate) -> ClosedRange<Int> { 1970...max(1970, today.year) }

    /// Reads a `year` parameter, naming what is wrong with it.
    public static func year(_ text: String?, today: CalendarDate) throws(ValidationFailure) -> Int {
        let range = validYears(today: today)
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            throw ValidationFailure([FieldError("year", "Give the year to export, such as \(range.upperBound).")])
        }
        guard text.count == 4, text.allSatisfy({ $0.isASCII && $0.isNumber }), let year = Int(text) else {
            throw ValidationFailure([FieldError("year", "'\(text.prefix(20))' is not a year; write four digits, such as \(range.upperBound).")])
        }
        guard range.contains(year) else {
            throw ValidationFailure([FieldError("year", "Give a year from \(range.lowerBound) to \(range.upperBound); there are no figures for \(year).")])
        }
        return year
    }
}

/// Sex as both standards publish it: female and male; any other recorded sex, or none, is counted together so
/// totals add up.
public enum ExportSex {
    public static let categories = ["female", "male", "other_or_unknown"]

    public static func category(_ sex: Sex) -> String {
        switch sex {
        case .female: "female"
        case .male: "male"
        case .other, .unknown: "other_or_unknown"
        }
    }

    public static func category(_ raw: String) -> String { Sex(rawValue: raw).map { category($0) } ?? "other_or_unknown" }
}

// MARK: - UN-CTS

/// How Diversion's contact facts read in UN-CTS terms, from the active policy.
///
/// - Tables: for each level, one table per disaggregation UN-CTS asks for (sex, adult or juvenile, citizenship),
///   each crossed with the ICCS class. Crossing all of them at once leaves so many cells whose neighbours are
///   known zeros that the line totals would give small counts away, and the table could not be published at all.
/// - Counting unit: persons. Each cell counts distinct people with a contact in the year in that cell; a person
///   whose contacts fall in two cells (a possession and a trafficking contact, or turning adult during the year) is
///   counted in each, as UN-CTS counts persons per offence.
/// - Offence: the contact's first recorded offence category, classed by the policy's `evidence.iccs`: possession for
///   personal use (ICCS 06011) or trafficking (06012). Other drug offences are not in the export.
/// - Formal contact: every contact for one of those offences.
/// - Prosecuted: the case reached a prosecution or court decision: the latest decision is at trial, sentencing or
///   post-sentencing, or is a pre-trial decision with a measure the police may not order under the policy's
///   measure menu (so a prosecutor or a court ordered it: conditional dismissal, deferred prosecution, pre-trial
///   release with conditions…). A caution the police may give counts as police, even when a prosecutor gave it.
/// - Convicted: the latest decision is at sentencing or post-sentencing.
/// - Adult or juvenile: age at the contact against the policy's age of majority; unknown without an age.
/// - National or foreign: citizenship against the policy's `evidence.country`; unknown when either is not recorded.
public struct UNCTSMapping: Sendable, Equatable {
    /// The stages of the justice process UN-CTS counts persons at.
    public enum Level: String, Sendable, CaseIterable, Codable {
        case formalContact = "formal_contact", prosecuted, convicted

        public var title: String {
            switch self {
            case .formalContact: "Persons brought into formal contact with the police for drug offences"
            case .prosecuted: "Persons prosecuted for drug offences"
            case .convicted: "Persons convicted of drug offences"
            }
        }
    }

    /// The disaggregations UN-CTS asks for, each published crossed with the ICCS class.
    public enum Breakdown: String, Sendable, CaseIterable, Codable {
        case sex
        case ageClass = "age_class"
        case citizenship

        public var categories: [String] {
            switch self {
            case .sex: ExportSex.categories
            case .ageClass: UNCTSMapping.ageClasses
            case .citizenship: UNCTSMapping.citizenships
            }
        }

        public var words: String {
            switch self {
            case .sex: "sex"
            case .ageClass: "adult or juvenile"
            case .citizenship: "citizenship"
            }
        }
    }

    public static let offenceClasses: [OffenceClass] = [.possession, .trafficking]
    public static let ageClasses = ["adult", "juvenile", "unknown"]
    public static let citizenships = ["national", "foreign", "unknown"]
    public static let prosecutedStages: Set<Stage> = [.trial, .sentencing, .postSentencing]
    public static let convictedStages: Set<Stage> = [.sentencing, .postSentencing]
    /// An officer's diversion without a measure, counted among the alternatives used.
    public static let officerDiversion = "officer_diversion"

    public var ageOfMajority: Int
    /// ISO code of the country whose citizens are national; nil when citizenship is not split.
    public var country: String?
    public var iccs: [String: OffenceClass]
    /// Measure types the police may order before trial.
    public var policeMeasures: Set<String>

    public init(ageOfMajority: Int, country: String?, iccs: [String: OffenceClass], policeMeasures: Set<String>) {
        self.ageOfMajority = ageOfMajority
        self.country = country
        self.iccs = iccs
        self.policeMeasures = policeMeasures
    }

    public init(policy: JurisdictionPolicy) {
        self.init(ageOfMajority: policy.ageOfMajority, country: policy.evidence.country, iccs: policy.evidence.iccs,
                  policeMeasures: ExportRules.policeMeasures(policy))
    }

    /// The ICCS class the export reports an offence category under; nil for other drug offences.
    public func offenceClass(_ offence: String) -> OffenceClass? {
        guard let c = iccs[offence], Self.offenceClasses.contains(c) else { return nil }
        return c
    }

    public func ageClass(_ age: Int?) -> String {
        guard let age, age >= 0 else { return "unknown" }
        return age < ageOfMajority ? "juvenile" : "adult"
    }

    public func citizenship(_ nationality: String?) -> String {
        guard let country, !country.isEmpty, let nationality, !nationality.isEmpty else { return "unknown" }
        return nationality.uppercased() == country.uppercased() ? "national" : "foreign"
    }

    public func isProsecuted(stage: Stage, measureType: String?) -> Bool {
        if Self.prosecutedStages.contains(stage) { return true }
        guard let measureType else { return false }
        return !policeMeasures.contains(measureType)
    }

    public func isConvicted(stage: Stage) -> Bool { Self.convictedStages.contains(stage) }

    /// Every level a contact is counted at: formal contact always, then prosecuted and convicted as reached.
    public func levels(stage: Stage, measureType: String?) -> [Level] {
        var out: [Level] = [.formalContact]
        if isProsecuted(stage: stage, measureType: measureType) { out.append(.prosecuted) }
        if isConvicted(stage: stage) { out.append(.convicted) }
        return out
    }

    /// The alternative a contact was given: its measure, the officer's diversion, or none.
    public static func alternative(measureType: String?, diverted: Bool) -> String? {
        measureType ?? (diverted ? officerDiversion : nil)
    }

    /// The category of a contact under one disaggregation.
    public func category(_ breakdown: Breakdown, _ f: ContactFact) -> String {
        switch breakdown {
        case .sex: ExportSex.category(f.sex)
        case .ageClass: ageClass(f.age)
        case .citizenship: citizenship(f.nationality)
        }
    }

    /// Persons counted in one UN-CTS cell (ICCS code and the category of one disaggregation) at each level.
    public struct Count: Sendable, Equatable {
        public var breakdown: Breakdown
        /// The ICCS code and the category.
        public var keys: [String]
        public var formalContact: Int
        public var prosecuted: Int
        public var convicted: Int

        public init(breakdown: Breakdown, keys: [String], formalContact: Int, prosecuted: Int, convicted: Int) {
            self.breakdown = breakdown
            self.keys = keys
            self.formalContact = formalContact
            self.prosecuted = prosecuted
            self.convicted = convicted
        }

        public func persons(_ level: Level) -> Int {
            switch level {
            case .formalContact: formalContact
            case .prosecuted: prosecuted
            case .convicted: convicted
            }
        }
    }

    /// Persons given one alternative (measure type or officer diversion) at one stage, of one sex.
    public struct AlternativeCount: Sendable, Equatable {
        public var measure: String
        public var stage: String
        public var sex: String
        public var persons: Int

        public init(measure: String, stage: String, sex: String, persons: Int) {
            self.measure = measure
            self.stage = stage
            self.sex = sex
            self.persons = persons
        }
    }

    /// The counts of a year from facts in memory: the definition the database queries must agree with.
    public func count(_ facts: [ContactFact], year: Int) -> (cells: [Count], alternatives: [AlternativeCount]) {
        let days = ExportTables.days(of: year)
        struct Cell: Hashable {
            var breakdown: Breakdown
            var keys: [String]
        }
        var people: [Cell: [Level: Set<String>]] = [:]
        var alternatives: [[String]: Set<String>] = [:]
        for f in facts where f.source != .generated && days.contains(f.occurredOn.dayNumber) {
            guard let c = offenceClass(f.offence) else { continue }
            let reached = levels(stage: f.stage, measureType: f.measureType)
            for breakdown in Breakdown.allCases {
                let cell = Cell(breakdown: breakdown, keys: [c.iccsCode, category(breakdown, f)])
                for level in reached { people[cell, default: [:]][level, default: []].insert(f.personKey) }
            }
            if let alternative = Self.alternative(measureType: f.measureType, diverted: f.diverted) {
                alternatives[[alternative, f.stage.rawValue, ExportSex.category(f.sex)], default: []].insert(f.personKey)
            }
        }
        let cells = people.map { cell, levels in
            Count(breakdown: cell.breakdown, keys: cell.keys, formalContact: levels[.formalContact]?.count ?? 0,
                  prosecuted: levels[.prosecuted]?.count ?? 0, convicted: levels[.convicted]?.count ?? 0)
        }
        let alternativeCounts = alternatives.map { AlternativeCount(measure: $0.key[0], stage: $0.key[1], sex: $0.key[2], persons: $0.value.count) }
        return (cells, alternativeCounts)
    }
}

// MARK: - TDI

/// How Diversion's contact facts read as TDI 3.0 treatment entries.
///
/// - Who: people (distinct person keys) whose intake at a treatment service reached through the contact's referral
///   falls in the year. A person with several such intakes is counted once, with the first; TDI counts people, not
///   episodes. Every one of them came through the justice system, so all are justice referrals; TDI does not tell
///   first treatments from later ones here, so the export is of all clients, not new clients only.
/// - Treatment: services whose main modality is drug treatment (brief intervention, outpatient, intensive outpatient,
///   residential, withdrawal management, opioid agonist treatment, harm reduction), or whose modality is not
///   recorded. Referrals to housing, employment, education, family support, mental-health or HIV/hepatitis services
///   are not drug treatment and are left out.
/// - Age at entry: the age at the contact plus the whole years between contact and intake (no birth date is kept).
/// - Primary drug: the contact's primary seized substance (the seizure furthest over its threshold), grouped as TDI
///   groups drugs. It stands in for the drug the person names as causing most problems, which Diversion does not
///   record; unknown when nothing was seized.
/// - Referral source, within TDI's justice referrals: probation for supervision measures (probation, community
///   service, parole, aftercare, early release into treatment); police for a pre-trial contact with no measure or a
///   measure the police may order under the policy; court or prosecution for every other measure or later stage.
/// - Centre type: from the service's main modality: outpatient (outpatient, intensive outpatient, opioid agonist
///   treatment), inpatient (residential, withdrawal management), low-threshold (harm reduction), other (brief
///   intervention), unknown when the modality is not recorded.
public struct TDIMapping: Sendable, Equatable {
    /// TDI's 5-year age groups at entry: under 15, 15–19, …, 60–64, 65+.
    public static let ageBands = AgeGroups(bands: Array(stride(from: 15, through: 65, by: 5)))
    /// TDI 3.0 primary-drug groups. MDMA and its derivatives are stimulants in TDI 3.0 (with amphetamines,
    /// methamphetamine and synthetic cathinones); LSD, ketamine and other hallucinogens are hallucinogens.
    public static let drugGroups = ["opioids", "cocaine", "stimulants", "hypnotics_sedatives", "hallucinogens", "volatile_inhalants", "cannabis", "other", "unknown"]
    public static let referralSources = ["police", "court_prosecution", "probation"]
    public static let centreTypes = ["outpatient", "inpatient", "low_threshold", "other", "unknown"]
    /// Measures run by probation services.
    public static let supervisionMeasures = Set(
        [MeasureType.probation, .communityService, .parole, .aftercare, .earlyReleaseIntoTreatment].map(\.rawValue)
    )
    /// Centre type by service modality, for the modalities that are drug treatment.
    public static let centreOfModality: [String: String] = [
        Modality.outpatient.rawValue: "outpatient", Modality.intensiveOutpatient.rawValue: "outpatient",
        Modality.opioidAgonistTreatment.rawValue: "outpatient", Modality.residential.rawValue: "inpatient",
        Modality.withdrawalManagement.rawValue: "inpatient", Modality.harmReduction.rawValue: "low_threshold",
        Modality.briefIntervention.rawValue: "other",
    ]

    /// Words in a substance code and the TDI group they name; codes are split at `_` and read word by word.
    static let drugWords: [String: String] = {
        var out: [String: String] = [:]
        let groups: [(String, [String])] = [
            ("opioids", ["heroin", "opium", "morphine", "methadone", "buprenorphine", "fentanyl", "carfentanil", "oxycodone", "hydrocodone",
                         "hydromorphone", "codeine", "tramadol", "tapentadol", "pethidine", "opioid", "opioids", "opiate", "opiates", "nitazene", "diacetylmorphine"]),
            ("cocaine", ["cocaine", "crack", "coca", "paco", "basuco", "bazuco"]),
            ("stimulants", ["amphetamine", "amphetamines", "methamphetamine", "methamphetamines", "meth", "mdma", "mda", "mdea", "ecstasy",
                            "cathinone", "cathinones", "mephedrone", "khat", "methylphenidate", "yaba", "captagon", "fenetylline", "stimulant", "stimulants"]),
            ("hypnotics_sedatives", ["benzodiazepine", "benzodiazepines", "diazepam", "alprazolam", "clonazepam", "lorazepam", "flunitrazepam",
                                     "barbiturate", "barbiturates", "ghb", "gbl", "sedative", "sedatives", "hypnotic", "hypnotics", "zolpidem"]),
            ("hallucinogens", ["lsd", "lysergide", "psilocybin", "psilocin", "mushrooms", "ketamine", "mescaline", "peyote", "dmt", "ayahuasca",
                               "hallucinogen", "hallucinogens", "pcp", "phencyclidine"]),
            ("volatile_inhalants", ["inhalant", "inhalants", "solvent", "solvents", "glue", "volatile"]),
            ("cannabis", ["cannabis", "marijuana", "marihuana", "hashish", "hash", "thc", "cannabinoid", "cannabinoids"]),
        ]
        for (group, words) in groups { for w in words { out[w] = group } }
        return out
    }()

    /// Measure types the police may order before trial.
    public var policeMeasures: Set<String>

    public init(policeMeasures: Set<String>) { self.policeMeasures = policeMeasures }

    public init(policy: JurisdictionPolicy) { self.init(policeMeasures: ExportRules.policeMeasures(policy)) }

    /// The TDI group of a substance code: the first word of the code that names a drug decides; other for a code no
    /// word of which names one, unknown when nothing was seized.
    public static func drugGroup(_ substance: String?) -> String {
        guard let substance, !substance.isEmpty else { return "unknown" }
        for word in substance.lowercased().split(whereSeparator: { $0 == "_" || $0 == "-" || $0 == " " }) {
            if let group = drugWords[String(word)] { return group }
        }
        return "other"
    }

    public func referralSource(stage: Stage, measureType: String?) -> String {
        if let measureType, Self.supervisionMeasures.contains(measureType) { return "probation" }
        if stage == .preTrial, measureType.map(policeMeasures.contains) ?? true { return "police" }
        return "court_prosecution"
    }

    /// The centre type of a modality; nil for a service that is not drug treatment.
    public static func centreType(_ modality: String?) -> String? {
        guard let modality, !modality.isEmpty else { return "unknown" }
        return centreOfModality[modality]
    }

    public static func ageBand(_ age: Int?) -> String {
        guard let age, age >= 0 else { return "unknown" }
        return ageBands.label(age)
    }

    /// Age at the intake from the age at the contact and the days between.
    public static func ageAtEntry(ageAtContact: Int?, contactDay: Int, intakeDay: Int) -> Int? {
        ageAtContact.map { $0 + max(0, intakeDay - contactDay) / 365 }
    }

    /// People the store counted with one combination of the facts TDI reads, before mapping.
    public struct Entry: Sendable, Hashable {
        public var sex: String
        public var ageAtEntry: Int?
        public var substance: String?
        public var stage: Stage
        public var measureType: String?
        public var modality: String?
        public var persons: Int

        public init(sex: String, ageAtEntry: Int?, substance: String?, stage: Stage, measureType: String?, modality: String?, persons: Int) {
            self.sex = sex
            self.ageAtEntry = ageAtEntry
            self.substance = substance
            self.stage = stage
            self.measureType = measureType
            self.modality = modality
            self.persons = persons
        }
    }

    /// The entries of a year from facts in memory (one per person, at the first intake): the definition the database
    /// query must agree with.
    public static func entries(_ facts: [ContactFact], year: Int) -> [Entry] {
        let days = ExportTables.days(of: year)
        var first: [String: ContactFact] = [:]
        for f in facts where f.source != .generated {
            guard let intake = f.intakeOn?.dayNumber, days.contains(intake), centreType(f.treatmentModality) != nil else { continue }
            if let seen = first[f.personKey], let seenIntake = seen.intakeOn?.dayNumber,
               (seenIntake, seen.contactKey) <= (intake, f.contactKey) { continue }
            first[f.personKey] = f
        }
        var grouped: [Entry: Int] = [:]
        for f in first.values {
            let age = ageAtEntry(ageAtContact: f.age, contactDay: f.occurredOn.dayNumber, intakeDay: f.intakeOn?.dayNumber ?? 0)
            let entry = Entry(sex: f.sex.rawValue, ageAtEntry: age, substance: f.substance, stage: f.stage, measureType: f.measureType,
                              modality: f.treatmentModality, persons: 0)
            grouped[entry, default: 0] += 1
        }
        return grouped.map { entry, persons in
            var e = entry
            e.persons = persons
            return e
        }
    }
}

/// What both standards read from the policy.
public enum ExportRules {
    /// Measure types the police may order before trial under the policy's measure menu.
    public static func policeMeasures(_ policy: JurisdictionPolicy) -> Set<String> {
        Set(policy.measures.filter { $0.authority == .police && $0.stage == .preTrial }.flatMap(\.allowed).map(\.rawValue))
    }
}

// MARK: - Assembly

/// The exports: counted cells in, suppressed tables with their definitions out.
public enum StatisticalExports {
    /// The UN-CTS export: for each level one table per disaggregation (ICCS class × sex, × adult or juvenile,
    /// × citizenship), and the alternatives used (measure at its stage × sex), each protected as its own table.
    public static func uncts(
        cells: [UNCTSMapping.Count], alternatives: [UNCTSMapping.AlternativeCount], mapping: UNCTSMapping, year: Int,
        jurisdiction: String, generatedAt: Date, threshold: Int
    ) throws(StatisticalExportError) -> StatisticalExport {
        var tables: [ExportTable] = []
        var withheld: [String] = []
        for level in UNCTSMapping.Level.allCases {
            for breakdown in UNCTSMapping.Breakdown.allCases {
                var counts: [[String]: Int] = [:]
                for c in cells where c.breakdown == breakdown { counts[c.keys, default: 0] += c.persons(level) }
                let name = "\(level.rawValue)_by_\(breakdown.rawValue)"
                let (table, whole) = try ExportTables.protect(
                    name: name, title: "\(level.title), by ICCS class and \(breakdown.words)", dimensions: ["iccs", breakdown.rawValue],
                    categories: [UNCTSMapping.offenceClasses.map(\.iccsCode), breakdown.categories], counts: counts, threshold: threshold
                )
                tables.append(table)
                if whole { withheld.append(name) }
            }
        }
        let (alternativesTable, whole) = try alternativesTable(alternatives, threshold: threshold)
        tables.append(alternativesTable)
        if whole { withheld.append(alternativesTable.name) }

        var notes = [
            "Counting unit: persons. A cell counts distinct people with a contact for a drug offence in \(year) in that cell; a person whose contacts fall in two cells is counted in each.",
            "ICCS 06011 (possession or use for personal consumption) and 06012 (trafficking) are the policy's offence categories mapped by its evidence.iccs section; contacts for other drug offences are not exported. The offence is the first one recorded on the contact.",
            "Formal contact: every recorded contact with the police for one of those offences.",
            "Prosecuted: the case's latest decision is at trial, sentencing or post-sentencing, or is a pre-trial measure the police may not order under the policy (so a prosecutor or court ordered it). A caution the police may give counts as police even when a prosecutor gave it.",
            "Convicted: the case's latest decision is at sentencing or post-sentencing.",
            "Levels are counted by the year of the contact, as the case stood when the export was made; recent years grow as cases proceed.",
            "Each level has one table per disaggregation UN-CTS asks for (sex, adult or juvenile, citizenship), crossed with the ICCS class, each protected as its own table. Levels are nested (convicted within prosecuted within formal contact); differences between levels are not protected.",
            "Juvenile: under the policy's age of majority (\(mapping.ageOfMajority)) at the contact; unknown when no age is recorded.",
            mapping.country.map { "National: citizen of \($0); foreign: any other recorded citizenship; unknown: none recorded." }
                ?? "The policy names no country (evidence.country), so citizenship is unknown throughout.",
            "Sex: UN-CTS splits female and male; any other recorded sex and sex not recorded are counted together as other_or_unknown so totals add up.",
            "Alternatives: the first measure of the case's latest decision, or officer_diversion when the officer diverted the person without a measure; persons counted per measure, stage and sex. Only measures used appear; a measure at its stage is one category when the table is protected, since most measures belong to one stage.",
            "Persons held in custody (the UN-CTS prison section) are not recorded by Diversion and are not exported.",
            "Synthetic facts generated for policy simulation are never exported.",
        ]
        if !withheld.isEmpty {
            notes.append("Withheld whole because its totals alone would reveal a small count: \(withheld.joined(separator: ", ")).")
        }
        let variables = [
            ExportVariable("persons_formal_contact", .exported, "Every recorded contact for a drug offence."),
            ExportVariable("persons_prosecuted", .approximated, "From the stage and measure of the case's latest decision; a formal charge is not recorded as such."),
            ExportVariable("persons_convicted", .approximated, "From the stage of the case's latest decision (sentencing or post-sentencing)."),
            ExportVariable("persons_held", .notRecorded, "Custody is not recorded by Diversion."),
            ExportVariable("offence_iccs", .exported, "06011 and 06012 through the policy's evidence.iccs."),
            ExportVariable("sex", .exported, "female, male, other_or_unknown."),
            ExportVariable("age_class", .exported, "adult or juvenile by the policy's age of majority."),
            ExportVariable("citizenship", mapping.country == nil ? .notRecorded : .exported, "national or foreign against the policy's evidence.country."),
        ]
        return StatisticalExport(
            standard: .uncts, year: year, jurisdiction: jurisdiction, generatedAt: generatedAt, threshold: threshold,
            method: SmallCellSuppression.method, notes: notes, variables: variables, tables: tables
        )
    }

    /// The alternatives used: persons by measure, stage and sex. A measure at its stage is one category of the
    /// protected table (most measures belong to one stage, so a full measure × stage grid would be mostly zeros the
    /// totals make known, and would give small counts away); only pairs in use are listed.
    static func alternativesTable(_ alternatives: [UNCTSMapping.AlternativeCount], threshold: Int) throws(StatisticalExportError) -> (ExportTable, Bool) {
        let separator = "\u{1F}"
        var counts: [[String]: Int] = [:]
        for a in alternatives where a.persons > 0 { counts[[a.measure + separator + a.stage, a.sex], default: 0] += a.persons }
        let measureOrder = [UNCTSMapping.officerDiversion] + MeasureType.allCases.map(\.rawValue)
        let stageOrder = Stage.allCases.map(\.rawValue)
        func rank(_ pair: String) -> (Int, Int, String) {
            let parts = pair.components(separatedBy: separator)
            let measure = parts.first ?? "", stage = parts.count > 1 ? parts[1] : ""
            return (stageOrder.firstIndex(of: stage) ?? stageOrder.count, measureOrder.firstIndex(of: measure) ?? measureOrder.count, pair)
        }
        let pairs = Set(counts.keys.map { $0[0] }).sorted { rank($0) < rank($1) }
        let (table, whole) = try ExportTables.protect(
            name: "alternatives", title: "Persons given an alternative to prosecution or punishment, by measure, stage and sex",
            dimensions: ["measure_at_stage", "sex"], categories: [pairs, ExportSex.categories], counts: counts, threshold: threshold
        )
        let rows = table.rows.map { row in
            ExportRow(keys: row.keys[0].components(separatedBy: separator) + [row.keys[1]], persons: row.persons)
        }
        return (ExportTable(name: table.name, title: table.title, dimensions: ["measure_type", "stage", "sex"], rows: rows), whole)
    }

    /// The TDI export: people entering treatment by primary drug, each crossed with sex, age group at entry, referral
    /// source and centre type, each table protected on its own.
    public static func tdi(
        entries: [TDIMapping.Entry], mapping: TDIMapping, year: Int, jurisdiction: String, generatedAt: Date, threshold: Int
    ) throws(StatisticalExportError) -> StatisticalExport {
        struct Mapped { var drug, sex, age, referral, centre: String; var persons: Int }
        let mapped: [Mapped] = entries.compactMap { e in
            guard let centre = TDIMapping.centreType(e.modality) else { return nil }
            return Mapped(drug: TDIMapping.drugGroup(e.substance), sex: ExportSex.category(e.sex), age: TDIMapping.ageBand(e.ageAtEntry),
                          referral: mapping.referralSource(stage: e.stage, measureType: e.measureType), centre: centre, persons: e.persons)
        }
        let specs: [(name: String, title: String, dimension: String, categories: [String], key: (Mapped) -> String)] = [
            ("sex_by_drug", "People entering treatment through a justice referral, by primary drug and sex", "sex", ExportSex.categories, { $0.sex }),
            ("age_by_drug", "People entering treatment through a justice referral, by primary drug and age group at entry", "age_group", TDIMapping.ageBands.labels, { $0.age }),
            ("referral_by_drug", "People entering treatment through a justice referral, by primary drug and referral source", "referral_source", TDIMapping.referralSources, { $0.referral }),
            ("centre_by_drug", "People entering treatment through a justice referral, by primary drug and type of centre", "centre_type", TDIMapping.centreTypes, { $0.centre }),
        ]
        var tables: [ExportTable] = []
        var withheld: [String] = []
        for spec in specs {
            var counts: [[String]: Int] = [:]
            for m in mapped { counts[[m.drug, spec.key(m)], default: 0] += m.persons }
            let (table, whole) = try ExportTables.protect(
                name: spec.name, title: spec.title, dimensions: ["primary_drug", spec.dimension],
                categories: [TDIMapping.drugGroups, spec.categories], counts: counts, threshold: threshold
            )
            tables.append(table)
            if whole { withheld.append(spec.name) }
        }
        var notes = [
            "People, not treatment episodes: each person whose intake at a treatment service reached through a justice referral falls in \(year) is counted once, with the first such intake.",
            "All clients entering treatment: whether a person was treated before is not recorded, so new clients are not shown apart.",
            "Only drug treatment counts: services whose main modality is brief intervention, outpatient, intensive outpatient, residential, withdrawal management, opioid agonist treatment or harm reduction, or is not recorded. Referrals to housing, employment, education, family support, mental-health or HIV/hepatitis services are left out.",
            "Primary drug: the contact's primary seized substance (the seizure furthest over its threshold) in TDI 3.0 groups, standing in for the drug the person names as causing most problems; unknown when nothing was seized. MDMA and derivatives, amphetamines, methamphetamine and synthetic cathinones are stimulants; LSD and ketamine are hallucinogens.",
            "Age group at entry: TDI's 5-year groups; age at entry is the age at the contact plus the whole years between contact and intake.",
            "Referral source: every person here was referred by the justice system (TDI's court, probation or police source); it is split into police (a pre-trial contact without a measure, or with a measure the police may order under the policy), court_prosecution (any other measure or a later stage) and probation (probation, community service, parole, aftercare, early release into treatment).",
            "Centre type: outpatient (outpatient, intensive outpatient, opioid agonist treatment), inpatient (residential, withdrawal management), low_threshold (harm reduction), other (brief intervention), unknown (modality not recorded). General practitioners and prison treatment units are not distinguished.",
            "Sex: female, male, and other_or_unknown for any other recorded sex or none.",
            "Synthetic facts generated for policy simulation are never exported.",
        ]
        if !withheld.isEmpty {
            notes.append("Withheld whole because its totals alone would reveal a small count: \(withheld.joined(separator: ", ")).")
        }
        let variables = [
            ExportVariable("treatment_centre_type", .approximated, "From the receiving service's main modality."),
            ExportVariable("treatment_status", .notRecorded, "Previous treatment is not recorded; all clients are counted."),
            ExportVariable("sex", .exported, "female, male, other_or_unknown."),
            ExportVariable("age_at_entry", .approximated, "Age at the contact plus whole years to the intake."),
            ExportVariable("source_of_referral", .exported, "Justice referrals only: police, court_prosecution, probation."),
            ExportVariable("primary_drug", .approximated, "The primary seized substance, in TDI drug groups."),
            ExportVariable("secondary_drugs", .notRecorded, "Other drugs used are not recorded."),
            ExportVariable("age_at_first_use", .notRecorded, "Not recorded."),
            ExportVariable("route_of_administration", .notRecorded, "Not recorded."),
            ExportVariable("frequency_of_use", .notRecorded, "Frequency in the last 30 days is not recorded."),
            ExportVariable("injecting", .notRecorded, "Ever injected and recent injecting are not recorded."),
            ExportVariable("opioid_substitution_treatment", .notRecorded, "Past opioid substitution treatment is not recorded."),
            ExportVariable("hiv_hcv_testing", .notRecorded, "Testing for HIV and hepatitis is not recorded."),
            ExportVariable("living_status", .notRecorded, "With whom the person lives is not recorded."),
            ExportVariable("living_conditions", .notRecorded, "Housing is not recorded in the evidence facts."),
            ExportVariable("education", .notRecorded, "Not recorded."),
            ExportVariable("labour_status", .notRecorded, "Not recorded."),
        ]
        return StatisticalExport(
            standard: .tdi, year: year, jurisdiction: jurisdiction, generatedAt: generatedAt, threshold: threshold,
            method: SmallCellSuppression.method, notes: notes, variables: variables, tables: tables
        )
    }
}
