import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The screening form of a contact: the instrument the policy picks for the person's age, with
/// prompts in the page's language; the answers are scored and stored like the API's.
struct ScreeningPages {
    struct Question: Encodable {
        var name: String
        var prompt: String
        /// yesno, choice or days
        var kind: String
        var options: [Option]
        var value: String
    }

    struct Section: Encodable {
        var id: String
        var title: String
        var questions: [Question]
    }

    struct FormPage: Encodable {
        var contactId: String
        var personName: String
        var instrument: String
        var instrumentLabel: String
        var intro: String
        var choices: [Option]
        var hasChoices: Bool
        var sections: [Section]
        var errors: [ShownError]
        var hasErrors: Bool
    }

    func register(_ web: any RoutesBuilder) {
        web.endpoint(.GET, "contacts", ":id", "screening", access: .allowed(.create, .screening), use: form)
        web.endpoint(.POST, "contacts", ":id", "screening", access: .allowed(.create, .screening), use: submit)
    }

    /// The instruments allowed for this person: minors only the policy's minors instrument.
    private func allowed(for person: Person, _ req: Request) async throws -> (ScreeningInstrument, [ScreeningInstrument]) {
        let p = try await req.activePolicy().policy
        let age = person.details.birthDate.completedYears(on: CalendarDate(req.now))
        if age < p.ageOfMajority { return (p.instruments.minors, [p.instruments.minors]) }
        let adults: [ScreeningInstrument] = [.assist, .dast10, .audit, .auditc]
        return (p.instruments.adults, [p.instruments.adults] + adults.filter { $0 != p.instruments.adults })
    }

    @Sendable func form(_ req: Request) async throws -> Response {
        let id = try req.idParameter(of: "contact")
        return try await render(req, contactID: id, chosen: req.query[String.self, at: "instrument"], values: [:], errors: [], status: .ok)
    }

    private func render(_ req: Request, contactID: UUID, chosen: String?, values: [String: String], errors: [FieldError], status: HTTPResponseStatus) async throws -> Response {
        // Screening from a contact also shows the contact, which the policy must allow too.
        try req.enforce(.allowed(.read, .contact))
        let contact = try await ContactService(request: req).read(contactID)
        let person = try await PeopleService(request: req).read(contact.personID)
        let (standard, allowed) = try await allowed(for: person, req)
        let instrument = chosen.flatMap(ScreeningInstrument.init(rawValue:)).flatMap { allowed.contains($0) ? $0 : nil } ?? standard
        let w = req.diversion.wording.prompts(req.language)
        let t = req.messages
        let page = FormPage(
            contactId: contactID.uuidString.lowercased(),
            personName: person.details.fullName,
            instrument: instrument.rawValue,
            instrumentLabel: w["instrument.\(instrument.rawValue)"] ?? t["instrument_\(instrument.rawValue)"] ?? instrument.rawValue,
            intro: w["instrument.intro"] ?? "",
            choices: allowed.map { Option(value: $0.rawValue, label: w["instrument.\($0.rawValue)"] ?? $0.rawValue, selected: $0 == instrument) },
            hasChoices: allowed.count > 1,
            sections: Self.sections(instrument, w, values),
            errors: errors.map(ShownError.init), hasErrors: !errors.isEmpty
        )
        return try await req.page("screening", title: "screening_title", content: page, status: status)
    }

    static func yesNo(_ name: String, _ prompt: String, _ w: [String: String], _ values: [String: String], default value: String = "") -> Question {
        Question(name: name, prompt: prompt, kind: "yesno", options: [
            Option(value: "yes", label: w["answer.yes"] ?? "Yes", selected: (values[name] ?? value) == "yes"),
            Option(value: "no", label: w["answer.no"] ?? "No", selected: (values[name] ?? value) == "no"),
        ], value: values[name] ?? value)
    }

    static func choice(_ name: String, _ prompt: String, _ labels: [String], _ values: [String: String]) -> Question {
        let current = values[name] ?? "0"
        return Question(name: name, prompt: prompt, kind: "choice",
                        options: labels.enumerated().map { Option(value: String($0), label: $1, selected: String($0) == current) }, value: current)
    }

    static func sections(_ instrument: ScreeningInstrument, _ w: [String: String], _ values: [String: String]) -> [Section] {
        func text(_ key: String) -> String { w[key] ?? key }
        switch instrument {
        case .dast10:
            return [Section(id: "dast10", title: "", questions: (1...10).map { yesNo("d\($0)", text("dast10.q\($0)"), w, values) })]
        case .audit, .auditc:
            let count = instrument == .audit ? 10 : 3
            return [Section(id: instrument.rawValue, title: "", questions: (1...count).map { i in
                let options = i <= 8 ? 5 : 3
                return choice("a\(i)", text("audit.q\(i)"), (0..<options).map { text("audit.q\(i).o\($0)") }, values)
            })]
        case .crafft:
            let partA = (1...3).map { Question(name: "ca\($0)", prompt: text("crafft.a\($0)"), kind: "days", options: [], value: values["ca\($0)"] ?? "0") }
            let partB = (1...6).map { yesNo("cb\($0)", text("crafft.b\($0)"), w, values) }
            return [Section(id: "crafft-a", title: "A", questions: partA), Section(id: "crafft-b", title: "B", questions: partB)]
        case .assist:
            let freq = (0...4).map { text("assist.freq.o\($0)") }
            let concern = (0...2).map { text("assist.concern.o\($0)") }
            let inject = (0...2).map { text("assist.inject.o\($0)") }
            var sections = ASSISTForm.substances.map { s in
                let name = text("assist.substance.\(s)")
                func q(_ n: Int) -> String { text("assist.q\(n)").replacingOccurrences(of: "{substance}", with: name) }
                var questions = [yesNo("\(s)_q1", q(1), w, values, default: "no"), choice("\(s)_q2", q(2), freq, values)]
                questions += [choice("\(s)_q3", q(3), freq, values), choice("\(s)_q4", q(4), freq, values)]
                if s != "tobacco" { questions.append(choice("\(s)_q5", q(5), freq, values)) }
                questions += [choice("\(s)_q6", q(6), concern, values), choice("\(s)_q7", q(7), concern, values)]
                return Section(id: "assist-\(s)", title: name.prefix(1).uppercased() + name.dropFirst(), questions: questions)
            }
            // Injecting is asked once, about any drug, as in the interview.
            let any = w["assist.substance.any"] ?? "drugs"
            sections.append(Section(id: "assist-injection", title: "", questions: [
                choice("inject", text("assist.q8").replacingOccurrences(of: "{substance}", with: any), inject, values),
            ]))
            return sections
        }
    }

    @Sendable func submit(_ req: Request) async throws -> Response {
        let id = try req.idParameter(of: "contact")
        try req.enforce(.allowed(.read, .contact))
        let values = try req.content.decode([String: String].self)
        guard let contact = try await ContactStore().find(id, req.sealedView, on: req.db) else {
            throw APIError.notFound("No contact has the id \(id.uuidString.lowercased()).")
        }
        let instrument = ScreeningInstrument(rawValue: values["instrument"] ?? "")
        do {
            guard let instrument else { throw ValidationFailure([FieldError("instrument", "Choose an instrument.")]) }
            _ = try await ScreeningService(request: req).record(
                personID: contact.personID, instrument: instrument, answers: Self.answers(instrument, values), sex: nil
            )
            return req.redirect(to: "/contacts/\(id.uuidString.lowercased())?notice=screened#screening", redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await render(req, contactID: id, chosen: instrument?.rawValue, values: values, errors: failure.errors, status: .unprocessableEntity)
        }
    }

    /// The form's fields as the instrument's answers; unanswered items stay null so the core names them.
    static func answers(_ instrument: ScreeningInstrument, _ v: [String: String]) -> AnswerValue {
        func bool(_ key: String) -> AnswerValue {
            switch v[key] {
            case "yes": .bool(true)
            case "no": .bool(false)
            default: .null
            }
        }
        func number(_ key: String) -> AnswerValue {
            guard let text = v[key]?.trimmingCharacters(in: .whitespaces), let n = Int(text) else { return .null }
            return .number(Double(n))
        }
        switch instrument {
        case .dast10:
            return .array((1...10).map { bool("d\($0)") })
        case .audit:
            return .array((1...10).map { number("a\($0)") })
        case .auditc:
            return .array((1...3).map { number("a\($0)") })
        case .crafft:
            let days = (1...3).map { number("ca\($0)") }
            let anyUse = days.contains { if case .number(let n) = $0 { n > 0 } else { false } }
            return .object([
                "partA": .object(["alcoholDays": days[0], "cannabisDays": days[1], "otherDays": days[2]]),
                "partB": .array((1...(anyUse ? 6 : 1)).map { bool("cb\($0)") }),
            ])
        case .assist:
            var root: [String: AnswerValue] = [:]
            for s in ASSISTForm.substances where v["\(s)_q1"] == "yes" {
                var q: [String: AnswerValue] = ["q1": .bool(true), "q2": number("\(s)_q2")]
                // Questions 3 to 5 are only asked about substances used in the past three months.
                if case .number(let n) = q["q2"], n > 0 {
                    q["q3"] = number("\(s)_q3")
                    q["q4"] = number("\(s)_q4")
                    if s != "tobacco" { q["q5"] = number("\(s)_q5") }
                }
                q["q6"] = number("\(s)_q6")
                q["q7"] = number("\(s)_q7")
                root[s] = .object(q)
            }
            // The single injection answer is kept with the first substance other than tobacco and alcohol that was used.
            if let first = ASSISTForm.substances.dropFirst(2).first(where: { root[$0] != nil }), case .object(var q)? = root[first] {
                q["q8"] = number("inject")
                root[first] = .object(q)
            }
            return .object(root)
        }
    }
}

/// The ASSIST substance classes in form order.
enum ASSISTForm {
    static let substances = ["tobacco", "alcohol", "cannabis", "cocaine", "amphetamines", "inhalants", "sedatives", "hallucinogens", "opioids", "other"]
}
