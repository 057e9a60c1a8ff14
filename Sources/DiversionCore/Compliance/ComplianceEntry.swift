import Foundation

/// What a compliance entry records.
public enum ComplianceKind: String, Sendable, CaseIterable, Codable {
    case communityService = "community_service"
    case payment
    case appointment
    case report
}

/// Whether the person came: on time, late, or not at all.
public enum Attendance: String, Sendable, CaseIterable, Codable {
    case attended, late, missed

    /// Late still counts as attended for rates; only a missed one does not.
    public var came: Bool { self != .missed }
}

/// Community service worked on one day.
public struct ServiceHours: Sendable, Equatable, Codable {
    public var hours: Decimal
    public var site: String
    /// Who at the site confirmed the hours.
    public var verifiedBy: String

    public init(hours: Decimal, site: String, verifiedBy: String) {
        self.hours = hours
        self.site = site
        self.verifiedBy = verifiedBy
    }
}

/// Money paid towards a fine, restitution or costs.
public struct PaymentMade: Sendable, Equatable, Codable {
    public var amount: Decimal
    /// ISO 4217, the same as the measure's payment condition.
    public var currency: String

    public init(amount: Decimal, currency: String) {
        self.amount = amount
        self.currency = currency
    }
}

/// An appointment (treatment session, education class, court review) and whether the person came.
public struct AppointmentKept: Sendable, Equatable, Codable {
    public var at: Date
    /// The kind of appointment or the service that held it.
    public var service: String
    public var attendance: Attendance
    public var note: String

    public init(at: Date, service: String, attendance: Attendance, note: String) {
        self.at = at
        self.service = service
        self.attendance = attendance
        self.note = note
    }
}

/// A report to the supervising officer, made or missed.
public struct OfficerReport: Sendable, Equatable, Codable {
    public var officer: String
    /// Attended or missed; a report is not "late".
    public var attendance: Attendance

    public init(officer: String, attendance: Attendance) {
        self.officer = officer
        self.attendance = attendance
    }
}

/// One fact of compliance with a measure's conditions, as a supervision officer or provider recorded it.
public struct ComplianceEntry: Sendable, Equatable, Identifiable {
    /// The kind-specific part of an entry.
    public enum Detail: Sendable, Equatable {
        case communityService(ServiceHours)
        case payment(PaymentMade)
        case appointment(AppointmentKept)
        case report(OfficerReport)

        public var kind: ComplianceKind {
            switch self {
            case .communityService: .communityService
            case .payment: .payment
            case .appointment: .appointment
            case .report: .report
            }
        }

        /// The detail as the JSON stored beside the entry.
        public func payload() throws -> Data {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            encoder.dateEncodingStrategy = .iso8601
            switch self {
            case .communityService(let v): return try encoder.encode(v)
            case .payment(let v): return try encoder.encode(v)
            case .appointment(let v): return try encoder.encode(v)
            case .report(let v): return try encoder.encode(v)
            }
        }

        /// Reads a stored detail of `kind`.
        public init(kind: ComplianceKind, payload: Data) throws {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            switch kind {
            case .communityService: self = .communityService(try decoder.decode(ServiceHours.self, from: payload))
            case .payment: self = .payment(try decoder.decode(PaymentMade.self, from: payload))
            case .appointment: self = .appointment(try decoder.decode(AppointmentKept.self, from: payload))
            case .report: self = .report(try decoder.decode(OfficerReport.self, from: payload))
            }
        }
    }

    public var id: UUID
    public var measureID: UUID
    public var personID: UUID
    /// The day it happened, in the jurisdiction's time zone.
    public var date: CalendarDate
    public var detail: Detail
    public var recordedByName: String
    /// The agency that recorded it: an appointment a health provider records is health data (attendance).
    public var recordedByAgencyID: UUID?
    public var recordedByAgencyType: AgencyType?
    public var recordedAt: Date

    public init(id: UUID, measureID: UUID, personID: UUID, date: CalendarDate, detail: Detail, recordedByName: String,
                recordedByAgencyID: UUID? = nil, recordedByAgencyType: AgencyType? = nil, recordedAt: Date) {
        self.id = id
        self.measureID = measureID
        self.personID = personID
        self.date = date
        self.detail = detail
        self.recordedByName = recordedByName
        self.recordedByAgencyID = recordedByAgencyID
        self.recordedByAgencyType = recordedByAgencyType
        self.recordedAt = recordedAt
    }

    /// What the entry is, for disclosure: attendance at a health or social service is health data; the rest is compliance.
    public var category: DataCategory {
        if case .appointment = detail, recordedByAgencyType?.runsServices == true { return .attendance }
        return .compliance
    }

    public var kind: ComplianceKind { detail.kind }
}

/// A compliance entry as submitted, every field text, so the checks can name each wrong one.
public struct ComplianceInput: Sendable, Equatable {
    public var kind: String?
    public var date: String?
    /// Appointments: the date and time, ISO 8601 (or a form's YYYY-MM-DDTHH:MM, read in the jurisdiction's time zone).
    public var at: String?
    public var hours: String?
    public var site: String?
    public var verifiedBy: String?
    public var amount: String?
    public var currency: String?
    public var service: String?
    public var attendance: String?
    public var note: String?
    public var officer: String?

    public init(
        kind: String? = nil, date: String? = nil, at: String? = nil, hours: String? = nil, site: String? = nil, verifiedBy: String? = nil,
        amount: String? = nil, currency: String? = nil, service: String? = nil, attendance: String? = nil, note: String? = nil, officer: String? = nil
    ) {
        self.kind = kind
        self.date = date
        self.at = at
        self.hours = hours
        self.site = site
        self.verifiedBy = verifiedBy
        self.amount = amount
        self.currency = currency
        self.service = service
        self.attendance = attendance
        self.note = note
        self.officer = officer
    }

    public static let maxHoursPerEntry: Decimal = 24
    public static let maxAmount: Decimal = 10_000_000
    public static let maxTextLength = 200
    public static let maxNoteLength = 2000

    /// Checks the input against `measure` on `today` (in `timeZone`), naming each wrong field; returns the entry's day and detail.
    ///
    /// Hours and payments need a condition of their kind on the measure; appointments and reports may be kept on any measure.
    public func check(for measure: MeasureRecord, today: CalendarDate, now: Date, timeZone: TimeZone) throws(ValidationFailure) -> (CalendarDate, ComplianceEntry.Detail) {
        var errors = FieldErrors()
        guard let kind = kind.flatMap({ ComplianceKind(rawValue: $0.trimmingCharacters(in: .whitespaces)) }) else {
            throw ValidationFailure([FieldError("kind", "Use one of \(ComplianceKind.allCases.map(\.rawValue).joined(separator: ", ")).")])
        }

        func text(_ value: String?, _ field: String, _ missing: String, required: Bool = true, max: Int = ComplianceInput.maxTextLength) -> String {
            let t = value?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if t.isEmpty {
                if required { errors.add(field, missing) }
            } else if t.count > max || t.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) && $0 != "\n" }) {
                errors.add(field, "Keep it to \(max) printable characters.")
            }
            return t
        }
        func day(_ value: String?) -> CalendarDate? {
            guard let d = value.flatMap({ CalendarDate($0.trimmingCharacters(in: .whitespaces)) }) else {
                errors.add("date", "Write the date as YYYY-MM-DD.")
                return nil
            }
            checkDay(d, "date")
            return d
        }
        func checkDay(_ d: CalendarDate, _ field: String) {
            if d < measure.start { errors.add(field, "This is before the measure started (\(measure.start)).") }
            if d > today { errors.add(field, "This is in the future; record it once it has happened.") }
        }
        func decimal(_ value: String?, _ field: String, _ missing: String) -> Decimal? {
            let t = value?.trimmingCharacters(in: .whitespaces) ?? ""
            guard !t.isEmpty else { errors.add(field, missing); return nil }
            guard let d = Self.decimal(t) else { errors.add(field, "Give a number such as 2.5, with at most two decimals."); return nil }
            return d
        }
        func readAttendance(_ allowed: [Attendance]) -> Attendance? {
            let t = self.attendance?.trimmingCharacters(in: .whitespaces) ?? ""
            guard let a = Attendance(rawValue: t), allowed.contains(a) else {
                errors.add("attendance", "Use one of \(allowed.map(\.rawValue).joined(separator: ", ")).")
                return nil
            }
            return a
        }

        switch kind {
        case .communityService:
            if measure.conditions(.communityService).isEmpty {
                errors.add("kind", "This measure has no community service condition, so it has no hours to record.")
            }
            let d = day(self.date)
            let hours = decimal(self.hours, "hours", "Give the hours worked, such as 4 or 2.5.")
            if let hours, !(hours > 0 && hours <= Self.maxHoursPerEntry) {
                errors.add("hours", "Give more than 0 and at most 24 hours for one day; record other days as their own entries.")
            }
            let site = text(self.site, "site", "Name the site where the hours were worked.")
            let verifiedBy = text(self.verifiedBy, "verifiedBy", "Name who at the site confirmed the hours.")
            try errors.throwIfAny()
            guard let d, let hours else { throw ValidationFailure(errors.all) }
            return (d, .communityService(ServiceHours(hours: hours, site: site, verifiedBy: verifiedBy)))
        case .payment:
            let conditions = measure.conditions(.payment)
            let d = day(self.date)
            let amount = decimal(self.amount, "amount", "Give the amount paid, such as 50 or 12.50.")
            if let amount, !(amount > 0 && amount <= Self.maxAmount) { errors.add("amount", "Give an amount above 0.") }
            let currency = (self.currency?.trimmingCharacters(in: .whitespaces) ?? "").uppercased()
            let expected = conditions.compactMap { c -> String? in if case .string(let s)? = c.parameters["currency"] { s } else { nil } }
            if conditions.isEmpty {
                errors.add("kind", "This measure has no payment condition, so it has nothing to pay.")
            } else if currency.isEmpty {
                errors.add("currency", "Give the currency, \(expected.first ?? "an ISO 4217 code").")
            } else if !(currency.count == 3 && currency.allSatisfy { $0.isASCII && $0.isLetter }) {
                errors.add("currency", "Use an ISO 4217 code such as \(expected.first ?? "EUR").")
            } else if !expected.contains(currency) {
                errors.add("currency", "The measure's payment is in \(expected.joined(separator: " or ")), not \(currency).")
            }
            try errors.throwIfAny()
            guard let d, let amount else { throw ValidationFailure(errors.all) }
            return (d, .payment(PaymentMade(amount: amount, currency: currency)))
        case .appointment:
            var instant: Date?
            if let a = at?.trimmingCharacters(in: .whitespaces), !a.isEmpty {
                instant = Self.instant(a, timeZone: timeZone)
                if instant == nil { errors.add("at", "Write the date and time as ISO 8601, such as 2026-11-20T10:00:00Z.") }
            } else {
                errors.add("at", "Give the date and time of the appointment.")
            }
            var d: CalendarDate?
            if let instant {
                let local = Self.localDate(of: instant, in: timeZone)
                d = local
                if local < measure.start { errors.add("at", "This is before the measure started (\(measure.start)).") }
                if instant > now.addingTimeInterval(300) { errors.add("at", "This is in the future; record attendance once the appointment has happened.") }
            }
            let service = text(self.service, "service", "Say what the appointment was, such as a treatment session or a court review.")
            let attendance = readAttendance([.attended, .late, .missed])
            let note = text(self.note, "note", "", required: false, max: Self.maxNoteLength)
            try errors.throwIfAny()
            guard let d, let instant, let attendance else { throw ValidationFailure(errors.all) }
            return (d, .appointment(AppointmentKept(at: instant, service: service, attendance: attendance, note: note)))
        case .report:
            let d = day(self.date)
            let officer = text(self.officer, "officer", "Name the officer the person reported to.")
            let attendance = readAttendance([.attended, .missed])
            try errors.throwIfAny()
            guard let d, let attendance else { throw ValidationFailure(errors.all) }
            return (d, .report(OfficerReport(officer: officer, attendance: attendance)))
        }
    }

    /// A plain decimal with at most two decimals ("2", "2.5", "12.50"); no exponent, sign or grouping.
    public static func decimal(_ text: String) -> Decimal? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty, whole.count <= 12, whole.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if parts.count == 2 {
            let fraction = parts[1]
            guard (1...2).contains(fraction.count), fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// An ISO 8601 instant, or a form's local YYYY-MM-DDTHH:MM read in `timeZone`.
    public static func instant(_ text: String, timeZone: TimeZone) -> Date? {
        if let d = try? Date(text, strategy: .iso8601) { return d }
        let parts = text.split(separator: "T")
        guard parts.count == 2, let day = CalendarDate(String(parts[0])), let time = LocalTime(String(parts[1].prefix(5))),
              parts[1].count == 5 || (parts[1].count == 8 && parts[1].hasSuffix(":00"))
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: time.hour, minute: time.minute))
    }

    /// The calendar date of `instant` where the measure is supervised.
    public static func localDate(of instant: Date, in timeZone: TimeZone) -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        return CalendarDate(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1)
    }
}
