import Foundation

/// The legal stages at which an alternative can be chosen (Tokyo Rules).
public enum Stage: String, Sendable, CaseIterable, Codable {
    case preTrial = "pre_trial"
    case trial
    case sentencing
    case postSentencing = "post_sentencing"
}

/// The authorities that may choose a route.
public enum Authority: String, Sendable, CaseIterable, Codable {
    case police, prosecution, court
}

/// A jurisdiction's law, as a versioned document a legal officer can read: nothing about a
/// country's law is written into the code.
public struct JurisdictionPolicy: Sendable, Equatable, Codable {
    /// One controlled substance and its personal-use threshold.
    public struct Substance: Sendable, Equatable, Codable {
        public var code: String
        public var name: String
        public var unit: QuantityUnit
        public var threshold: Double
        public var basis: ThresholdBasis
        /// Purity assumed when a pure-basis substance was not tested (percent).
        public var assumedPurityPercent: Double?
        /// At or above this many times the threshold, possession is presumed to be for trafficking.
        public var traffickingMultiple: Double
        /// The name in other interface languages, by language code; `name` stays the jurisdiction's own wording.
        public var labels: [String: String]?

        public init(code: String, name: String, unit: QuantityUnit, threshold: Double, basis: ThresholdBasis, assumedPurityPercent: Double? = nil, traffickingMultiple: Double, labels: [String: String]? = nil) {
            self.code = code
            self.name = name
            self.labels = labels
            self.unit = unit
            self.threshold = threshold
            self.basis = basis
            self.assumedPurityPercent = assumedPurityPercent
            self.traffickingMultiple = traffickingMultiple
        }
    }

    /// A kind of offence and whether it may be diverted.
    public struct OffenceCategory: Sendable, Equatable, Codable {
        public var code: String
        public var name: String
        public var minor: Bool
        public var nonViolent: Bool
        /// The name in other interface languages, by language code; `name` stays the jurisdiction's own wording.
        public var labels: [String: String]?

        public init(code: String, name: String, minor: Bool, nonViolent: Bool, labels: [String: String]? = nil) {
            self.code = code
            self.name = name
            self.labels = labels
            self.minor = minor
            self.nonViolent = nonViolent
        }
    }

    /// Circumstances that rule diversion out.
    public struct Exclusions: Sendable, Equatable, Codable {
        public var violence: Bool
        public var weapon: Bool
        public var supplyToMinors: Bool
        public var nearSchool: Bool
        public var organisedCrime: Bool
        /// A prior serious conviction within this many years excludes; nil when it never does.
        public var priorSeriousConvictionYears: Int?
        /// More than `count` diversions within `years` excludes; nil when there is no limit.
        public var maxDiversions: DiversionLimit?

        public init(violence: Bool, weapon: Bool, supplyToMinors: Bool, nearSchool: Bool, organisedCrime: Bool, priorSeriousConvictionYears: Int? = nil, maxDiversions: DiversionLimit? = nil) {
            self.violence = violence
            self.weapon = weapon
            self.supplyToMinors = supplyToMinors
            self.nearSchool = nearSchool
            self.organisedCrime = organisedCrime
            self.priorSeriousConvictionYears = priorSeriousConvictionYears
            self.maxDiversions = maxDiversions
        }
    }

    public struct DiversionLimit: Sendable, Equatable, Codable {
        public var count: Int
        public var years: Int

        public init(count: Int, years: Int) {
            self.count = count
            self.years = years
        }
    }

    /// The routes one authority may use at one stage.
    public struct RouteRule: Sendable, Equatable, Codable {
        public var authority: Authority
        public var stage: Stage
        public var routes: [String]
        /// The route an eligible case takes; nil when this authority does not divert at this stage.
        public var diversion: String?
        /// Where a case goes when it is not eligible (for example to the prosecutor).
        public var otherwise: String?

        public init(authority: Authority, stage: Stage, routes: [String], diversion: String? = nil, otherwise: String? = nil) {
            self.authority = authority
            self.stage = stage
            self.routes = routes
            self.diversion = diversion
            self.otherwise = otherwise
        }
    }

    /// Which instrument screens adults and which screens minors.
    public struct Instruments: Sendable, Equatable, Codable {
        public var adults: ScreeningInstrument
        public var minors: ScreeningInstrument

        public init(adults: ScreeningInstrument, minors: ScreeningInstrument) {
            self.adults = adults
            self.minors = minors
        }
    }

    /// Quantities within this band of a threshold (percent) are near it; repeats raise an indicator.
    public struct Band: Sendable, Equatable, Codable {
        public var fromPercent: Double
        public var toPercent: Double

        public init(fromPercent: Double, toPercent: Double) {
            self.fromPercent = fromPercent
            self.toPercent = toPercent
        }
    }

    /// How long each step of the pathway may take before it is overdue.
    public struct TimeLimits: Sendable, Equatable, Codable {
        /// A sent referral should be accepted or declined within this many hours.
        public var referralAcceptHours: Int
        /// An accepted referral should reach intake within this many days.
        public var intakeDays: Int
        /// A contact's outcome (engagement, or the prosecutor's decision) is reviewed this many days after it.
        public var reviewDays: Int

        public static let standard = TimeLimits(referralAcceptHours: 48, intakeDays: 7, reviewDays: 30)

        public init(referralAcceptHours: Int, intakeDays: Int, reviewDays: Int) {
            self.referralAcceptHours = referralAcceptHours
            self.intakeDays = intakeDays
            self.reviewDays = reviewDays
        }
    }

    public var jurisdiction: String
    public var version: String
    public var effectiveDate: CalendarDate
    /// Set on policies that only illustrate a country's law, so nobody mistakes them for it.
    public var illustrative: Bool
    public var description: String?
    public var ageOfMajority: Int
    public var substances: [Substance]
    public var nearThresholdBand: Band
    public var offenceCategories: [OffenceCategory]
    public var exclusions: Exclusions
    public var routes: [RouteRule]
    public var instruments: Instruments
    /// At this many contacts within the diversion limit window, treatment becomes required (Mexico's third contact).
    public var treatmentRequiredFromContact: Int?
    public var timeLimits: TimeLimits = .standard
    /// Which measures each authority may order at each stage; the standard menu when the file states none.
    public var measures: [MeasureRule] = MeasureRule.standard
    /// How supervision works here: the local time zone, monitoring and the graduated-response matrix.
    public var supervision: Supervision = .standard
    /// What is different for minors.
    public var juvenile: JuvenileRules = .standard
    /// Whether a case that ends well is sealed from police and prosecution, and when.
    public var sealing: Sealing = .standard
    /// How long each kind of record keeps its personal data.
    public var retention: Retention = .standard
    /// How health data reaches justice agencies: the redisclosure notice and what shows without consent.
    public var disclosure: Disclosure = .standard
    /// How the evidence is counted and published: suppression, age bands, offence classes and costs.
    public var evidence: Evidence = .standard

    /// The rules for disclosing health data to justice agencies.
    public struct Disclosure: Sendable, Equatable, Codable {
        /// The notice every disclosure of health data carries: the recipient may not pass it on.
        public var redisclosureNotice: String
        /// Whether justice users see that a referral exists and its status without a consent.
        public var referralStatusWithoutConsent: Bool
        /// Whether a consent given for a court-ordered measure stays in force until the measure ends, revoked or not.
        public var courtOrderedConsentIrrevocable: Bool

        public static let standard = Disclosure(
            redisclosureNotice: "This information comes from health and social-service records and is disclosed under the person's consent or a court order. It may be used only for the stated purpose; do not pass it on, and do not use it in proceedings against the person unless the consent or order allows it.",
            referralStatusWithoutConsent: true, courtOrderedConsentIrrevocable: true
        )

        public init(redisclosureNotice: String, referralStatusWithoutConsent: Bool, courtOrderedConsentIrrevocable: Bool) {
            self.redisclosureNotice = redisclosureNotice
            self.referralStatusWithoutConsent = referralStatusWithoutConsent
            self.courtOrderedConsentIrrevocable = courtOrderedConsentIrrevocable
        }
    }

    /// The settings supervision officers work by.
    public struct Supervision: Sendable, Equatable, Codable {
        /// The IANA time zone test days, windows and curfews are read in unless a condition names its own.
        public var timeZone: String
        /// Minutes without a ping from a monitored device before a no-signal alert opens.
        public var noSignalMinutes: Int
        /// Behaviours by phase → suggested incentives, sanctions and treatment adjustments.
        public var responses: ResponseMatrix

        public static let standard = Supervision(timeZone: "UTC", noSignalMinutes: 30, responses: .standard)

        public init(timeZone: String, noSignalMinutes: Int, responses: ResponseMatrix) {
            self.timeZone = timeZone
            self.noSignalMinutes = noSignalMinutes
            self.responses = responses
        }
    }

    /// The juvenile rules: the measures minors may be given and whether a guardian must be contacted.
    public struct JuvenileRules: Sendable, Equatable, Codable {
        /// Measures a minor may be given; nil lets minors have any measure of the menu.
        public var allowed: [MeasureType]?
        /// Whether a decision on a minor must record the guardian who was contacted.
        public var guardianContactRequired: Bool

        public static let standard = JuvenileRules(allowed: nil, guardianContactRequired: true)

        public init(allowed: [MeasureType]?, guardianContactRequired: Bool) {
            self.allowed = allowed
            self.guardianContactRequired = guardianContactRequired
        }
    }

    public func substance(_ code: String) -> Substance? {
        substances.first { $0.code == code }
    }

    /// The routes of `authority` at `stage`, if the policy gives it any.
    public func routeRule(_ authority: Authority, _ stage: Stage) -> RouteRule? {
        routes.first { $0.authority == authority && $0.stage == stage }
    }

    public init(jurisdiction: String, version: String, effectiveDate: CalendarDate, illustrative: Bool, description: String? = nil, ageOfMajority: Int, substances: [Substance], nearThresholdBand: Band, offenceCategories: [OffenceCategory], exclusions: Exclusions, routes: [RouteRule], instruments: Instruments, treatmentRequiredFromContact: Int? = nil, timeLimits: TimeLimits = .standard, measures: [MeasureRule] = MeasureRule.standard, supervision: Supervision = .standard, juvenile: JuvenileRules = .standard,
                sealing: Sealing = .standard, retention: Retention = .standard) {
        self.jurisdiction = jurisdiction
        self.version = version
        self.effectiveDate = effectiveDate
        self.illustrative = illustrative
        self.description = description
        self.ageOfMajority = ageOfMajority
        self.substances = substances
        self.nearThresholdBand = nearThresholdBand
        self.offenceCategories = offenceCategories
        self.exclusions = exclusions
        self.routes = routes
        self.instruments = instruments
        self.treatmentRequiredFromContact = treatmentRequiredFromContact
        self.timeLimits = timeLimits
        self.measures = measures
        self.supervision = supervision
        self.juvenile = juvenile
        self.sealing = sealing
        self.retention = retention
    }
}
