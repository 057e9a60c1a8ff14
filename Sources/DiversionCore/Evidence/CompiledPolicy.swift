import Foundation

/// The rule families of eligibility, as bits in the order `Eligibility.evaluate` checks them.
public struct RuleSet: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// The contact cannot be read under the policy: an offence, substance or unit it does not know, or a typing error.
    public static let unreadable = RuleSet(rawValue: 1 << 0)
    public static let offence = RuleSet(rawValue: 1 << 1)
    public static let threshold = RuleSet(rawValue: 1 << 2)
    public static let trafficking = RuleSet(rawValue: 1 << 3)
    // The five exclusions sit in the order of the circumstance bits, so a contact's bits shift straight into them.
    public static let violence = RuleSet(rawValue: 1 << 4)
    public static let weapon = RuleSet(rawValue: 1 << 5)
    public static let supplyToMinors = RuleSet(rawValue: 1 << 6)
    public static let nearSchool = RuleSet(rawValue: 1 << 7)
    public static let organisedCrime = RuleSet(rawValue: 1 << 8)
    public static let priorSeriousConviction = RuleSet(rawValue: 1 << 9)
    public static let diversionLimit = RuleSet(rawValue: 1 << 10)
    public static let route = RuleSet(rawValue: 1 << 11)

    /// Every family, in evaluation order.
    public static let inOrder: [RuleSet] = (0..<12).map { RuleSet(rawValue: 1 << $0) }

    /// The first family of this set in evaluation order; nil when empty.
    public var first: RuleSet? {
        rawValue == 0 ? nil : RuleSet(rawValue: rawValue & (~rawValue &+ 1))
    }

    /// The position in `inOrder` of the first family of this set.
    public var position: Int { rawValue.trailingZeroBitCount }

    /// The rule name `Eligibility` gives its reasons (for a single family).
    public var code: String {
        switch self {
        case .unreadable: "unreadable"
        case .offence: "offence_category"
        case .threshold: "personal_use_threshold"
        case .trafficking: "trafficking_presumption"
        case .violence: "exclusion.violence"
        case .weapon: "exclusion.weapon"
        case .supplyToMinors: "exclusion.supply_to_minors"
        case .nearSchool: "exclusion.near_school"
        case .organisedCrime: "exclusion.organised_crime"
        case .priorSeriousConviction: "exclusion.prior_serious_conviction"
        case .diversionLimit: "exclusion.diversion_limit"
        case .route: "diversion_route"
        default: RuleSet.inOrder.filter { contains($0) }.map(\.code).joined(separator: "+")
        }
    }
}

/// What a compiled policy decided for one contact, and which rules it failed.
public struct ReplayDecision: Sendable, Equatable {
    public var failed: RuleSet
    /// The substance (index into `ReplayCodes.substances`) of the first seizure over its threshold; -1 when none.
    public var thresholdSubstance: Int32
    /// The substance of the first seizure at or above the trafficking presumption; -1 when none.
    public var traffickingSubstance: Int32

    public var eligible: Bool { failed.isEmpty }
}

/// A jurisdiction policy turned into tables indexed by the replayed contacts' codes, deciding what
/// `Eligibility.evaluate` decides for the police at the pre-trial stage without building a word of explanation.
public struct CompiledPolicy: Sendable {
    /// One substance of the contacts' vocabulary as this policy counts it.
    struct Substance: Sendable {
        var known: Bool
        var unit: UInt8
        /// Grams per unit of the policy unit; nil for counts.
        var grams: Double?
        var pure: Bool
        /// Purity assumed when untested (percent), already defaulted to 100.
        var assumedPurity: Double
        var threshold: Double
        /// threshold × traffickingMultiple, computed as `Eligibility` computes it.
        var presumption: Double
    }

    public let policy: JurisdictionPolicy
    /// Per offence index: 1 passes, 0 fails, -1 is not a category of this policy.
    let offences: [Int8]
    let substances: [Substance]
    /// Grams per unit, by `QuantityUnit.allCases` index; nil for counts.
    let unitGrams: [Double?]
    /// Circumstance bits this policy excludes.
    let exclusionMask: UInt8
    let convictionYears: Int?
    let limitCount: Int
    let limitYears: Int?
    let routeOpen: Bool
    /// The start of each look-back window for the days the contacts span, so no date arithmetic runs per contact.
    let windowFirstDay: Int32
    let convictionWindow: [Int32]
    let limitWindow: [Int32]

    /// Compiles `policy` for contacts that use `codes`; `days` is the span the window tables cover.
    public init(_ policy: JurisdictionPolicy, codes: ReplayCodes, days: ClosedRange<Int32>? = nil) {
        self.policy = policy
        offences = codes.offences.map { code in
            guard let category = policy.offenceCategories.first(where: { $0.code == code }) else { return -1 }
            return category.minor && category.nonViolent ? 1 : 0
        }
        unitGrams = QuantityUnit.allCases.map(\.grams)
        substances = codes.substances.map { code in
            guard let s = policy.substance(code) else {
                return Substance(known: false, unit: 0, grams: nil, pure: false, assumedPurity: 100, threshold: 0, presumption: 0)
            }
            return Substance(
                known: true, unit: UInt8(QuantityUnit.allCases.firstIndex(of: s.unit) ?? 0), grams: s.unit.grams, pure: s.basis == .pure,
                assumedPurity: s.assumedPurityPercent ?? 100, threshold: s.threshold, presumption: s.threshold * s.traffickingMultiple
            )
        }
        let e = policy.exclusions
        exclusionMask = UInt8(truncatingIfNeeded: FactEncoding.circumstances(ContactCircumstances(
            violence: e.violence, weapon: e.weapon, supplyToMinors: e.supplyToMinors, nearSchool: e.nearSchool, organisedCrime: e.organisedCrime
        )))
        convictionYears = e.priorSeriousConvictionYears
        limitCount = e.maxDiversions?.count ?? 0
        limitYears = e.maxDiversions?.years
        routeOpen = policy.routeRule(.police, .preTrial)?.diversion != nil
        // A span beyond about 300 years is a typing error in the data; those contacts compute their windows directly.
        if let days, days.upperBound - days.lowerBound < 110_000 {
            windowFirstDay = days.lowerBound
            let span = days.lowerBound...days.upperBound
            convictionWindow = convictionYears.map { years in span.map { Self.start(of: $0, years: years) } } ?? []
            limitWindow = limitYears.map { years in span.map { Self.start(of: $0, years: years) } } ?? []
        } else {
            windowFirstDay = 0
            convictionWindow = []
            limitWindow = []
        }
    }

    /// Compiles `policy` for `contacts`.
    public init(_ policy: JurisdictionPolicy, for contacts: ReplayContacts) {
        self.init(policy, codes: contacts.codes, days: contacts.firstDay...max(contacts.firstDay, contacts.lastDay))
    }

    /// The day `years` years before `day`: history after it and up to the contact counts (as `Eligibility` counts it).
    static func start(of day: Int32, years: Int) -> Int32 {
        Int32(clamping: CalendarDate(dayNumber: Int(day)).adding(years: -years).dayNumber)
    }

    @inline(__always)
    private func windowStart(_ table: [Int32], _ day: Int32, _ years: Int) -> Int32 {
        let i = Int(day) - Int(windowFirstDay)
        return i >= 0 && i < table.count ? table[i] : Self.start(of: day, years: years)
    }

    /// Decides `contact` with the days of the person's earlier diversions (ascending) as the history.
    /// Serious convictions come from the contact's record.
    @inline(__always)
    public func decide(_ contact: ReplayContact, in set: ReplayContacts, priorDiversions: [Int32]) -> ReplayDecision {
        var decision = ReplayDecision(failed: [], thresholdSubstance: -1, traffickingSubstance: -1)
        let unreadable = ReplayDecision(failed: .unreadable, thresholdSubstance: -1, traffickingSubstance: -1)
        if contact.malformed { return unreadable }
        let offence = Int(contact.offence)
        guard offence >= 0, offence < offences.count else { return unreadable }
        switch offences[offence] {
        case 1: break
        case 0: decision.failed.insert(.offence)
        default: return unreadable
        }
        var i = 0
        let count = Int(contact.seizureCount)
        while i < count {
            let seizure = set.seizure(i, of: contact)
            i += 1
            let index = Int(seizure.substance)
            guard index >= 0, index < substances.count else { return unreadable }
            let substance = substances[index]
            guard substance.known else { return unreadable }
            var amount = seizure.quantity
            if seizure.unit != substance.unit {
                // The same arithmetic as `QuantityUnit.convert`, so the comparison at the threshold is exact.
                guard let from = unitGrams[Int(seizure.unit)], let to = substance.grams else { return unreadable }
                amount = amount * from / to
            }
            if substance.pure {
                let purity = seizure.purity < 0 ? substance.assumedPurity : seizure.purity
                amount = amount * purity / 100
            }
            if !(amount <= substance.threshold) {
                if decision.thresholdSubstance < 0 { decision.thresholdSubstance = seizure.substance }
                decision.failed.insert(.threshold)
            }
            if !(amount < substance.presumption) {
                if decision.traffickingSubstance < 0 { decision.traffickingSubstance = seizure.substance }
                decision.failed.insert(.trafficking)
            }
        }
        let excluded = contact.circumstances & exclusionMask
        if excluded != 0 { decision.failed.formUnion(RuleSet(rawValue: UInt16(excluded) << 4)) }
        if let years = convictionYears, contact.convictionCount > 0 {
            let since = windowStart(convictionWindow, contact.day, years)
            let start = Int(contact.convictionsStart)
            for d in set.convictionDays[start..<start + Int(contact.convictionCount)] where d > since && d <= contact.day {
                decision.failed.insert(.priorSeriousConviction)
                break
            }
        }
        if let years = limitYears {
            let since = windowStart(limitWindow, contact.day, years)
            var recent = 0
            var j = priorDiversions.count - 1
            while j >= 0 && recent < limitCount {
                let d = priorDiversions[j]
                if d <= since { break }
                if d <= contact.day { recent += 1 }
                j -= 1
            }
            if recent >= limitCount { decision.failed.insert(.diversionLimit) }
        }
        if !routeOpen { decision.failed.insert(.route) }
        return decision
    }
}
