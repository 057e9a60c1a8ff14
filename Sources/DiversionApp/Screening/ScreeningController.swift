import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// Screenings with validated instruments: scoring alone, and recording one for a person.
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

    struct RecordRequest: Decodable {
        var personId: String?
        var instrument: String?
        var answers: AnswerValue?
        var sex: String?
    }

    struct RecordedResponse: Content {
        var id: String
        var personId: String
        var createdAt: String
        var instrument: String
        var version: String
        var score: Int
        var level: String
        var recommendation: String
        var substances: [SubstanceScore]?

        init(_ recorded: RecordedScreening) {
            let result = ScoreResponse(recorded.result)
            id = recorded.id.uuidString.lowercased()
            personId = recorded.personID.uuidString.lowercased()
            createdAt = recorded.createdAt.formatted(.iso8601)
            instrument = result.instrument
            version = result.version
            score = result.score
            level = result.level
            recommendation = result.recommendation
            substances = result.substances
        }
    }

    func register(_ api: any RoutesBuilder) {
        api.endpoint(.POST, "screenings", "score", access: .allowed(.evaluate, .screening), use: score)
        api.endpoint(.POST, "screenings", access: .allowed(.create, .screening), use: record)
        api.endpoint(.GET, "screenings", ":id", access: .allowed(.read, .screening), use: show)
    }

    /// Scores a screening for a person on record and stores it with its instrument version.
    @Sendable func record(_ req: Request) async throws -> Response {
        let body = try req.decodeJSON(RecordRequest.self)
        var errors = FieldErrors()
        let personID = body.personId.flatMap(UUID.init(uuidString:))
        if personID == nil { errors.add("personId", "Give the id of a person on record (a UUID).") }
        let (instrument, sex) = Self.check(body.instrument, body.sex, body.answers, into: &errors)
        try errors.throwIfAny()
        guard let personID, let instrument, let answers = body.answers else { throw ValidationFailure(errors.all) }
        let recorded = try await ScreeningService(request: req).record(personID: personID, instrument: instrument, answers: answers, sex: sex)
        let id = recorded.id
        let response = try await RecordedResponse(recorded).encodeResponse(status: .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/screenings/\(id.uuidString.lowercased())")
        return response
    }

    /// One recorded screening; the read is audited against the person screened.
    @Sendable func show(_ req: Request) async throws -> RecordedResponse {
        let id = try req.idParameter(of: "screening")
        _ = try req.statedPurpose()
        guard let recorded = try await ScreeningStore().find(id, on: req.db) else {
            throw APIError.notFound("No screening has the id \(id.uuidString.lowercased()).")
        }
        try await req.diversion.auditTrail.record([try req.auditEvent(.read, "screening", id: id.uuidString.lowercased(), person: recorded.personID)])
        // A service's screening is an assessment: outside the service it shows only under a consent or court order,
        // and never to police.
        if let holder = try await ScreeningStore().screeningAgency(of: id, on: req.db), holder.type?.runsServices == true {
            let disclosure = DisclosureService(request: req)
            let decision = try await disclosure.decide(.assessment, personID: recorded.personID, holder: holder.id)
            switch decision {
            case .allowed(let basis):
                if basis.isDisclosure { try await disclosure.account([(.assessment, decision)], personID: recorded.personID, what: "GET /api/v1/screenings/{id}", holder: holder.id) }
            case .statusOnly, .withheld:
                throw APIError.forbidden("This screening was recorded by a health or social service; no consent or court order on file lets your agency see it.")
            }
        }
        return RecordedResponse(recorded)
    }

    /// Checks the instrument and sex fields shared by scoring and recording.
    static func check(_ instrumentText: String?, _ sexText: String?, _ answers: AnswerValue?, into errors: inout FieldErrors) -> (ScreeningInstrument?, Sex?) {
        let instrument = instrumentText.flatMap(ScreeningInstrument.init(rawValue:))
        if instrument == nil {
            errors.add("instrument", "Use one of \(ScreeningInstrument.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        var sex: Sex?
        if let text = sexText {
            sex = Sex(rawValue: text)
            if sex == nil { errors.add("sex", "Use one of \(Sex.allCases.map(\.rawValue).joined(separator: ", ")).") }
        }
        if answers == nil { errors.add("answers", "The answers are required.") }
        return (instrument, sex)
    }

    @Sendable func score(_ req: Request) async throws -> ScoreResponse {
        let body = try req.decodeJSON(ScoreRequest.self)
        var errors = FieldErrors()
        let (instrument, sex) = Self.check(body.instrument, body.sex, body.answers, into: &errors)
        try errors.throwIfAny()
        guard let instrument, let answers = body.answers else { throw ValidationFailure(errors.all) }
        return ScoreResponse(try Screening.score(instrument, answers: answers, sex: sex))
    }
}
