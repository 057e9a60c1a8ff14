import DiversionCore
import FluentKit
import Foundation

/// A screening as recorded for a person.
public struct RecordedScreening: Sendable, Equatable {
    public let id: UUID
    public let personID: UUID
    public let result: ScreeningResult
    public let createdAt: Date
}

/// Stores and reads recorded screenings.
public struct ScreeningStore: Sendable {
    public init() {}

    public func create(
        _ result: ScreeningResult, answers: AnswerValue, personID: UUID, by principal: Principal,
        id: UUID = UUID(), at now: Date, on db: any Database
    ) async throws -> RecordedScreening {
        let model = try Self.model(result, answers: answers, personID: personID, screenedBy: principal.userID, agency: principal.agencyID, id: id, at: now)
        try await model.create(on: db)
        return RecordedScreening(id: id, personID: personID, result: result, createdAt: now)
    }

    /// The row of a scored screening, for a single write or a batch.
    static func model(
        _ result: ScreeningResult, answers: AnswerValue, personID: UUID, screenedBy userID: UUID, agency agencyID: UUID, id: UUID, at now: Date
    ) throws -> ScreeningModel {
        let model = ScreeningModel()
        model.id = id
        model.$person.id = personID
        model.instrument = result.instrument.rawValue
        model.version = result.version
        model.answers = String(decoding: try JSONEncoder.sorted.encode(answers), as: UTF8.self)
        model.score = result.score
        model.level = result.level
        model.recommendation = result.recommendation
        if let substances = result.substances {
            model.substances = String(decoding: try JSONEncoder.sorted.encode(substances.map(StoredSubstance.init)), as: UTF8.self)
        }
        model.screenedByUserID = userID
        model.$screenedByAgency.id = agencyID
        model.createdAt = now
        return model
    }

    /// The person's most recent screening, if any. With `justiceOnly`, only screenings justice agencies recorded:
    /// a health or social service's screening is an assessment that justice readers do not see without consent.
    public func latest(for personID: UUID, justiceOnly: Bool = false, on db: any Database) async throws -> RecordedScreening? {
        let query = ScreeningModel.query(on: db).filter(\.$person.$id == personID)
        if justiceOnly {
            query.join(AgencyModel.self, on: \ScreeningModel.$screenedByAgency.$id == \AgencyModel.$id)
                .filter(AgencyModel.self, \.$type !~ [AgencyType.healthProvider.rawValue, AgencyType.socialService.rawValue])
        }
        guard let model = try await query.sort(\.$createdAt, .descending).first() else { return nil }
        return try Self.recorded(model)
    }

    public func find(_ id: UUID, on db: any Database) async throws -> RecordedScreening? {
        guard let model = try await ScreeningModel.find(id, on: db) else { return nil }
        return try Self.recorded(model)
    }

    static func recorded(_ model: ScreeningModel) throws -> RecordedScreening? {
        guard let id = model.id, let instrument = ScreeningInstrument(rawValue: model.instrument)
        else { return nil }
        let substances = try model.substances.map {
            try JSONDecoder().decode([StoredSubstance].self, from: Data($0.utf8)).map(\.value)
        }
        let result = ScreeningResult(
            instrument: instrument, score: model.score, level: model.level,
            recommendation: model.recommendation, substances: substances
        )
        return RecordedScreening(id: id, personID: model.$person.id, result: result, createdAt: model.createdAt)
    }
}

/// The stored form of one ASSIST substance score.
private struct StoredSubstance: Codable {
    let substance: String
    let score: Int
    let level: String

    init(_ s: ScreeningResult.SubstanceScore) {
        substance = s.substance
        score = s.score
        level = s.level
    }

    var value: ScreeningResult.SubstanceScore { .init(substance: substance, score: score, level: level) }
}

extension JSONEncoder {
    static let sorted: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}
