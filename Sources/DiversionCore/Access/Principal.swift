import Foundation

/// The authenticated staff member on whose behalf a request acts.
public struct Principal: Sendable, Equatable {
    public let userID: UUID
    public let username: String
    public let displayName: String
    public let roles: Set<Role>
    public let agencyID: UUID
    public let agencyName: String
    public let agencyType: AgencyType
    public let region: String

    public init(
        userID: UUID, username: String, displayName: String, roles: Set<Role>,
        agencyID: UUID, agencyName: String = "", agencyType: AgencyType, region: String
    ) {
        self.userID = userID
        self.username = username
        self.displayName = displayName
        self.roles = roles
        self.agencyID = agencyID
        self.agencyName = agencyName
        self.agencyType = agencyType
        self.region = region
    }

    public func has(_ role: Role) -> Bool { roles.contains(role) }
}
