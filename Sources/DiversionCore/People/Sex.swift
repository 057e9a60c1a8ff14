/// Sex as recorded for disaggregated reporting.
public enum Sex: String, Codable, CaseIterable, Sendable {
    case female, male, other, unknown
}

/// Circumstances that change which services fit a person and must be counted in reporting.
public enum PersonFlag: String, Codable, CaseIterable, Sendable, Comparable {
    case pregnant
    case caringForChildren = "caring_for_children"
    case disability
    case homeless

    public static func < (a: PersonFlag, b: PersonFlag) -> Bool { a.rawValue < b.rawValue }
}
