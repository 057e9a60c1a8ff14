import Foundation

/// What electronic monitoring checks for one measure: the rules built from its curfew and zone conditions, with the names
/// the order gives the places, so alerts can say "entered Rua Augusta market" rather than an id.
public struct MonitoringPlan: Sendable, Equatable {
    public let rules: MonitoringRules
    /// Zone id → the zone's name in the order.
    public let zoneNames: [String: String]
    /// The place the curfew keeps the person at, as the order names it.
    public let curfewPlace: String?

    /// Measures that are monitoring by their nature, even with no curfew or zone (no signal is still watched).
    public static let monitoredTypes: Set<MeasureType> = [.electronicMonitoring, .homeDetention]
    /// The conditions a device can check.
    public static let conditionTypes: Set<ConditionType> = [.curfew, .exclusionZone, .inclusionZone]

    /// Whether a device may be assigned to a measure of this type with these conditions.
    public static func isMonitored(_ type: MeasureType, conditions: [Condition]) -> Bool {
        monitoredTypes.contains(type) || conditions.contains { conditionTypes.contains($0.type) }
    }

    /// A zone's id is its condition's place in the measure, which never changes: a new order makes new measures.
    public static func zoneID(conditionIndex: Int) -> String { "zone-\(conditionIndex)" }

    /// Builds the rules from a measure's conditions, naming each problem as `conditions[i].parameter`.
    /// A curfew without a time zone takes `defaultTimeZone` (the jurisdiction's supervision time zone).
    public init(conditions: [Condition], noSignalMinutes: Int, defaultTimeZone: String) throws(ValidationFailure) {
        var errors = FieldErrors()
        var curfew: Curfew?
        var place: String?
        var zones: [MonitoringRules.Zone] = []
        var names: [String: String] = [:]
        for (i, condition) in conditions.enumerated() {
            let path = "conditions[\(i)]"
            var reader = Reader(parameters: condition.parameters, path: path)
            switch condition.type {
            case .curfew:
                guard curfew == nil, place == nil else {
                    errors.add(path, "A measure can have one curfew; combine the hours into one curfew condition.")
                    continue
                }
                let name = reader.text("place")
                let lat = reader.number("latitude"), lon = reader.number("longitude"), radius = reader.number("radiusMeters")
                let start = reader.text("start"), end = reader.text("end")
                let days = reader.texts("days")
                let zone = reader.optionalText("timeZone") ?? defaultTimeZone
                place = name ?? ""
                guard let lat, let lon, let radius, let start, let end, let days else { break }
                do {
                    curfew = try Curfew(home: GeoPoint(latitude: lat, longitude: lon), radiusMeters: radius, start: start, end: end,
                                        days: days, timeZone: zone, path: path)
                } catch {
                    for e in error.errors { reader.errors.add(e.field, e.reason) }
                }
            case .exclusionZone, .inclusionZone:
                let id = Self.zoneID(conditionIndex: i)
                let name = reader.text("name")
                if let geometry = condition.parameters["geometry"], geometry != .null {
                    do {
                        let area = try GeoArea(geoJSON: geometry, field: "\(path).geometry")
                        zones.append(MonitoringRules.Zone(id: id, kind: condition.type == .exclusionZone ? .exclusion : .inclusion, area: area))
                        names[id] = name ?? id
                    } catch {
                        for e in error.errors { reader.errors.add(e.field, e.reason) }
                    }
                } else {
                    reader.errors.add("\(path).geometry", "Give the zone's area as a GeoJSON Polygon or MultiPolygon.")
                }
            default:
                continue
            }
            for e in reader.errors.all { errors.add(e.field, e.reason) }
        }
        try errors.throwIfAny()
        self.rules = try MonitoringRules(curfew: curfew, zones: zones, noSignalMinutes: noSignalMinutes)
        self.zoneNames = names
        self.curfewPlace = curfew == nil ? nil : place
    }

    /// What an alert is about, in words a person reads: the zone's name, or the curfew night.
    public func subject(of alert: MonitoringAlert) -> String {
        switch alert {
        case .noSignal: ""
        case .leftHomeDuringCurfew(let day): day.description
        case .leftInclusionZone(let id), .enteredExclusionZone(let id): zoneNames[id] ?? id
        }
    }
}

/// Reads the parameters a monitoring condition needs, each problem named under the condition's path.
private struct Reader {
    let parameters: [String: AnswerValue]
    let path: String
    var errors = FieldErrors()

    init(parameters: [String: AnswerValue], path: String) {
        self.parameters = parameters
        self.path = path
    }

    mutating func number(_ key: String) -> Double? {
        guard case .number(let n)? = parameters[key], n.isFinite else {
            errors.add("\(path).\(key)", parameters[key] == nil ? "This parameter is required." : "Give a number.")
            return nil
        }
        return n
    }

    mutating func text(_ key: String) -> String? {
        guard case .string(let s)? = parameters[key], !s.trimmingCharacters(in: .whitespaces).isEmpty else {
            errors.add("\(path).\(key)", parameters[key] == nil ? "This parameter is required." : "Give a text.")
            return nil
        }
        return s
    }

    func optionalText(_ key: String) -> String? {
        guard case .string(let s)? = parameters[key], !s.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return s
    }

    mutating func texts(_ key: String) -> [String]? {
        guard case .array(let items)? = parameters[key] else {
            errors.add("\(path).\(key)", parameters[key] == nil ? "This parameter is required." : "Give a list of days, such as [\"monday\"].")
            return nil
        }
        var texts: [String] = []
        for (i, item) in items.enumerated() {
            if case .string(let s) = item { texts.append(s) } else { errors.add("\(path).\(key)[\(i)]", "Give a day's name, such as monday.") }
        }
        return texts
    }
}
