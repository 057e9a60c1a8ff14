import Foundation

/// Where a fact came from: the pathway as recorded in Diversion, or a historical import.
public enum FactSource: String, Sendable, Codable, CaseIterable {
    case recorded, historical, generated
}

/// One contact for a drug offence and what followed it, as the evidence counts it: no name, no free text,
/// a person key only so later contacts of the same person can be linked.
public struct ContactFact: Sendable, Equatable {
    public var source: FactSource
    /// Unique per contact (the contact's id, or the import's reference).
    public var contactKey: String
    /// Links contacts of one person; never shown.
    public var personKey: String
    public var occurredOn: CalendarDate
    public var sex: Sex
    /// Age in whole years at the contact.
    public var age: Int?
    public var region: String
    /// ISO country code of citizenship, when known.
    public var nationality: String?
    /// The policy's offence category code (the first offence recorded).
    public var offence: String
    /// The substance whose seizure came closest to (or furthest over) its threshold; nil when nothing was seized.
    public var substance: String?
    public var seizures: [SeizureRecord]
    public var circumstances: ContactCircumstances
    /// Serious convictions on record before the contact (the history exclusion replays them).
    public var seriousConvictions: [CalendarDate]
    /// The legal stage of the latest decision in the case; pre-trial when only the officer decided.
    public var stage: Stage
    /// The first measure of the latest decision; nil when none was ordered.
    public var measureType: String?
    public var screened: Bool
    public var eligible: Bool
    /// Diverted by the officer or given an alternative measure.
    public var diverted: Bool
    public var referralSent: Bool
    public var referralAccepted: Bool
    public var referralEngaged: Bool
    /// The service's main modality, for treatment costs.
    public var treatmentModality: String?
    public var intakeOn: CalendarDate?
    /// When treatment ended without completion (disengaged or withdrawn).
    public var treatmentDroppedOn: CalendarDate?
    public var measureStartOn: CalendarDate?
    /// The measure's end: its outcome date, else its planned end.
    public var measureEndOn: CalendarDate?
    /// The recorded outcome of the measure (completed, revoked, …); nil while it runs.
    public var measureOutcome: String?
    public var incentives: Int
    public var sanctions: Int
    public var testingStartOn: CalendarDate?
    public var lastTestOn: CalendarDate?
    /// The first positive test after the policy's run of negatives.
    public var relapseOn: CalendarDate?

    public init(
        source: FactSource, contactKey: String, personKey: String, occurredOn: CalendarDate, sex: Sex, age: Int?, region: String,
        nationality: String?, offence: String, substance: String?, seizures: [SeizureRecord] = [], circumstances: ContactCircumstances = .init(),
        seriousConvictions: [CalendarDate] = [], stage: Stage = .preTrial, measureType: String? = nil, screened: Bool = false,
        eligible: Bool = false, diverted: Bool = false, referralSent: Bool = false, referralAccepted: Bool = false,
        referralEngaged: Bool = false, treatmentModality: String? = nil, intakeOn: CalendarDate? = nil,
        treatmentDroppedOn: CalendarDate? = nil, measureStartOn: CalendarDate? = nil, measureEndOn: CalendarDate? = nil,
        measureOutcome: String? = nil, incentives: Int = 0, sanctions: Int = 0, testingStartOn: CalendarDate? = nil,
        lastTestOn: CalendarDate? = nil, relapseOn: CalendarDate? = nil
    ) {
        self.source = source
        self.contactKey = contactKey
        self.personKey = personKey
        self.occurredOn = occurredOn
        self.sex = sex
        self.age = age
        self.region = region
        self.nationality = nationality
        self.offence = offence
        self.substance = substance
        self.seizures = seizures
        self.circumstances = circumstances
        self.seriousConvictions = seriousConvictions
        self.stage = stage
        self.measureType = measureType
        self.screened = screened
        self.eligible = eligible
        self.diverted = diverted
        self.referralSent = referralSent
        self.referralAccepted = referralAccepted
        self.referralEngaged = referralEngaged
        self.treatmentModality = treatmentModality
        self.intakeOn = intakeOn
        self.treatmentDroppedOn = treatmentDroppedOn
        self.measureStartOn = measureStartOn
        self.measureEndOn = measureEndOn
        self.measureOutcome = measureOutcome
        self.incentives = incentives
        self.sanctions = sanctions
        self.testingStartOn = testingStartOn
        self.lastTestOn = lastTestOn
        self.relapseOn = relapseOn
    }
}

/// One drug test as the evidence counts it: its month and the groups of the person's contact.
public struct TestFact: Sendable, Equatable {
    public var contactKey: String
    public var testOn: CalendarDate
    public var negative: Bool

    public init(contactKey: String, testOn: CalendarDate, negative: Bool) {
        self.contactKey = contactKey
        self.testOn = testOn
        self.negative = negative
    }
}

/// Relapse as the evidence defines it: the first positive result after at least `after` negative results in a row.
public enum Relapse {
    /// The day of the relapse among results in time order (true = negative), or nil.
    public static func day(_ results: [(day: CalendarDate, negative: Bool)], after: Int) -> CalendarDate? {
        var run = 0
        for result in results.sorted(by: { $0.day < $1.day }) {
            if result.negative {
                run += 1
            } else {
                if run >= max(after, 1) { return result.day }
                run = 0
            }
        }
        return nil
    }
}

/// The primary substance of a contact: the seizure furthest over (or closest to) its threshold.
public enum PrimarySubstance {
    public static func of(_ shares: [ThresholdShare]) -> String? {
        shares.max(by: { $0.percentOfThreshold < $1.percentOfThreshold })?.substance
    }
}

/// The compact text forms the fact table keeps for what the policy simulation replays.
public enum FactEncoding {
    /// `substance:quantity:unit:purity` per seizure, separated by `;` (purity empty when untested).
    public static func seizures(_ list: [SeizureRecord]) -> String {
        list.map { s in
            "\(s.substance):\(s.quantity):\(s.unit):\(s.purityPercent.map { "\($0)" } ?? "")"
        }.joined(separator: ";")
    }

    public static func seizures(_ text: String) -> [SeizureRecord] {
        guard !text.isEmpty else { return [] }
        return text.split(separator: ";").compactMap { part in
            let f = part.split(separator: ":", omittingEmptySubsequences: false)
            guard f.count == 4, let q = Double(f[1]) else { return nil }
            return SeizureRecord(substance: String(f[0]), quantity: q, unit: String(f[2]), purityPercent: Double(f[3]))
        }
    }

    /// Circumstances as bits: violence 1, weapon 2, supply to minors 4, near a school 8, organised crime 16.
    public static func circumstances(_ c: ContactCircumstances) -> Int {
        (c.violence ? 1 : 0) | (c.weapon ? 2 : 0) | (c.supplyToMinors ? 4 : 0) | (c.nearSchool ? 8 : 0) | (c.organisedCrime ? 16 : 0)
    }

    public static func circumstances(_ bits: Int) -> ContactCircumstances {
        ContactCircumstances(violence: bits & 1 != 0, weapon: bits & 2 != 0, supplyToMinors: bits & 4 != 0, nearSchool: bits & 8 != 0, organisedCrime: bits & 16 != 0)
    }

    /// Day numbers separated by commas.
    public static func days(_ dates: [CalendarDate]) -> String { dates.map { String($0.dayNumber) }.joined(separator: ",") }

    public static func days(_ text: String) -> [CalendarDate] {
        text.split(separator: ",").compactMap { Int($0).map { CalendarDate(dayNumber: $0) } }
    }
}
