import DiversionCore
import Foundation

/// Dates, times, numbers, percentages and money written the way one interface language writes them.
///
/// Pages use it for what they show; form values (`type=date`, `datetime-local`) and exports stay ISO 8601
/// and plain decimals, because machines and inputs read those.
struct LocaleFormat: Sendable {
    /// The interface language, one of `Localizer.supported`.
    let language: String
    let locale: Locale

    init(_ language: String) {
        self.language = language
        self.locale = Locale(identifier: Self.identifier(language))
    }

    /// The ICU locale for an interface language.
    ///
    /// Arabic uses Latin digits (`ar-u-nu-latn`): codes, case numbers and amounts are typed into the forms in
    /// Latin digits and printed on call-in slips that way, so the figures a person reads match the ones they type.
    /// Naming the numbering system also keeps output the same on ICU versions whose plain `ar` default differs.
    static func identifier(_ language: String) -> String {
        switch language {
        case "ar": "ar-u-nu-latn"
        case "zh": "zh-Hans"
        default: language
        }
    }

    /// A calendar day: "24 Nov 2025", "24 нояб. 2025 г.", "2025年11月24日".
    func date(_ day: CalendarDate) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        guard let instant = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day)) else {
            return day.description
        }
        return date(instant, timeZone: .gmt)
    }

    /// A month of a year, as a period label: "Mar 2026", "mars 2026", "2026年3月".
    func month(year: Int, month: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        guard let instant = calendar.date(from: DateComponents(year: year, month: month, day: 1)) else { return "\(year)-\(month)" }
        return instant.formatted(Date.FormatStyle(locale: locale, calendar: gregorian, timeZone: .gmt).month(.abbreviated).year())
    }

    /// The calendar day of an instant in `timeZone`.
    func date(_ instant: Date, timeZone: TimeZone = .gmt) -> String {
        instant.formatted(Date.FormatStyle(date: .abbreviated, time: .omitted, locale: locale, calendar: gregorian, timeZone: timeZone))
    }

    /// Day, hours and minutes of an instant in `timeZone`, followed by the zone so a reader knows which clock.
    func dateTime(_ instant: Date?, timeZone: TimeZone = .gmt) -> String {
        guard let instant else { return "" }
        let text = instant.formatted(
            Date.FormatStyle(date: .abbreviated, time: .shortened, locale: locale, calendar: gregorian, timeZone: timeZone))
        // The zone name is an identifier, kept left-to-right inside Arabic text.
        let zone = timeZone == .gmt ? "UTC" : timeZone.identifier
        return text + " " + (language == "ar" ? "\u{2066}\(zone)\u{2069}" : zone)
    }

    /// A time of day, hours and minutes, in `timeZone`.
    func time(_ instant: Date, timeZone: TimeZone = .gmt) -> String {
        instant.formatted(Date.FormatStyle(date: .omitted, time: .shortened, locale: locale, calendar: gregorian, timeZone: timeZone))
    }

    /// A number with the language's grouping and decimal marks and at most `maxFractionDigits` decimals.
    func number(_ value: Double, maxFractionDigits: Int = 2) -> String {
        guard value.isFinite else { return "" }
        return value.formatted(.number.locale(locale).precision(.fractionLength(0...maxFractionDigits)))
    }

    /// An exact decimal (hours, amounts without a currency).
    func number(_ value: Decimal, maxFractionDigits: Int = 2) -> String {
        value.formatted(.number.locale(locale).precision(.fractionLength(0...maxFractionDigits)))
    }

    /// A whole count.
    func number(_ value: Int) -> String {
        value.formatted(.number.locale(locale))
    }

    /// A share given as a fraction (0.256 → "25.6%", "25,6 %").
    func percent(_ fraction: Double, maxFractionDigits: Int = 1) -> String {
        guard fraction.isFinite else { return "" }
        return fraction.formatted(.percent.locale(locale).precision(.fractionLength(0...maxFractionDigits)))
    }

    /// An amount of money in an ISO 4217 currency; an unknown or empty code falls back to the number and the code.
    func money(_ amount: Decimal, currency: String) -> String {
        let code = currency.trimmingCharacters(in: .whitespaces).uppercased()
        guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            return code.isEmpty ? number(amount) : number(amount) + " " + code
        }
        return amount.formatted(.currency(code: code).locale(locale))
    }

    /// An arrow pointing the way the language reads, for "this led to that" in running text.
    var arrow: String { Localizer.direction(language) == "rtl" ? "←" : "→" }

    private var gregorian: Calendar { Calendar(identifier: .gregorian) }
}
