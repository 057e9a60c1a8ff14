import DiversionCore
import FluentKit
import Foundation

/// A service as stored: its profile, the agency that runs it, and when its capacity was last confirmed.
public struct StoredService: Sendable, Equatable {
    public let id: UUID
    public let agencyID: UUID
    public var profile: ServiceProfile
    public let capacityUpdatedAt: Date

    public var listed: ListedService { ListedService(id: id, profile: profile) }
}

/// Reads and writes the service directory.
public struct ServiceStore: Sendable {
    public init() {}

    public func create(_ profile: ServiceProfile, agencyID: UUID, id: UUID = UUID(), at now: Date, on db: any Database) async throws -> StoredService {
        let m = ServiceModel()
        m.id = id
        m.$agency.id = agencyID
        try Self.fill(m, with: profile)
        m.capacityUpdatedAt = now
        m.createdAt = now
        try await m.create(on: db)
        return StoredService(id: id, agencyID: agencyID, profile: profile, capacityUpdatedAt: now)
    }

    public func find(_ id: UUID, on db: any Database) async throws -> StoredService? {
        try await ServiceModel.find(id, on: db).map(Self.stored)
    }

    /// The directory, optionally narrowed to a region or to the services of one agency, by name.
    public func list(region: String? = nil, agencyID: UUID? = nil, on db: any Database) async throws -> [StoredService] {
        var query = ServiceModel.query(on: db)
        if let region { query = query.filter(\.$region == region) }
        if let agencyID { query = query.filter(\.$agency.$id == agencyID) }
        return try await query.sort(\.$name).all().map(Self.stored)
    }

    public func updateCapacity(_ id: UUID, _ update: CapacityUpdate, at now: Date, on db: any Database) async throws -> StoredService? {
        guard let m = try await ServiceModel.find(id, on: db) else { return nil }
        m.capacity = update.capacity
        m.load = update.load
        m.waitlistDays = update.waitlistDays
        m.capacityUpdatedAt = now
        try await m.update(on: db)
        return try Self.stored(m)
    }

    public func replace(_ id: UUID, with profile: ServiceProfile, at now: Date, on db: any Database) async throws -> StoredService? {
        guard let m = try await ServiceModel.find(id, on: db) else { return nil }
        try Self.fill(m, with: profile)
        m.capacityUpdatedAt = now
        try await m.update(on: db)
        return try Self.stored(m)
    }

    static func fill(_ m: ServiceModel, with p: ServiceProfile) throws {
        m.name = p.name
        m.organisationType = p.organisationType.rawValue
        m.modalities = try JSONText.encode(p.modalities.map(\.rawValue))
        m.sexes = try JSONText.encode(p.sexes.map(\.rawValue))
        m.minAge = p.minAge
        m.maxAge = p.maxAge
        m.languages = try JSONText.encode(p.languages)
        m.servesPregnantWomen = p.servesPregnantWomen
        m.servesPeopleWithChildren = p.servesPeopleWithChildren
        m.region = p.region
        m.latitude = p.latitude
        m.longitude = p.longitude
        m.capacity = p.capacity
        m.load = p.load
        m.waitlistDays = p.waitlistDays
        m.acceptsJusticeReferrals = p.acceptsJusticeReferrals
        m.phone = p.phone
        m.email = p.email
        m.address = p.address
    }

    static func stored(_ m: ServiceModel) throws -> StoredService {
        let profile = ServiceProfile(
            name: m.name, organisationType: OrganisationType(rawValue: m.organisationType) ?? .health,
            modalities: try JSONText.decode([String].self, m.modalities).compactMap(Modality.init(rawValue:)),
            sexes: try JSONText.decode([String].self, m.sexes).compactMap(Sex.init(rawValue:)),
            minAge: m.minAge, maxAge: m.maxAge, languages: try JSONText.decode([String].self, m.languages),
            servesPregnantWomen: m.servesPregnantWomen, servesPeopleWithChildren: m.servesPeopleWithChildren, region: m.region,
            latitude: m.latitude, longitude: m.longitude, capacity: m.capacity, load: m.load, waitlistDays: m.waitlistDays,
            acceptsJusticeReferrals: m.acceptsJusticeReferrals, phone: m.phone, email: m.email, address: m.address
        )
        return StoredService(id: m.id ?? UUID(), agencyID: m.$agency.id, profile: profile, capacityUpdatedAt: m.capacityUpdatedAt)
    }
}
