import DiversionCore
import DiversionStore
import Fluent
import Foundation

extension DemoJurisdiction {
    /// Why a generated jurisdiction cannot be attributed to the demo staff.
    public struct StaffMissing: Error, CustomStringConvertible {
        public let description: String
    }

    /// The demo officer, prosecutor and judge, and every treatment service with its first modality: the staff a
    /// generated jurisdiction's records are attributed to.
    public static func generationStaff(policyVersionID: UUID, on db: any Database) async throws -> GeneratedJurisdiction.Staff {
        func member(_ username: String) async throws -> (userID: UUID, name: String, agencyID: UUID) {
            guard let user = try await AccountStore().user(username: username, on: db), let id = user.id else {
                throw StaffMissing(description: "the demo user '\(username)' is missing; run `diversion demo seed` first")
            }
            return (id, user.displayName, user.$agency.id)
        }
        let services = try await ServiceModel.query(on: db).sort(\.$name).all().compactMap { s -> (id: UUID, agencyID: UUID, modality: String?)? in
            guard let id = s.id else { return nil }
            let modalities = (try? JSONDecoder().decode([String].self, from: Data(s.modalities.utf8))) ?? []
            return (id, s.$agency.id, modalities.first)
        }
        guard !services.isEmpty else { throw StaffMissing(description: "no treatment service is registered; run `diversion demo seed` first") }
        return GeneratedJurisdiction.Staff(
            officer: try await member("officer"), court: try await member("judge"), prosecution: try await member("prosecutor"),
            services: services, policyVersionID: policyVersionID
        )
    }
}
