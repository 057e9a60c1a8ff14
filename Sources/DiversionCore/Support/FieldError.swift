/// One problem with one input field, phrased so a person can fix it.
public struct FieldError: Error, Sendable, Equatable, Codable {
    public let field: String
    public let reason: String

    public init(_ field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }
}

/// Every problem found in one input, reported together rather than one at a time.
public struct ValidationFailure: Error, Sendable, Equatable {
    public let errors: [FieldError]

    public init(_ errors: [FieldError]) {
        self.errors = errors
    }

    public var summary: String {
        errors.map { "\($0.field): \($0.reason)" }.joined(separator: "; ")
    }
}

/// Collects field errors while an input is checked.
public struct FieldErrors: Sendable {
    public private(set) var all: [FieldError] = []

    public init() {}

    public mutating func add(_ field: String, _ reason: String) {
        all.append(FieldError(field, reason))
    }

    public var isEmpty: Bool { all.isEmpty }

    public func throwIfAny() throws(ValidationFailure) {
        if !all.isEmpty { throw ValidationFailure(all) }
    }
}
