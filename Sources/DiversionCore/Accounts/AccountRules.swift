import Foundation

/// Rules for the names of accounts and agencies, checked wherever they are created.
public enum AccountRules {
    /// Usernames are lowercase so that sign-in does not depend on case: 2–64 of a–z, 0–9, dot, dash, underscore.
    public static func usernameProblem(_ username: String) -> String? {
        let allowed = username.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-" || $0 == "_" }
        if username.count < 2 || username.count > 64 || !allowed {
            return "A username has 2 to 64 characters: lowercase letters, digits, '.', '-' or '_'."
        }
        return nil
    }

    /// Region codes such as R1 or PT-11: 1–12 of A–Z, 0–9 and '-'.
    public static func regionProblem(_ region: String) -> String? {
        let allowed = region.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        if region.isEmpty || region.count > 12 || !allowed {
            return "A region code has 1 to 12 characters: capital letters, digits or '-', such as R1."
        }
        return nil
    }

    public static func agencyNameProblem(_ name: String) -> String? {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.count > 120 { return "An agency name has 1 to 120 characters." }
        return nil
    }

    /// Roles that do not fit the agency's type, named with the ones that do.
    public static func roleProblem(_ roles: Set<Role>, agency: AgencyType) -> String? {
        if roles.isEmpty { return "Give at least one role." }
        let misfits = roles.subtracting(agency.compatibleRoles)
        guard !misfits.isEmpty else { return nil }
        let allowed = agency.compatibleRoles.sorted().map(\.rawValue).joined(separator: ", ")
        return "A \(agency.rawValue) agency's users may hold \(allowed), not \(misfits.sorted().map(\.rawValue).joined(separator: ", "))."
    }
}
