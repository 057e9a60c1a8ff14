import DiversionCore
import FluentKit
import Foundation

extension ServiceStore {
    /// What writing one imported service did.
    public enum PutOutcome: Sendable, Equatable {
        case created, updated, unchanged
    }

    /// Creates the service with this id, or replaces its description and capacity; the agency of an existing service stays.
    /// `capacityUpdatedAt` is when the figures were confirmed, which an import carries over rather than resetting.
    public func put(
        _ profile: ServiceProfile, id: UUID, agencyID: UUID, capacityUpdatedAt: Date, at now: Date, on db: any Database
    ) async throws -> PutOutcome {
        guard let m = try await ServiceModel.find(id, on: db) else {
            let m = ServiceModel()
            m.id = id
            m.$agency.id = agencyID
            try Self.fill(m, with: profile)
            m.capacityUpdatedAt = capacityUpdatedAt
            m.createdAt = now
            try await m.create(on: db)
            return .created
        }
        let current = try Self.stored(m)
        if current.profile == profile && Self.sameSecond(current.capacityUpdatedAt, capacityUpdatedAt) { return .unchanged }
        try Self.fill(m, with: profile)
        m.capacityUpdatedAt = capacityUpdatedAt
        try await m.update(on: db)
        return .updated
    }

    /// Exports carry whole seconds, so a time read back from one matches the stored time to the second.
    static func sameSecond(_ a: Date, _ b: Date) -> Bool {
        a.timeIntervalSince1970.rounded(.down) == b.timeIntervalSince1970.rounded(.down)
    }
}
