import DiversionCore
import FluentKit
import Foundation

/// A recorded screening with the answers as submitted and the agency that screened, for exports.
public struct AnsweredScreening: Sendable, Equatable {
    public let screening: RecordedScreening
    public let answers: AnswerValue
    public let screenedByAgencyID: UUID
}

extension ScreeningStore {
    /// The person's screenings with their answers, oldest first.
    public func answered(for personID: UUID, limit: Int = 50, on db: any Database) async throws -> [AnsweredScreening] {
        let models = try await ScreeningModel.query(on: db).filter(\.$person.$id == personID).sort(\.$createdAt, .descending).limit(limit).all()
        return try models.reversed().compactMap { m in
            guard let recorded = try Self.recorded(m) else { return nil }
            let answers = try JSONDecoder().decode(AnswerValue.self, from: Data(m.answers.utf8))
            return AnsweredScreening(screening: recorded, answers: answers, screenedByAgencyID: m.$screenedByAgency.id)
        }
    }
}

extension ScreeningStore {
    /// The agency that recorded a screening and its kind: a health or social service's screening is an assessment
    /// (health data); an officer's screening at a contact is a justice record.
    public func screeningAgency(of id: UUID, on db: any Database) async throws -> (id: UUID, type: AgencyType?)? {
        guard let m = try await ScreeningModel.find(id, on: db) else { return nil }
        let agency = try await AgencyModel.find(m.$screenedByAgency.id, on: db)
        return (m.$screenedByAgency.id, agency.flatMap { AgencyType(rawValue: $0.type) })
    }
}
