import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The public call-in page: a person types their code on a phone and learns whether today (or tomorrow) is a
/// test day and when to come. No sign-in; it answers for one day and says nothing else.
struct CallInPage {
    struct Form: Decodable {
        var code: String?
        var day: String?
    }

    struct Page: Encodable {
        var code: String
        var tomorrow: Bool
        var hasAnswer: Bool
        var answer: String
        var answerLang: String
        var answerDir: String
        var isTestDay: Bool
        var detail: String
        var error: String?
    }

    /// Registered outside the signed-in pages: there is no session, so no CSRF token, and the lookup changes nothing.
    func register(_ routes: any RoutesBuilder) {
        routes.endpoint(.GET, "call-in", access: .anyone, use: show)
        routes.endpoint(.POST, "call-in", access: .anyone, use: ask)
    }

    @Sendable func show(_ req: Request) async throws -> Response {
        try await req.page("call_in", title: "call_in_title", content: Page(
            code: "", tomorrow: false, hasAnswer: false, answer: "", answerLang: req.language,
            answerDir: Localizer.direction(req.language), isTestDay: false, detail: "", error: nil
        ))
    }

    @Sendable func ask(_ req: Request) async throws -> Response {
        let t = req.messages
        let form = (try? req.content.decode(Form.self)) ?? Form()
        let tomorrow = form.day == "tomorrow"
        var page = Page(code: form.code ?? "", tomorrow: tomorrow, hasAnswer: false, answer: "", answerLang: req.language,
                        answerDir: Localizer.direction(req.language), isTestDay: false, detail: "", error: nil)
        do {
            // The day is chosen as today or tomorrow: the service finds which dates those are where the person lives.
            let service = DrugTestService(request: req)
            let (answer, personID) = try await service.callIn(code: form.code, date: nil, tomorrow: tomorrow)
            let lang = try await language(of: personID, req) ?? req.language
            let m = req.diversion.localizer.messages(lang)
            let key = "call_in_\(answer.isTestDay ? "test" : "free")_\(tomorrow ? "tomorrow" : "today")"
            page.hasAnswer = true
            page.answerLang = lang
            page.answerDir = Localizer.direction(lang)
            let day = LocaleFormat(lang).date(answer.date)
            page.isTestDay = answer.isTestDay
            page.answer = (m[key] ?? key)
                .replacingOccurrences(of: "{start}", with: answer.windowStart ?? "")
                .replacingOccurrences(of: "{end}", with: answer.windowEnd ?? "")
            page.detail = answer.isTestDay
                ? (m["call_in_detail"] ?? "")
                    .replacingOccurrences(of: "{date}", with: day)
                    .replacingOccurrences(of: "{zone}", with: answer.timeZoneID)
                    .replacingOccurrences(of: "{specimen}", with: answer.specimen.map { m["specimen_\($0.rawValue)"] ?? $0.rawValue } ?? "")
                : (m["call_in_free_detail"] ?? "").replacingOccurrences(of: "{date}", with: day)
            page.code = ""
            return try await req.page("call_in", title: "call_in_title", content: page)
        } catch is ValidationFailure {
            page.error = t["call_in_bad_code"]
            return try await req.page("call_in", title: "call_in_title", content: page, status: .unprocessableEntity)
        } catch let error as APIError {
            guard case .notFound = error else { throw error }
            page.error = t["call_in_unknown"]
            return try await req.page("call_in", title: "call_in_title", content: page, status: .notFound)
        } catch let abort as any AbortError where abort.status == .tooManyRequests {
            page.error = t["call_in_too_many"]
            return try await req.page("call_in", title: "call_in_title", content: page, status: .tooManyRequests)
        }
    }

    /// The person's preferred language when the interface speaks it.
    private func language(of personID: UUID, _ req: Request) async throws -> String? {
        guard let tag = try await req.diversion.people.find(personID, on: req.db)?.details.preferredLanguage else { return nil }
        return Localizer.catalogue(for: tag)
    }
}
