import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Vapor

/// Exports and imports the service directory as Open Referral HSDS JSON; the command line and the API share it.
public struct ServiceInterchange: Sendable {
    /// How many services an import created, updated, and found already as the file has them.
    public struct Outcome: Sendable, Equatable, Codable {
        public var created = 0
        public var updated = 0
        public var unchanged = 0
    }

    /// Makes the audit event for one written service: action and service id.
    public typealias AuditEventMaker = @Sendable (AuditAction, String) -> AuditEvent

    public init() {}

    /// The whole directory, ordered by name, as an HSDS document.
    public func export(on db: any Database) async throws -> Data {
        let agencies = try await AccountStore().agencies(on: db)
        var names: [UUID: String] = [:]
        for agency in agencies { if let id = agency.id { names[id] = agency.name } }
        let entries = try await ServiceStore().list(on: db).map {
            HSDS.Entry(id: $0.id, agencyID: $0.agencyID, agencyName: names[$0.agencyID] ?? "", profile: $0.profile, capacityUpdatedAt: $0.capacityUpdatedAt)
        }
        return try HSDS.document(entries)
    }

    /// An agency, by id or name, that may run every service in a file.
    public func agency(_ reference: String, on db: any Database) async throws -> UUID {
        guard let agency = try await AccountStore().agency(reference, on: db), let id = agency.id else {
            throw ValidationFailure([FieldError("agency", "No agency has the id or name '\(reference)'.")])
        }
        guard agency.agencyType?.runsServices == true else {
            throw ValidationFailure([FieldError("agency", "Services are run by health providers and social services; \(agency.name) is \(agency.type).")])
        }
        return id
    }

    /// Imports into the application's database, through its audit trail (for the command line).
    public func importDocument(_ data: Data, agencyID: UUID?, now: Date, into app: Application, event: @escaping AuditEventMaker) async throws -> Outcome {
        try await importDocument(data, agencyID: agencyID, now: now, on: app.db, auditTrail: app.diversion.auditTrail, event: event)
    }

    /// Reads a document and writes all of it in one transaction with its audit entries, or, on any problem, nothing.
    /// Services are matched by id: new ids are created, known ones updated. Without `agencyID`, each service's
    /// organisation names its agency: by `organization.id`, then by `organization.name`.
    public func importDocument(
        _ data: Data, agencyID: UUID?, now: Date, on db: any Database, auditTrail: AuditTrail, event: @escaping AuditEventMaker
    ) async throws -> Outcome {
        let reading = HSDS.parse(data, now: now)
        let records = reading.records
        var errors = FieldErrors()
        var agencies: [String: Result<UUID, FieldError>] = [:]
        var runBy: [UUID: UUID] = [:]
        for record in records {
            if let agencyID {
                runBy[record.id] = agencyID
                continue
            }
            let key = "\(record.organizationID?.uuidString ?? "")|\(record.organizationName ?? "")"
            let found: Result<UUID, FieldError>
            if let cached = agencies[key] { found = cached } else {
                found = try await resolve(record, on: db)
                agencies[key] = found
            }
            switch found {
            case .success(let id): runBy[record.id] = id
            case .failure(let error): errors.add(record.organizationPath, error.reason)
            }
        }
        let existing = try await currentAgencies(of: records.map(\.id), on: db)
        for record in records {
            guard let current = existing[record.id], let wanted = runBy[record.id], current != wanted else { continue }
            let name = try await AgencyModel.find(current, on: db)?.name ?? current.uuidString.lowercased()
            errors.add(record.organizationPath, "This service is run by \(name); an import does not move services between agencies.")
        }
        if !reading.problems.isEmpty || !errors.isEmpty {
            throw ValidationFailure(Self.inDocumentOrder(reading.problems + errors.all))
        }

        let plan = records.compactMap { r in runBy[r.id].map { (record: r, agencyID: $0) } }
        return try await auditTrail.perform { db in
            var outcome = Outcome()
            var events: [AuditEvent] = []
            let store = ServiceStore()
            for (record, agencyID) in plan {
                let result = try await store.put(
                    record.profile, id: record.id, agencyID: agencyID, capacityUpdatedAt: record.capacityUpdatedAt ?? now, at: now, on: db
                )
                switch result {
                case .created:
                    outcome.created += 1
                    events.append(event(.create, record.id.uuidString.lowercased()))
                case .updated:
                    outcome.updated += 1
                    events.append(event(.update, record.id.uuidString.lowercased()))
                case .unchanged:
                    outcome.unchanged += 1
                }
            }
            return (outcome, events)
        }
    }

    /// Problems ordered by the service they name (`services[12]` after `services[2]`), the document's own first.
    static func inDocumentOrder(_ problems: [FieldError]) -> [FieldError] {
        func index(_ field: String) -> Int {
            guard field.hasPrefix("services["), let end = field.firstIndex(of: "]") else { return -1 }
            return Int(field[field.index(field.startIndex, offsetBy: 9)..<end]) ?? -1
        }
        return problems.enumerated().sorted { (index($0.element.field), $0.offset) < (index($1.element.field), $1.offset) }.map(\.element)
    }

    /// The agency a record's organisation names, or why none fits.
    private func resolve(_ record: HSDS.Record, on db: any Database) async throws -> Result<UUID, FieldError> {
        var agency: AgencyModel?
        if let id = record.organizationID { agency = try await AgencyModel.find(id, on: db) }
        if agency == nil, let name = record.organizationName, !name.isEmpty {
            agency = try await AgencyModel.query(on: db).filter(\.$name == name).first()
        }
        guard let agency, let id = agency.id else {
            let named = [record.organizationID.map { "the id \($0.uuidString.lowercased())" }, record.organizationName.map { "the name '\($0)'" }]
                .compactMap { $0 }.joined(separator: " or ")
            let reason = named.isEmpty
                ? "Name the agency that runs the service in organization (id or name), or choose one agency for the whole file."
                : "No agency has \(named); create the agency first, or choose one agency for the whole file."
            return .failure(FieldError("organization", reason))
        }
        guard agency.agencyType?.runsServices == true else {
            return .failure(FieldError("organization", "Services are run by health providers and social services; \(agency.name) is \(agency.type)."))
        }
        return .success(id)
    }

    /// The agency running each of these services that exists already.
    private func currentAgencies(of ids: [UUID], on db: any Database) async throws -> [UUID: UUID] {
        var result: [UUID: UUID] = [:]
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            for m in try await ServiceModel.query(on: db).filter(\.$id ~~ chunk).all() {
                if let id = m.id { result[id] = m.$agency.id }
            }
        }
        return result
    }
}
