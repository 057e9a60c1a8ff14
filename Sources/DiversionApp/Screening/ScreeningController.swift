import DiversionCore
import Foundation
import Vapor

/// Scoring screenings with validated instruments. Nothing is stored and no person is named.
struct ScreeningController {
    struct ScoreRequest: Decodable {
        var instrument: String?
        var answers: AnswerValue?
        var sex: String?
    }

    struct SubstanceScore: Content {
        var substance: String
        var score: Int
        var level: String
    }

    struct ScoreResponse: Content {
        var instrument: String
        var version: String
        var score: Int
        var level: String
        var recommendation: String
        var substances: [SubstanceScore]?

        init(_ result: ScreeningResult) {
            instrument = result.instrument.rawValue
            version = result.version
            score = result.score
            level = result.level
            recommendation = result.recommendation
            substances = result.substances?.map { SubstanceScore(substance: $0.substance, score: $0.score, level: $0.level) }
        }
    }

    func register(_ api: any RoutesBuilder) {
        api.endpoint(.POST, "screenings", "score", access: .allowed(.evaluate, .screening), use: score)
    }

    @Sendable func score(_ req: Request) async throws -> ScoreResponse {
        let body = try req.decodeJSON(ScoreRequest.self)
        var errors = FieldErrors()
        let instrument = body.instrument.flatMap(ScreeningInstrument.init(rawValue:))
        if instrument == nil {
            errors.add("instrument", "Use one of \(ScreeningInstrument.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        var sex: Sex?
        if let text = body.sex {
            sex = Sex(rawValue: text)
            if sex == nil { errors.add("sex", "Use one of \(Sex.allCases.map(\.rawValue).joined(separator: ", ")).") }
        }
        if body.answers == nil { errors.add("answers", "The answers are required.") }
        try errors.throwIfAny()
        guard let instrument, let answers = body.answers else { throw ValidationFailure(errors.all) }
        return ScoreResponse(try Screening.score(instrument, answers: answers, sex: sex))
    }
}
