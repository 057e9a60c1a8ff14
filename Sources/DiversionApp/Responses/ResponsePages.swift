import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The responses page of a measure (behaviour → suggestions with reasons → a choice with a why → recorded, and the ratio)
/// and the active policy's response matrix.
struct ResponsePages {
    struct SuggestionRow: Encodable {
        var code: String
        var name: String
        var kind: String
        var kindLabel: String
        var reason: String
        var checked: Bool
    }

    struct ResponseRow: Encodable {
        var id: String
        var behaviour: String
        var when: String
        var phase: Int
        var option: String
        var kind: String
        var kindLabel: String
        var suggested: Bool
        var by: String
        var decidedAt: String
        var why: String
    }

    struct RatioRow: Encodable {
        var incentives: Int
        var sanctions: Int
        var adjustments: Int
        var ratio: String
        var below: Bool
    }

    struct Page: Encodable {
        var measure: MeasureHeader
        var behaviourOptions: [Option]
        var occurredAt: String
        var timeZone: String
        var suggested: Bool
        var behaviour: String
        var behaviourLabel: String
        var daysInTreatment: Int
        var suggestions: [SuggestionRow]
        var hasSuggestions: Bool
        var otherOptions: [Option]
        var why: String
        var items: [ResponseRow]
        var hasItems: Bool
        var person: RatioRow
        var programme: RatioRow
        var target: String
        var canSuggest: Bool
        var canRecord: Bool
        var canReadCompliance: Bool
        var notice: String?
        var errors: [ShownError]
        var hasErrors: Bool
    }

    struct StepCell: Encodable {
        var occurrence: Int
        var options: [String]
    }

    struct MatrixCell: Encodable {
        var steps: [StepCell]
        var lookBack: Int
    }

    struct MatrixRow: Encodable {
        var code: String
        var behaviour: String
        var desired: Bool
        var cells: [MatrixCell]
    }

    struct PhaseRow: Encodable {
        var number: Int
        var name: String
        var minDays: Int
        var minNegatives: Int
        var minAttendance: String
    }

    struct OptionRow: Encodable {
        var code: String
        var name: String
        var kind: String
        var kindLabel: String
        var magnitude: Int
        var lastResort: Bool
    }

    struct MatrixPage: Encodable {
        var phases: [PhaseRow]
        var rows: [MatrixRow]
        var options: [OptionRow]
        var lookBackDays: Int
        var earlyDays: Int
        var earlySteps: [StepCell]
        var target: String
        var policyVersion: String
    }

    struct BehaviourForm: Decodable {
        var behaviour: String?
        var occurredAt: String?
        var option: String?
        var other: String?
        var why: String?
    }

    func register(_ web: any RoutesBuilder) {
        web.endpoint(.GET, "measures", ":id", "responses", access: .allowed(.read, .response), use: show)
        web.endpoint(.POST, "measures", ":id", "responses", "suggest", access: .allowed(.evaluate, .response), use: suggest)
        web.endpoint(.POST, "measures", ":id", "responses", access: .allowed(.create, .response), use: record)
        web.endpoint(.GET, "supervision", "responses", access: .allowed(.evaluate, .response), use: matrix)
    }

    @Sendable func show(_ req: Request) async throws -> Response {
        try await render(req, measure: try await req.measureParameter(), form: BehaviourForm(), suggest: false, errors: [], status: .ok)
    }

    @Sendable func suggest(_ req: Request) async throws -> Response {
        let measure = try await req.measureParameter()
        let form = try req.content.decode(BehaviourForm.self)
        return try await render(req, measure: measure, form: form, suggest: true, errors: [], status: .ok)
    }

    @Sendable func record(_ req: Request) async throws -> Response {
        let measure = try await req.measureParameter()
        let form = try req.content.decode(BehaviourForm.self)
        let other = form.other?.trimmingCharacters(in: .whitespaces) ?? ""
        do {
            _ = try await ResponseService(request: req).record(measure, behaviour: form.behaviour, occurredAt: form.occurredAt,
                                                               option: other.isEmpty ? form.option : other, why: form.why)
            return req.redirect(to: "/measures/\(measure.id.uuidString.lowercased())/responses?notice=recorded", redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await render(req, measure: measure, form: form, suggest: true, errors: failure.errors, status: .unprocessableEntity)
        } catch let error as APIError {
            guard case .conflict(let message) = error else { throw error }
            return try await render(req, measure: measure, form: form, suggest: false, errors: [FieldError("option", message)], status: .conflict)
        }
    }

    private func render(_ req: Request, measure: MeasureRecord, form: BehaviourForm, suggest: Bool, errors: [FieldError], status: HTTPResponseStatus) async throws -> Response {
        let t = req.messages
        let principal = try req.requirePrincipal()
        let policy = try await req.activePolicy().policy
        let matrix = policy.supervision.responses
        let zone = TimeZone(identifier: policy.supervision.timeZone) ?? .gmt
        let service = ResponseService(request: req)
        let person = try await PeopleService(request: req).read(measure.personID)
        var shownErrors = errors

        var suggestions: [SuggestionRow] = []
        var days = 0
        var behaviour: Behaviour?
        let occurredText = form.occurredAt?.trimmingCharacters(in: .whitespaces) ?? ""
        if suggest {
            var found = FieldErrors()
            if let o = service.occurrence(form.behaviour, form.occurredAt, required: false, measure: measure, zone: zone, errors: &found) {
                behaviour = o.behaviour
                let (suggested, d) = try await service.suggestions(for: o, measure: measure, matrix: matrix, zone: zone)
                days = d
                let chosen = form.option ?? suggested.first?.option.code
                let names = req.policyWording.responseNames(matrix)
                suggestions = suggested.map { s in
                    SuggestionRow(code: s.option.code, name: req.policyWording.response(s.option), kind: s.option.kind.rawValue,
                                  kindLabel: t["response_kind_\(s.option.kind.rawValue)"] ?? s.option.kind.words, reason: req.reason(s.reason, names: names), checked: s.option.code == chosen)
                }
            } else if errors.isEmpty {
                shownErrors = found.all
            }
        }
        let (items, personal, programme, _) = try await service.list(measure)
        let label = { (b: Behaviour) in t["behaviour_\(b.rawValue)"] ?? b.words }
        let allowedKinds: Set<ResponseKind> = behaviour.map { $0.isDesired ? [.incentive] : [.sanction, .treatmentAdjustment] } ?? Set(ResponseKind.allCases)
        let page = Page(
            measure: MeasureHeader(measure, person: person.details.fullName, matrix: matrix, t: t, f: req.format),
            behaviourOptions: Behaviour.allCases.map { Option(value: $0.rawValue, label: label($0), selected: $0.rawValue == form.behaviour) },
            occurredAt: occurredText.isEmpty ? CompliancePages.localFormTime(req.now, zone: zone) : occurredText,
            timeZone: zone.identifier, suggested: behaviour != nil,
            behaviour: behaviour?.rawValue ?? "", behaviourLabel: behaviour.map(label) ?? "", daysInTreatment: days,
            suggestions: suggestions, hasSuggestions: !suggestions.isEmpty,
            otherOptions: [Option(value: "", label: t["responses_other_none"] ?? "—", selected: (form.other ?? "").isEmpty)]
                + matrix.options.filter { allowedKinds.contains($0.kind) }.map {
                    Option(value: $0.code, label: "\(req.policyWording.response($0)) (\(t["response_kind_\($0.kind.rawValue)"] ?? $0.kind.words))", selected: $0.code == form.other)
                },
            why: form.why ?? "",
            items: items.reversed().map { r in
                ResponseRow(id: r.id.uuidString.lowercased(), behaviour: label(r.behaviour), when: req.shown(r.behaviourAt), phase: r.phase,
                            option: req.policyWording.response(r.option), kind: r.option.kind.rawValue, kindLabel: t["response_kind_\(r.option.kind.rawValue)"] ?? r.option.kind.words,
                            suggested: r.wasSuggested, by: r.decidedByName, decidedAt: req.shown(r.decidedAt), why: r.why)
            },
            hasItems: !items.isEmpty,
            person: Self.ratio(personal, req.format), programme: Self.ratio(programme, req.format),
            target: Self.number(matrix.incentiveRatioTarget, req.format),
            canSuggest: measure.isActive && req.diversion.policy.decide(principal, .evaluate, .response).isAllowed,
            canRecord: measure.isActive && req.diversion.policy.decide(principal, .create, .response).isAllowed,
            canReadCompliance: req.diversion.policy.decide(principal, .read, .compliance).isAllowed,
            notice: req.query[String.self, at: "notice"] == "recorded" ? t["responses_notice_recorded"] : nil,
            errors: shownErrors.map { e in
                var shown = ShownError(e)
                if e.field == "option" { shown.anchor = "suggestions" }
                return shown
            },
            hasErrors: !shownErrors.isEmpty
        )
        return try await req.page("responses", title: "responses_title", content: page, status: status)
    }

    static func ratio(_ r: ResponseRatio, _ f: LocaleFormat) -> RatioRow {
        RatioRow(incentives: r.incentives, sanctions: r.sanctions, adjustments: r.treatmentAdjustments,
                 ratio: r.ratio.map { "\(number($0, f)):1" } ?? "—", below: r.belowTarget)
    }

    /// A ratio or target with at most one decimal, cut rather than rounded, in the page's language ("4", "2.5", "2,5").
    static func number(_ value: Double, _ f: LocaleFormat) -> String {
        f.number((value * 10).rounded(.down) / 10, maxFractionDigits: 1)
    }

    /// The active policy's matrix as a table: behaviours down, phases across, the escalation steps in each cell.
    @Sendable func matrix(_ req: Request) async throws -> Response {
        let t = req.messages
        let active = try await req.activePolicy()
        let matrix = active.policy.supervision.responses
        let phases = matrix.phases.sorted { $0.number < $1.number }
        let name = { (code: String) -> String in
            guard let o = matrix.option(code) else { return PolicyWording.readable(code) }
            return "\(req.policyWording.response(o)) (\(t["response_kind_\(o.kind.rawValue)"] ?? o.kind.words))"
        }
        let steps = { (codes: [[String]]) in codes.enumerated().map { StepCell(occurrence: $0.offset + 1, options: $0.element.map(name)) } }
        let rows = Behaviour.allCases.map { b in
            MatrixRow(code: b.rawValue, behaviour: t["behaviour_\(b.rawValue)"] ?? b.words, desired: b.isDesired, cells: phases.map { p in
                let rule = matrix.rule(for: b, phase: p.number)
                return MatrixCell(steps: steps(rule?.steps ?? []), lookBack: rule?.lookBackDays ?? matrix.lookBackDays)
            })
        }
        let page = MatrixPage(
            phases: phases.map {
                PhaseRow(number: $0.number, name: req.policyWording.phase($0), minDays: $0.promotion.minDaysInPhase, minNegatives: $0.promotion.minConsecutiveNegativeTests,
                         minAttendance: req.format.percent($0.promotion.minAttendanceRate, maxFractionDigits: 0))
            },
            rows: rows,
            options: matrix.options.map {
                OptionRow(code: $0.code, name: req.policyWording.response($0), kind: $0.kind.rawValue, kindLabel: t["response_kind_\($0.kind.rawValue)"] ?? $0.kind.words,
                          magnitude: $0.magnitude, lastResort: $0.isLastResort)
            },
            lookBackDays: matrix.lookBackDays, earlyDays: matrix.earlyTreatment.days, earlySteps: steps(matrix.earlyTreatment.steps),
            target: Self.number(matrix.incentiveRatioTarget, req.format), policyVersion: "\(active.policy.jurisdiction) \(active.policy.version)"
        )
        return try await req.page("response_matrix", title: "matrix_title", content: page)
    }
}
