import Foundation

/// What a measure asks of the person.
public enum ConditionType: String, Sendable, CaseIterable, Codable {
    case attendTreatment = "attend_treatment"
    case drugTesting = "drug_testing"
    case communityService = "community_service"
    case payment
    case curfew
    case exclusionZone = "exclusion_zone"
    case inclusionZone = "inclusion_zone"
    case reportToOfficer = "report_to_officer"
    case educationProgramme = "education_programme"
    case noContact = "no_contact"
}

/// One condition of a measure, with its parameters as submitted (checked per type).
public struct Condition: Sendable, Equatable, Codable {
    public var type: ConditionType
    public var parameters: [String: AnswerValue]

    public init(type: ConditionType, parameters: [String: AnswerValue]) {
        self.type = type
        self.parameters = parameters
    }

    /// The specimens a test can collect.
    public static let specimens = ["urine", "oral_fluid", "sweat_patch", "breath", "hair", "blood"]

    /// Checks the parameters this type needs, naming each problem under `path`.
    public func check(_ path: String, start: CalendarDate, plannedEnd: CalendarDate?, into errors: inout FieldErrors) {
        var reader = ParameterReader(parameters: parameters, path: path, errors: errors)
        switch type {
        case .attendTreatment:
            reader.allow(["serviceId", "sessionsPerWeek"])
            _ = reader.integer("sessionsPerWeek", 1...14, required: true)
            if let id = reader.text("serviceId", required: false), UUID(uuidString: id) == nil {
                reader.add("serviceId", "A service id is a UUID from GET /api/v1/services.")
            }
        case .drugTesting:
            reader.allow(["minimumPerWeek", "windowHours", "specimen", "windowStart", "timeZone"])
            _ = reader.integer("minimumPerWeek", 1...7, required: true)
            let hours = reader.integer("windowHours", 1...24, required: true)
            if let s = reader.text("specimen", required: true), !Self.specimens.contains(s) {
                reader.add("specimen", "Use one of \(Self.specimens.joined(separator: ", ")).")
            }
            let opening = reader.text("windowStart", required: false)
            if let t = opening, LocalTime(t) == nil { reader.add("windowStart", "Write a time as HH:MM, such as 07:00.") }
            // A window belongs to one day, so "is today a test day" has one answer (see DrugTestingCondition.validate).
            if let hours, let start = LocalTime(opening ?? DrugTestingCondition.defaultWindowStart), let problem = DrugTestingCondition.midnightProblem(start: start, hours: hours) {
                reader.add("windowHours", problem)
            }
            if let z = reader.text("timeZone", required: false), TimeZone(identifier: z) == nil { reader.add("timeZone", "Use an IANA time zone such as Europe/Lisbon.") }
        case .communityService:
            reader.allow(["hours", "deadline"])
            _ = reader.integer("hours", 1...1000, required: true)
            if let d = reader.text("deadline", required: true) {
                if let date = CalendarDate(d) {
                    if date < start { reader.add("deadline", "The deadline is before the measure starts (\(start)).") }
                } else {
                    reader.add("deadline", "Write the deadline as YYYY-MM-DD.")
                }
            }
        case .payment:
            reader.allow(["amount", "currency", "instalments"])
            if let amount = reader.number("amount", required: true), !(amount > 0 && amount <= 10_000_000) {
                reader.add("amount", "Give an amount above 0.")
            }
            if let c = reader.text("currency", required: true), !(c.count == 3 && c.allSatisfy { $0.isASCII && $0.isUppercase }) {
                reader.add("currency", "Use an ISO 4217 code such as EUR or MXN.")
            }
            _ = reader.integer("instalments", 1...120, required: false)
        case .curfew:
            reader.allow(["place", "latitude", "longitude", "radiusMeters", "start", "end", "days", "timeZone"])
            _ = reader.text("place", required: true)
            if let lat = reader.number("latitude", required: true), !(-90...90).contains(lat) { reader.add("latitude", "A latitude is from -90 to 90.") }
            if let lon = reader.number("longitude", required: true), !(-180...180).contains(lon) { reader.add("longitude", "A longitude is from -180 to 180.") }
            if let r = reader.number("radiusMeters", required: true), !(r >= 10 && r <= 5000) { reader.add("radiusMeters", "Give a radius from 10 to 5000 metres.") }
            for key in ["start", "end"] {
                if let t = reader.text(key, required: true), LocalTime(t) == nil { reader.add(key, "Write a time as HH:MM, such as 21:00.") }
            }
            if let z = reader.text("timeZone", required: true), TimeZone(identifier: z) == nil { reader.add("timeZone", "Use an IANA time zone such as Europe/Lisbon.") }
            let days = reader.texts("days", required: true)
            let week = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
            if let days {
                if days.isEmpty { reader.add("days", "Name at least one day.") }
                for (i, d) in days.enumerated() where !week.contains(d) { reader.add("days[\(i)]", "Use one of \(week.joined(separator: ", ")).") }
            }
        case .exclusionZone, .inclusionZone:
            reader.allow(["name", "geometry"])
            _ = reader.text("name", required: true)
            reader.geometry("geometry")
        case .reportToOfficer:
            reader.allow(["timesPerMonth"])
            _ = reader.integer("timesPerMonth", 1...31, required: true)
        case .educationProgramme:
            reader.allow(["programme", "sessions"])
            _ = reader.text("programme", required: true)
            _ = reader.integer("sessions", 1...200, required: false)
        case .noContact:
            reader.allow(["with"])
            _ = reader.text("with", required: true)
        }
        errors = reader.errors
    }
}

/// A local time of day written HH:MM.
public struct LocalTime: Sendable, Equatable, Comparable, Codable {
    public let hour: Int
    public let minute: Int

    public init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard text.count == 5, parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...23).contains(h), (0...59).contains(m) else { return nil }
        hour = h
        minute = m
    }

    public static func < (a: LocalTime, b: LocalTime) -> Bool { (a.hour, a.minute) < (b.hour, b.minute) }
}

/// Reads condition parameters, naming each problem with the condition's path.
struct ParameterReader {
    let parameters: [String: AnswerValue]
    let path: String
    var errors: FieldErrors

    mutating func add(_ key: String, _ message: String) { errors.add("\(path).\(key)", message) }

    mutating func allow(_ keys: Set<String>) {
        for key in parameters.keys.sorted() where !keys.contains(key) {
            add(key, "Not a parameter of this condition; use \(keys.sorted().joined(separator: ", ")).")
        }
    }

    mutating func present(_ key: String, _ required: Bool) -> AnswerValue? {
        guard let value = parameters[key], value != .null else {
            if required { add(key, "This parameter is required.") }
            return nil
        }
        return value
    }

    mutating func number(_ key: String, required: Bool) -> Double? {
        guard let value = present(key, required) else { return nil }
        guard case .number(let n) = value, n.isFinite else { add(key, "Give a number."); return nil }
        return n
    }

    mutating func integer(_ key: String, _ range: ClosedRange<Int>, required: Bool) -> Int? {
        guard let n = number(key, required: required) else { return nil }
        guard n == n.rounded(), range.contains(Int(exactly: n) ?? Int.min) else {
            add(key, "Give a whole number from \(range.lowerBound) to \(range.upperBound).")
            return nil
        }
        return Int(n)
    }

    mutating func text(_ key: String, required: Bool) -> String? {
        guard let value = present(key, required) else { return nil }
        guard case .string(let s) = value, !s.trimmingCharacters(in: .whitespaces).isEmpty, s.count <= 200 else {
            add(key, "Give a text of at most 200 characters.")
            return nil
        }
        return s
    }

    mutating func texts(_ key: String, required: Bool) -> [String]? {
        guard let value = present(key, required) else { return nil }
        guard case .array(let items) = value else { add(key, "Give a list."); return nil }
        return items.enumerated().compactMap { i, item in
            if case .string(let s) = item { return s }
            add("\(key)[\(i)]", "Give a text.")
            return nil
        }
    }

    /// A GeoJSON Polygon or MultiPolygon with closed rings of at least four positions in range.
    mutating func geometry(_ key: String) {
        guard let value = present(key, true) else { return }
        guard case .object(let object) = value, case .string(let type)? = object["type"], ["Polygon", "MultiPolygon"].contains(type),
              case .array(let coordinates)? = object["coordinates"]
        else { add(key, "Give a GeoJSON Polygon or MultiPolygon: {\"type\": \"Polygon\", \"coordinates\": [[[lon, lat], …]]}."); return }
        let polygons = type == "Polygon" ? [AnswerValue.array(coordinates)] : coordinates
        for polygon in polygons {
            guard case .array(let rings) = polygon, !rings.isEmpty else { add(key, "A polygon needs at least one ring."); return }
            for ring in rings {
                guard case .array(let positions) = ring, positions.count >= 4 else { add(key, "A ring needs at least four positions."); return }
                var points: [[Double]] = []
                for p in positions {
                    guard case .array(let pair) = p, pair.count >= 2, case .number(let lon) = pair[0], case .number(let lat) = pair[1],
                          (-180...180).contains(lon), (-90...90).contains(lat)
                    else { add(key, "Each position is [longitude, latitude] within range."); return }
                    points.append([lon, lat])
                }
                if points.first != points.last { add(key, "Each ring ends where it starts."); return }
            }
        }
    }
}
