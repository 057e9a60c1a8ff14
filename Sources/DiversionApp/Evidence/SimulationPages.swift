import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The analyst's policy simulation: paste a candidate policy, replay the evidence's contacts under it and read what
/// changes against the active policy. Only suppressed counts reach the page.
struct SimulationPages {
    struct Problem: Encodable {
        var place: String
        var path: String
        var message: String
    }

    /// One row of the groups table as shown: withheld counts carry the word for it.
    struct Row: Encodable {
        var group: [String]
        var contacts: Cell
        var recordedDiverted: Cell
        var baseline: Cell
        var candidate: Cell
        var difference: Cell
    }

    struct Cell: Encodable {
        var text: String
        var withheld: Bool
    }

    struct Result: Encodable {
        var baseline: String
        var candidate: String
        var period: String
        var headers: [String]
        var total: Row
        var groups: [Row]
        var hasGroups: Bool
        var rules: [String]
        var hasRules: Bool
        var custodyBaseline: Cell
        var custodyCandidate: Cell
        var custodyDifference: Cell
        var savingBaseline: Cell
        var savingCandidate: Cell
        var savingDifference: Cell
        var currency: String
        var formula: String
        var costSource: String
        var assumptions: [String]
        var suppression: String
        var timing: String
    }

    struct Page: Encodable {
        var document: String
        var from: String
        var to: String
        var dimensions: [Option]
        var problems: [Problem]
        var hasProblems: Bool
        var errors: [ShownError]
        var hasErrors: Bool
        var result: Result?
        var hasResult: Bool { result != nil }

        enum CodingKeys: String, CodingKey { case document, from, to, dimensions, problems, hasProblems, errors, hasErrors, result, hasResult }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(document, forKey: .document)
            try c.encode(from, forKey: .from)
            try c.encode(to, forKey: .to)
            try c.encode(dimensions, forKey: .dimensions)
            try c.encode(problems, forKey: .problems)
            try c.encode(hasProblems, forKey: .hasProblems)
            try c.encode(errors, forKey: .errors)
            try c.encode(hasErrors, forKey: .hasErrors)
            try c.encodeIfPresent(result, forKey: .result)
            try c.encode(hasResult, forKey: .hasResult)
        }
    }

    struct Form: Decodable {
        var document: String?
        var from: String?
        var to: String?
        var by: [String]?
    }

    func register(_ web: any RoutesBuilder) {
        web.endpoint(.GET, "analysis", "simulation", access: .allowed(.evaluate, .simulation), use: show)
        web.endpoint(.POST, "analysis", "simulation", access: .allowed(.evaluate, .simulation), use: simulate)
    }

    /// The form, with the active policy's own document to start from.
    @Sendable func show(_ req: Request) async throws -> Response {
        let document = try await PolicyStore().activeDocument(on: req.db)?.document ?? ""
        let policy = try await req.activePolicy().policy
        return try await render(req, policy: policy, Page(
            document: document, from: "", to: "", dimensions: options(req, policy: policy, chosen: [.sex, .ageGroup]),
            problems: [], hasProblems: false, errors: [], hasErrors: false, result: nil
        ))
    }

    @Sendable func simulate(_ req: Request) async throws -> Response {
        let form = try req.content.decode(Form.self)
        let baseline = try await req.activePolicy().policy
        let document = form.document ?? ""
        var errors = FieldErrors()
        let from = Self.date(form.from, "from", &errors), to = Self.date(form.to, "to", &errors)
        if let from, let to, to < from { errors.add("to", "The last day is before the first.") }
        var dimensions: [SimulationDimension] = []
        do {
            dimensions = try SimulationDimension.parse((form.by ?? []).joined(separator: ","))
        } catch {
            for e in error.errors { errors.add(e.field, e.reason) }
        }
        var page = Page(
            document: document, from: form.from ?? "", to: form.to ?? "", dimensions: options(req, policy: baseline, chosen: Set(dimensions)),
            problems: [], hasProblems: false, errors: [], hasErrors: false, result: nil
        )
        guard document.utf8.count <= 200_000 else {
            page.problems = [Problem(place: "", path: "document", message: "A policy document has at most 200 kB.")]
            page.hasProblems = true
            return try await render(req, policy: baseline, page, status: .unprocessableEntity)
        }
        let candidate: JurisdictionPolicy
        switch PolicyFile.read(document) {
        case .failure(let problems):
            page.problems = problems.all.map { p in Problem(place: p.line.map { "\($0):\(p.column ?? 1)" } ?? "", path: p.path, message: p.message) }
            page.hasProblems = true
            return try await render(req, policy: baseline, page, status: .unprocessableEntity)
        case .success(let policy):
            candidate = policy
        }
        guard errors.isEmpty else {
            page.errors = errors.all.map(ShownError.init)
            page.hasErrors = true
            return try await render(req, policy: baseline, page, status: .unprocessableEntity)
        }
        let clock = ContinuousClock()
        var contacts = ReplayContactsBuilder().build()
        let load = try await clock.measure { contacts = try await SimulationLoader().load(to: to, on: req.db) }
        var reports: [SimulationReport] = []
        let run = clock.measure {
            reports = PolicySimulation.run(contacts: contacts, baseline: baseline, candidates: [candidate], groupBy: dimensions, from: from, to: to)
        }
        guard let report = reports.first?.published() else { throw Abort(.internalServerError, reason: "the simulation gave no report") }
        try await req.diversion.auditTrail.record([try req.auditEvent(.read, "policy_simulation", id: "\(candidate.jurisdiction) \(candidate.version)".prefix(200).description)])
        page.result = result(report, req: req, baseline: baseline, timing: (Self.seconds(load), Self.seconds(run), contacts.count))
        return try await render(req, policy: baseline, page)
    }

    private func render(_ req: Request, policy: JurisdictionPolicy, _ page: Page, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.page("analysis_simulation", title: "simulation_title", content: page, status: status)
    }

    private func options(_ req: Request, policy: JurisdictionPolicy, chosen: Set<SimulationDimension>) -> [Option] {
        let w = EvidenceWording(t: req.messages, policy: policy, format: req.format)
        return SimulationDimension.allCases.map { d in
            Option(value: d.rawValue, label: d == .offence ? w.word("simulation_dim_offence", "Offence category") : w.dimension(Self.evidence(d)),
                   selected: chosen.contains(d))
        }
    }

    private func result(_ r: PublishedSimulation, req: Request, baseline: JurisdictionPolicy, timing: (load: Double, run: Double, contacts: Int)) -> Result {
        let t = req.messages
        let w = EvidenceWording(t: t, policy: baseline, format: req.format)
        let withheld = w.word("evidence_suppressed", "suppressed")
        let count = { (v: Int?) in Cell(text: v.map { w.format.number($0) } ?? withheld, withheld: v == nil) }
        let signed = { (v: Int?) in Cell(text: v.map { ($0 > 0 ? "+" : "") + w.format.number($0) } ?? withheld, withheld: v == nil) }
        let money = { (v: Double?) in
            Cell(text: v.map { w.format.number($0.rounded(), maxFractionDigits: 0) } ?? withheld, withheld: v == nil)
        }
        func row(_ row: PublishedSimulation.Row) -> Row {
            let labels = zip(r.dimensions, row.group).map { d, raw in
                d == .offence ? PolicyWording(language: w.format.language, messages: t).offence(raw, in: baseline) : w.value(Self.evidence(d), raw)
            }
            return Row(group: labels, contacts: count(row.contacts), recordedDiverted: count(row.recordedDiverted), baseline: count(row.baselineDiverted),
                       candidate: count(row.candidateDiverted), difference: signed(row.difference))
        }
        let c = r.custody
        let f = { (v: Double) in w.format.number(v) }
        let formula = w.word("simulation_formula", "Saving = custody days avoided × (prison {prison} − {alternative} {alternativeCost}) a day, in {currency}.")
            .replacingOccurrences(of: "{prison}", with: f(c.prisonPerDay))
            .replacingOccurrences(of: "{alternative}", with: t["route_\(c.alternative)"] ?? t["measure_\(c.alternative)"] ?? PolicyWording.readable(c.alternative).lowercased())
            .replacingOccurrences(of: "{alternativeCost}", with: f(c.alternativePerDay))
            .replacingOccurrences(of: "{currency}", with: c.currency)
        let period = [r.from.map { "\(w.word("simulation_from", "From")) \(w.format.date($0))" }, r.to.map { "\(w.word("simulation_to", "to")) \(w.format.date($0))" }]
            .compactMap { $0 }.joined(separator: " ")
        let timingText = w.word("simulation_timing", "Loaded {contacts} contacts in {load} s; simulated in {run} s.")
            .replacingOccurrences(of: "{contacts}", with: w.format.number(timing.contacts))
            .replacingOccurrences(of: "{load}", with: w.format.number(timing.load))
            .replacingOccurrences(of: "{run}", with: w.format.number(timing.run))
        return Result(
            baseline: "\(r.baseline.jurisdiction) \(r.baseline.version)", candidate: "\(r.candidate.jurisdiction) \(r.candidate.version)",
            period: period.isEmpty ? w.word("simulation_all_contacts", "All contacts on record") : period,
            headers: r.dimensions.map { d in d == .offence ? w.word("simulation_dim_offence", "Offence category") : w.dimension(Self.evidence(d)) },
            total: row(r.total), groups: r.groups.map(row), hasGroups: !r.groups.isEmpty,
            rules: r.rules.map(\.sentence), hasRules: !r.rules.isEmpty,
            custodyBaseline: count(c.baselineDays), custodyCandidate: count(c.candidateDays), custodyDifference: signed(c.daysDifference),
            savingBaseline: money(c.baselineSaving), savingCandidate: money(c.candidateSaving), savingDifference: money(c.savingDifference),
            currency: c.currency, formula: formula, costSource: c.source, assumptions: r.assumptions,
            suppression: w.word("evidence_suppression_note", "Counts below {threshold} are suppressed, and so are other cells that would reveal them.")
                .replacingOccurrences(of: "{threshold}", with: w.format.number(r.suppressionThreshold)),
            timing: timingText
        )
    }

    /// The evidence cut whose words a simulation dimension shares.
    static func evidence(_ d: SimulationDimension) -> EvidenceDimension {
        switch d {
        case .sex: .sex
        case .ageGroup: .ageGroup
        case .region: .region
        case .nationality: .nationality
        case .substance: .substance
        case .offence: .offence
        }
    }

    static func date(_ text: String?, _ field: String, _ errors: inout FieldErrors) -> CalendarDate? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let date = CalendarDate(text) else {
            errors.add(field, "Write a date as YYYY-MM-DD.")
            return nil
        }
        return date
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
}
