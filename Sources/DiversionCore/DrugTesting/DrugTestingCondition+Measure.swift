import Foundation

extension DrugTestingCondition {
    /// When the window opens if the order does not say.
    public static let defaultWindowStart = "07:00"

    /// How long a condition runs when the measure has no planned end.
    public static let defaultYears = 1

    /// Why a window opening at `start` for `hours` cannot be used, or nil: it must close by midnight of the test day.
    public static func midnightProblem(start: LocalTime, hours: Int) -> String? {
        let opening = start.hour * 60 + start.minute
        guard opening + hours * 60 > 24 * 60 else { return nil }
        let most = (24 * 60 - opening) / 60
        let text = String(format: "%02d:%02d", start.hour, start.minute)
        return most >= 1
            ? "The window must close by midnight of the test day; opening at \(text) it lasts at most \(most) hour\(most == 1 ? "" : "s")."
            : "The window must close by midnight of the test day; open it at 23:00 or earlier."
    }

    /// The testing condition a measure's `drug_testing` condition orders, read from its parameters.
    ///
    /// `windowStart` defaults to 07:00 and `timeZone` to the jurisdiction's. The condition runs from the measure's
    /// start to its planned end, or for a year when there is none, and never longer than `longestDays`, which
    /// bounds the plan drawn from it. Every problem is named under `parameters.<name>`, the way `Condition.check`
    /// names them, so a condition that passed the check always converts.
    public static func ordered(
        by condition: Condition, start: CalendarDate, plannedEnd: CalendarDate?, defaultTimeZone: String
    ) throws(ValidationFailure) -> DrugTestingCondition {
        var reader = ParameterReader(parameters: condition.parameters, path: "parameters", errors: FieldErrors())
        guard condition.type == .drugTesting else {
            throw ValidationFailure([FieldError("type", "Only a drug_testing condition orders random drug tests.")])
        }
        let minimum = reader.integer("minimumPerWeek", 1...7, required: true)
        let hours = reader.integer("windowHours", 1...24, required: true)
        var specimen: DrugTestSpecimen?
        if let text = reader.text("specimen", required: true) {
            specimen = DrugTestSpecimen(rawValue: text)
            if specimen == nil { reader.add("specimen", "Use one of \(DrugTestSpecimen.allCases.map(\.rawValue).joined(separator: ", ")).") }
        }
        var opening = LocalTime(defaultWindowStart)
        if let text = reader.text("windowStart", required: false) {
            opening = LocalTime(text)
            if opening == nil { reader.add("windowStart", "Write a time as HH:MM, such as 07:00.") }
        }
        let zone = reader.text("timeZone", required: false) ?? defaultTimeZone
        if TimeZone(identifier: zone) == nil { reader.add("timeZone", "'\(zone.prefix(40))' is not a time zone; use an IANA name such as Europe/Lisbon.") }
        if let hours, let opening, let problem = midnightProblem(start: opening, hours: hours) {
            reader.add("windowHours", problem)
        }
        try reader.errors.throwIfAny()
        guard let minimum, let hours, let specimen, let opening else { throw ValidationFailure(reader.errors.all) }

        let longest = start.adding(days: longestDays - 1)
        let end = min(plannedEnd ?? start.adding(years: defaultYears), longest)
        let ordered = DrugTestingCondition(
            minimumPerWeek: minimum, window: CollectionWindow(startHour: opening.hour, startMinute: opening.minute, hours: hours),
            specimen: specimen, timeZoneID: zone, startDate: start, endDate: end
        )
        try ordered.validate()
        return ordered
    }
}
