/// What a staff member does in the pathway; a user holds one or more.
public enum Role: String, Codable, CaseIterable, Sendable, Comparable {
    case officer
    case prosecutor
    case judge
    case provider
    case supervisor
    case analyst
    case admin

    public static func < (lhs: Role, rhs: Role) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}

/// The kind of organisation a user works for.
public enum AgencyType: String, Codable, CaseIterable, Sendable {
    case police
    case prosecution
    case court
    case healthProvider = "health_provider"
    case socialService = "social_service"
    case supervision
    case analysis
    case administration

    /// Health providers and social services run the services people are referred to.
    public var runsServices: Bool { self == .healthProvider || self == .socialService }

    /// The authority this kind of agency acts as in the legal stages; nil for agencies that choose no route.
    public var authority: Authority? {
        switch self {
        case .police: .police
        case .prosecution: .prosecution
        case .court: .court
        default: nil
        }
    }

    /// The roles a member of this kind of agency may plausibly hold.
    public var compatibleRoles: Set<Role> {
        switch self {
        case .police: [.officer]
        case .prosecution: [.prosecutor]
        case .court: [.judge]
        case .healthProvider, .socialService: [.provider]
        case .supervision: [.supervisor]
        case .analysis: [.analyst]
        case .administration: [.admin, .analyst]
        }
    }
}
