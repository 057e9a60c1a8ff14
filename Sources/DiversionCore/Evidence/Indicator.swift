import Foundation

/// A way to cut an indicator: one column of the published table.
public enum EvidenceDimension: String, Sendable, Codable, CaseIterable {
    case sex
    case ageGroup = "age_group"
    case region
    case substance
    case stage
    case measureType = "measure_type"
    case nationality
    /// ICCS class of the offence: possession for personal use, trafficking, other.
    case offence
    /// Diverted or not: the comparison every outcome indicator invites.
    case pathway
    /// Diverted, eligible but not diverted (the comparison group), or not eligible.
    case comparison
    case month, quarter, year

    public var isPeriod: Bool { self == .month || self == .quarter || self == .year }

    /// Parses `by=sex,age_group,month`, naming what is wrong; at most one period and no repeats.
    public static func parse(_ text: String?) throws(ValidationFailure) -> [EvidenceDimension] {
        var errors = FieldErrors()
        var out: [EvidenceDimension] = []
        let parts = (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for part in parts {
            guard let d = EvidenceDimension(rawValue: part) else {
                errors.add("by", "'\(part)' is not a dimension; use any of \(allCases.map(\.rawValue).joined(separator: ", ")).")
                continue
            }
            if out.contains(d) { errors.add("by", "'\(part)' is given twice.") }
            out.append(d)
        }
        if out.filter(\.isPeriod).count > 1 { errors.add("by", "Give at most one of month, quarter and year.") }
        if out.count > 6 { errors.add("by", "Cut by at most 6 dimensions at once.") }
        try errors.throwIfAny()
        return out
    }
}

/// How an indicator's value is formed from its numerator and denominator.
public enum IndicatorKind: String, Sendable, Codable {
    /// A count of contacts or people; the value is the numerator.
    case count
    /// A percentage: numerator out of denominator.
    case percent
    /// A ratio such as incentives per sanction.
    case ratio
    /// A median number of days.
    case medianDays = "median_days"
    /// Days summed over contacts.
    case days
    /// Money in the policy's currency (may be negative).
    case money
    /// A survival curve: time to an event, with censoring.
    case survival
}

/// What the numerator or denominator of an indicator adds up, one value per contact (or test).
public enum FactQuantity: String, Sendable, Codable {
    case contacts, persons, screened, eligible, diverted
    case referralSent = "referral_sent", referralAccepted = "referral_accepted", referralEngaged = "referral_engaged"
    case intakes
    case retained30 = "retained_30", observable30 = "observable_30", retained90 = "retained_90", observable90 = "observable_90"
    case measures, measuresEnded = "measures_ended", measuresCompleted = "measures_completed"
    case incentives, sanctions
    case testsGiven = "tests_given", testsNegative = "tests_negative"
    case reoffended6 = "reoffended_6", followed6 = "followed_6", reoffended12 = "reoffended_12", followed12 = "followed_12"
    case reoffended24 = "reoffended_24", followed24 = "followed_24"
    case tested, relapsed
    case custodyDaysAvoided = "custody_days_avoided"
    case costDifference = "cost_difference"
    /// Days from contact to intake, for medians.
    case daysToIntake = "days_to_intake"
}

/// The table an indicator is counted from.
public enum FactTable: String, Sendable, Codable {
    case contacts, tests
}

/// One indicator of the catalogue, with the definition shown on its page.
public struct Indicator: Sendable, Equatable, Codable, Identifiable {
    public var code: String
    public var title: String
    public var definition: String
    public var kind: IndicatorKind
    public var table: FactTable
    public var numerator: FactQuantity
    public var denominator: FactQuantity?
    /// Restricts the counted contacts (for example to possession for personal use).
    public var only: EvidenceDimension?
    public var onlyValue: String?

    public var id: String { code }

    public init(code: String, title: String, definition: String, kind: IndicatorKind, table: FactTable = .contacts, numerator: FactQuantity, denominator: FactQuantity? = nil, only: EvidenceDimension? = nil, onlyValue: String? = nil) {
        self.code = code
        self.title = title
        self.definition = definition
        self.kind = kind
        self.table = table
        self.numerator = numerator
        self.denominator = denominator
        self.only = only
        self.onlyValue = onlyValue
    }
}

/// Every indicator Diversion publishes, in the order of the pathway.
public enum IndicatorCatalogue {
    public static let all: [Indicator] = [
        Indicator(code: "people_in_contact", title: "People in contact for drug offences",
                  definition: "Distinct people with at least one recorded contact for a drug offence in the period. Cut by offence to separate possession for personal use (ICCS 06011) from trafficking (ICCS 06012).",
                  kind: .count, numerator: .persons),
        Indicator(code: "contacts", title: "Contacts for drug offences",
                  definition: "Recorded contacts for a drug offence in the period; one person may have several.",
                  kind: .count, numerator: .contacts),
        Indicator(code: "screened_share", title: "Share screened",
                  definition: "Contacts whose person was screened with a validated instrument within 30 days after the contact, out of all contacts.",
                  kind: .percent, numerator: .screened, denominator: .contacts),
        Indicator(code: "eligible_share", title: "Share eligible",
                  definition: "Contacts the policy found eligible for an alternative, out of all contacts.",
                  kind: .percent, numerator: .eligible, denominator: .contacts),
        Indicator(code: "diverted_share", title: "Share diverted",
                  definition: "Contacts diverted by the officer or followed by an alternative measure, out of all contacts.",
                  kind: .percent, numerator: .diverted, denominator: .contacts),
        Indicator(code: "referrals_sent", title: "Referrals sent",
                  definition: "Contacts from which a referral to a treatment or social service was sent.",
                  kind: .count, numerator: .referralSent),
        Indicator(code: "referrals_accepted", title: "Referrals accepted",
                  definition: "Referrals the receiving service accepted, out of referrals sent.",
                  kind: .percent, numerator: .referralAccepted, denominator: .referralSent),
        Indicator(code: "referrals_engaged", title: "Referrals engaged",
                  definition: "Referrals where the person attended intake and engaged with the service, out of referrals sent.",
                  kind: .percent, numerator: .referralEngaged, denominator: .referralSent),
        Indicator(code: "days_to_intake", title: "Median days from contact to intake",
                  definition: "The median number of days between the contact and the intake at the service, among contacts that reached intake.",
                  kind: .medianDays, numerator: .daysToIntake, denominator: .intakes),
        Indicator(code: "retention_30", title: "Retention at 30 days",
                  definition: "People still in treatment 30 days after intake (not disengaged or withdrawn), out of those whose intake was at least 30 days before the end of follow-up.",
                  kind: .percent, numerator: .retained30, denominator: .observable30),
        Indicator(code: "retention_90", title: "Retention at 90 days",
                  definition: "People still in treatment 90 days after intake, out of those whose intake was at least 90 days before the end of follow-up.",
                  kind: .percent, numerator: .retained90, denominator: .observable90),
        Indicator(code: "completion_rate", title: "Completion rate",
                  definition: "Measures that ended as completed, out of measures that ended (completed, revoked, terminated, absconded, transferred or died).",
                  kind: .percent, numerator: .measuresCompleted, denominator: .measuresEnded),
        Indicator(code: "measures", title: "Measures by type and stage",
                  definition: "Contacts followed by an alternative measure; cut by measure type and stage.",
                  kind: .count, numerator: .measures),
        Indicator(code: "incentive_sanction_ratio", title: "Incentive-to-sanction ratio",
                  definition: "Incentives recorded per sanction recorded in supervision; treatment courts aim at 4 or more.",
                  kind: .ratio, numerator: .incentives, denominator: .sanctions),
        Indicator(code: "negative_tests", title: "Share of negative tests",
                  definition: "Drug tests with a negative result, out of tests given (missed and excused tests are not given), by the month of the test.",
                  kind: .percent, table: .tests, numerator: .testsNegative, denominator: .testsGiven),
        Indicator(code: "recidivism_6", title: "Recidivism at 6 months",
                  definition: "Contacts followed by a new recorded contact for an offence of the same person within 183 days, out of contacts followed up for at least 183 days.",
                  kind: .percent, numerator: .reoffended6, denominator: .followed6),
        Indicator(code: "recidivism_12", title: "Recidivism at 12 months",
                  definition: "Contacts followed by a new recorded contact of the same person within 365 days, out of contacts followed up for at least 365 days.",
                  kind: .percent, numerator: .reoffended12, denominator: .followed12),
        Indicator(code: "recidivism_24", title: "Recidivism at 24 months",
                  definition: "Contacts followed by a new recorded contact of the same person within 730 days, out of contacts followed up for at least 730 days.",
                  kind: .percent, numerator: .reoffended24, denominator: .followed24),
        Indicator(code: "relapse", title: "Relapse",
                  definition: "People in testing whose first positive test came after the policy's run of negative tests, out of people tested.",
                  kind: .percent, numerator: .relapsed, denominator: .tested),
        Indicator(code: "time_to_reoffence", title: "Time to a new offence",
                  definition: "Kaplan–Meier estimate of the share without a new recorded contact, by days since the contact; people without one are censored at the end of follow-up.",
                  kind: .survival, numerator: .reoffended24, denominator: .contacts),
        Indicator(code: "time_to_relapse", title: "Time to relapse",
                  definition: "Kaplan–Meier estimate of the share without relapse, by days since testing began; people without one are censored at their last test.",
                  kind: .survival, numerator: .relapsed, denominator: .tested),
        Indicator(code: "custody_days_avoided", title: "Custody days avoided",
                  definition: "For each diverted contact, the custody days a case of its offence category would typically have received (policy assumption).",
                  kind: .days, numerator: .custodyDaysAvoided),
        Indicator(code: "cost_difference", title: "Cost difference",
                  definition: "Custody avoided times the daily prison cost, minus the days of the alternative measure times its daily cost and the days in treatment times the modality's daily cost. Positive figures are savings.",
                  kind: .money, numerator: .costDifference),
    ]

    public static func named(_ code: String) -> Indicator? { all.first { $0.code == code } }
}
