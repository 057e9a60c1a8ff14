/// A submitted answer as plain JSON, so each instrument can say exactly which item is wrong.
public indirect enum AnswerValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([AnswerValue])
    case object([String: AnswerValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let b = try? container.decode(Bool.self) { self = .bool(b) }
        else if let n = try? container.decode(Double.self) { self = .number(n) }
        else if let s = try? container.decode(String.self) { self = .string(s) }
        else if let a = try? container.decode([AnswerValue].self) { self = .array(a) }
        else { self = .object(try container.decode([String: AnswerValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .number(let n): try container.encode(n)
        case .string(let s): try container.encode(s)
        case .array(let a): try container.encode(a)
        case .object(let o): try container.encode(o)
        }
    }
}

/// Reads typed answers out of an `AnswerValue`, collecting a named error for each bad item.
struct AnswerReader {
    var errors = FieldErrors()

    /// A whole number in `range`; anything else is an error on `field`.
    mutating func option(_ value: AnswerValue?, _ field: String, _ range: ClosedRange<Int>) -> Int? {
        guard let value, value != .null else {
            errors.add(field, "This answer is required: a whole number from \(range.lowerBound) to \(range.upperBound).")
            return nil
        }
        guard case .number(let n) = value, n == n.rounded(), n >= Double(range.lowerBound), n <= Double(range.upperBound) else {
            errors.add(field, "Answer with a whole number from \(range.lowerBound) to \(range.upperBound).")
            return nil
        }
        return Int(n)
    }

    mutating func yesNo(_ value: AnswerValue?, _ field: String) -> Bool? {
        guard case .bool(let b)? = value else {
            errors.add(field, "Answer true (yes) or false (no).")
            return nil
        }
        return b
    }

    /// A list of exactly `count` items, or an error naming the list.
    mutating func list(_ value: AnswerValue, _ field: String, count: Int) -> [AnswerValue]? {
        guard case .array(let items) = value else {
            errors.add(field, "Give a list of \(count) answers in item order.")
            return nil
        }
        guard items.count == count else {
            errors.add(field, "Give exactly \(count) answers in item order; \(items.count) were given.")
            return nil
        }
        return items
    }

    mutating func object(_ value: AnswerValue?, _ field: String) -> [String: AnswerValue]? {
        guard case .object(let o)? = value else {
            errors.add(field, "Give an object with the named answers.")
            return nil
        }
        return o
    }

    /// Reports keys the instrument does not ask, so a typo is never silently ignored.
    mutating func rejectUnknown(_ object: [String: AnswerValue], allowed: Set<String>, _ field: String) {
        for key in object.keys.sorted() where !allowed.contains(key) {
            errors.add("\(field).\(key)", "This instrument does not ask '\(key.prefix(40))'; use \(allowed.sorted().joined(separator: ", ")).")
        }
    }
}
