import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The evidence pages: the analyst's dashboard, the indicator catalogue, one indicator cut any way (also as CSV),
/// and the public page. Every figure comes from a suppressed indicator table; no page shows a row about a person.
struct EvidencePages {
    struct DashboardPage: Encodable {
        var headlines: [Headline]
        var figures: [EvidenceFigure]
        var period: String
        var asOf: String
        var canRefresh: Bool
        var canSimulate: Bool
        var notice: String?
    }

    struct CatalogueEntry: Encodable {
        var code: String
        var title: String
        var definition: String
        var kind: String
    }

    struct CataloguePage: Encodable {
        var indicators: [CatalogueEntry]
        var asOf: String
    }

    struct IndicatorPage: Encodable {
        var code: String
        var title: String
        var definition: String
        var kind: String
        var dimensions: [Option]
        var from: String
        var to: String
        var asOfDate: String
        var regions: [Option]
        var figures: [EvidenceFigure]
        var csv: String
        var asOf: String
        var errors: [ShownError]
        var hasErrors: Bool
    }

    /// The page the public and the press read; cached briefly, since it is the same for everyone.
    struct PublicPage: Encodable, Sendable {
        var jurisdiction: String
        var hasFigures: Bool
        var headlines: [Headline]
        var figures: [EvidenceFigure]
        var period: String
        var asOf: String
    }

    let publicCache = PublicPageCache()

    func register(_ web: any RoutesBuilder) {
        web.endpoint(.GET, "analysis", access: .allowed(.search, .indicator), use: dashboard)
        web.endpoint(.POST, "analysis", "refresh", access: .allowed(.update, .indicator), use: refresh)
        web.endpoint(.GET, "analysis", "indicators", access: .allowed(.search, .indicator), use: catalogue)
        web.endpoint(.GET, "analysis", "indicators", ":code", access: .allowed(.read, .indicator), use: indicator)
        web.endpoint(.GET, "public", access: .anyone, use: publicPage)
    }

    // MARK: Dashboard

    @Sendable func dashboard(_ req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        let policy = try await req.activePolicy().policy
        let w = EvidenceWording(t: req.messages, policy: policy, format: req.format)
        let today = CalendarDate(req.now)
        let (from, to) = Self.lastTwelveMonths(today)
        let store = EvidenceStore()
        func table(_ code: String, _ by: [EvidenceDimension] = [], inPeriod: Bool = true) async throws -> IndicatorTable {
            guard let indicator = IndicatorCatalogue.named(code) else { throw Abort(.internalServerError, reason: "indicator \(code) is not in the catalogue") }
            let query = IndicatorQuery(indicator: indicator, by: by, from: inPeriod ? from : nil, to: inPeriod ? to : nil, asOf: today)
            return try await store.table(query, policy: policy, on: req.db)
        }
        let contacts = try await table("contacts")
        let people = try await table("people_in_contact")
        let diverted = try await table("diverted_share")
        let completion = try await table("completion_rate")
        let recidivism = try await table("recidivism_12", [.pathway], inPeriod: false)
        let divertedBy = try await table("diverted_share", [.ageGroup, .sex])
        let monthly = try await table("contacts", [.month])
        let tests = try await table("negative_tests", [.month])
        // Against the comparison group (eligible but not diverted), not against everyone else.
        let reoffence = try await table("time_to_reoffence", [.comparison], inPeriod: false)
        try await req.diversion.auditTrail.record(try Set(["contacts", "people_in_contact", "diverted_share", "completion_rate", "recidivism_12",
                                                           "negative_tests", "time_to_reoffence"]).sorted().map {
            try req.auditEvent(.read, "indicator", id: $0)
        })

        let recidivismLabel = w.title(recidivism.indicator)
        let headlines = [
            Headline(id: "contacts", label: w.title(contacts.indicator), table: contacts, wording: w),
            Headline(id: "people", label: w.title(people.indicator), table: people, wording: w),
            Headline(id: "diverted", label: w.title(diverted.indicator), table: diverted, wording: w),
            Headline(id: "completion", label: w.title(completion.indicator), table: completion, wording: w),
            Headline(id: "recidivism-diverted", label: recidivismLabel + " — " + w.value(.pathway, "diverted"), table: recidivism,
                     where: ["pathway": "diverted"], wording: w),
            Headline(id: "recidivism-not-diverted", label: recidivismLabel + " — " + w.value(.pathway, "not_diverted"), table: recidivism,
                     where: ["pathway": "not_diverted"], wording: w),
        ]
        let figures = [
            EvidenceFigure(divertedBy, id: "diverted-by-sex-age", title: w.word("evidence_fig_diverted", "Share diverted by age group and sex"), wording: w),
            EvidenceFigure(monthly, id: "contacts-by-month", title: w.word("evidence_fig_contacts", "Contacts by month"), wording: w),
            EvidenceFigure(tests, id: "negative-tests-by-month", title: w.word("evidence_fig_tests", "Share of negative tests by month"), wording: w),
            EvidenceFigure(reoffence, id: "time-to-reoffence", title: w.word("evidence_fig_reoffence", "Time to a new offence: diverted and the comparison group"), wording: w,
                           survivalAxis: w.word("evidence_days_since_contact", "Days since the contact")),
        ]
        let page = DashboardPage(
            headlines: headlines, figures: figures, period: w.periodNote(contacts), asOf: try await asOfNote(req, w),
            canRefresh: req.diversion.policy.decide(principal, .update, .indicator).isAllowed,
            canSimulate: req.diversion.policy.decide(principal, .evaluate, .simulation).isAllowed,
            notice: req.query[String.self, at: "notice"] == "refreshed" ? w.word("evidence_refreshed", "The figures were counted again.") : nil
        )
        return try await req.page("analysis", title: "analysis_title", content: page)
    }

    @Sendable func refresh(_ req: Request) async throws -> Response {
        let policy = try await req.activePolicy().policy
        try await EvidenceRefresh().run(policy: policy, at: req.now, on: req.db)
        try await req.diversion.auditTrail.record([try req.auditEvent(.update, "evidence_facts", id: FactSource.recorded.rawValue)])
        await publicCache.clear()
        return req.redirect(to: "/analysis?notice=refreshed", redirectType: .normal)
    }

    // MARK: Catalogue and one indicator

    @Sendable func catalogue(_ req: Request) async throws -> Response {
        let policy = try await req.activePolicy().policy
        let w = EvidenceWording(t: req.messages, policy: policy, format: req.format)
        let entries = IndicatorCatalogue.all.map {
            CatalogueEntry(code: $0.code, title: w.title($0), definition: w.definition($0), kind: w.word("evidence_kind_\($0.kind.rawValue)", $0.kind.rawValue))
        }
        return try await req.page("indicators", title: "indicators_catalogue_title",
                                  content: CataloguePage(indicators: entries, asOf: w.asOfNote(try await refreshed(req))))
    }

    @Sendable func indicator(_ req: Request) async throws -> Response {
        let code = req.parameters.get("code") ?? ""
        guard let indicator = IndicatorCatalogue.named(code) else {
            throw APIError.notFound("There is no indicator '\(code.prefix(60))'.")
        }
        let policy = try await req.activePolicy().policy
        let w = EvidenceWording(t: req.messages, policy: policy, format: req.format)
        let asked = Self.parameters(req.url.query)
        let today = CalendarDate(req.now)
        var table: IndicatorTable?
        var errors: [FieldError] = []
        do {
            let query = try IndicatorRequest.query(
                indicator: indicator, by: asked["by"]?.joined(separator: ","), from: asked["from"]?.last, to: asked["to"]?.last,
                region: asked["region"]?.last, asOf: asked["asOf"]?.last, today: today
            )
            table = try await EvidenceStore().table(query, policy: policy, on: req.db)
            try await req.diversion.auditTrail.record([try req.auditEvent(.read, "indicator", id: indicator.code)])
        } catch let failure as ValidationFailure {
            errors = failure.errors
        }
        if let table, asked["format"]?.last == "csv" { return Self.csv(table) }

        let chosen = Set(table?.by ?? (asked["by"] ?? []).flatMap { $0.split(separator: ",").map(String.init) }.compactMap(EvidenceDimension.init))
        let region = table?.region ?? asked["region"]?.last ?? ""
        let regions = [Option(value: "", label: w.word("evidence_all_regions", "All regions"), selected: region.isEmpty)]
            + (try await EvidenceStore().regions(on: req.db)).map { Option(value: $0, label: $0, selected: $0 == region) }
        var csvQuery = (req.url.query ?? "").split(separator: "&").filter { !$0.hasPrefix("format=") }.map(String.init)
        csvQuery.append("format=csv")
        let page = IndicatorPage(
            code: indicator.code, title: w.title(indicator), definition: w.definition(indicator),
            kind: w.word("evidence_kind_\(indicator.kind.rawValue)", indicator.kind.rawValue),
            dimensions: EvidenceDimension.allCases.map { Option(value: $0.rawValue, label: w.dimension($0), selected: chosen.contains($0)) },
            from: table?.from?.description ?? asked["from"]?.last ?? "", to: table?.to?.description ?? asked["to"]?.last ?? "",
            asOfDate: table?.asOf.description ?? asked["asOf"]?.last ?? today.description, regions: regions,
            figures: table.map { [EvidenceFigure($0, id: indicator.code, wording: w,
                                                 survivalAxis: indicator.code == "time_to_reoffence" ? w.word("evidence_days_since_contact", "Days since the contact") : nil)] } ?? [],
            csv: "/analysis/indicators/\(indicator.code)?" + csvQuery.joined(separator: "&"),
            asOf: try await asOfNote(req, w), errors: errors.map(ShownError.init), hasErrors: !errors.isEmpty
        )
        // A title that is not a message key is shown as it is.
        return try await req.page("indicator", title: page.title, content: page,
                                  status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    // MARK: Public

    @Sendable func publicPage(_ req: Request) async throws -> Response {
        let language = req.language
        if let cached = await publicCache.page(language, now: req.now) {
            return try await req.page("public", title: "public_title", content: cached)
        }
        let page = try await buildPublic(req)
        await publicCache.store(page, language: language, now: req.now)
        return try await req.page("public", title: "public_title", content: page)
    }

    /// The last twelve months in headline figures and two charts, every one from a suppressed table.
    private func buildPublic(_ req: Request) async throws -> PublicPage {
        let t = req.messages
        guard let policy = try await req.diversion.policies.active(on: req.db)?.policy else {
            return PublicPage(jurisdiction: "", hasFigures: false, headlines: [], figures: [], period: "", asOf: t["evidence_never_refreshed"] ?? "")
        }
        let w = EvidenceWording(t: t, policy: policy, format: req.format)
        let today = CalendarDate(req.now)
        let (from, to) = Self.lastTwelveMonths(today)
        let store = EvidenceStore()
        func table(_ code: String, _ by: [EvidenceDimension] = []) async throws -> IndicatorTable? {
            guard let indicator = IndicatorCatalogue.named(code) else { return nil }
            return try await store.table(IndicatorQuery(indicator: indicator, by: by, from: from, to: to, asOf: today), policy: policy, on: req.db)
        }
        guard let contacts = try await table("contacts"), let people = try await table("people_in_contact"),
              let diverted = try await table("diverted_share"), let completion = try await table("completion_rate"),
              let monthly = try await table("contacts", [.month]), let byAge = try await table("diverted_share", [.ageGroup])
        else { return PublicPage(jurisdiction: policy.jurisdiction, hasFigures: false, headlines: [], figures: [], period: "", asOf: "") }
        let headlines = [
            Headline(id: "public-contacts", label: w.title(contacts.indicator), table: contacts, wording: w),
            Headline(id: "public-people", label: w.title(people.indicator), table: people, wording: w),
            Headline(id: "public-diverted", label: w.title(diverted.indicator), table: diverted, wording: w),
            Headline(id: "public-completion", label: w.title(completion.indicator), table: completion, wording: w),
        ]
        let figures = [
            EvidenceFigure(monthly, id: "public-contacts-by-month", title: w.word("evidence_fig_contacts", "Contacts by month"), wording: w),
            EvidenceFigure(byAge, id: "public-diverted-by-age", title: w.word("evidence_fig_diverted_age", "Share diverted by age group"), wording: w),
        ]
        let counted = try await refreshed(req)
        // Nothing is published before the figures are first counted, or while no contact is on record.
        let published = counted != nil || (contacts.rows.first?.value ?? 0) > 0
        return PublicPage(
            jurisdiction: policy.jurisdiction, hasFigures: published, headlines: headlines, figures: figures,
            period: w.periodNote(contacts), asOf: try await asOfNote(req, w)
        )
    }

    // MARK: Pieces

    /// From the first day of the month eleven months back to today: twelve calendar months, the last one so far.
    static func lastTwelveMonths(_ today: CalendarDate) -> (CalendarDate, CalendarDate) {
        var year = today.year, month = today.month - 11
        if month < 1 {
            month += 12
            year -= 1
        }
        return (CalendarDate(year: year, month: month, day: 1), today)
    }

    /// When the figures were counted and what they were counted from, so generated figures never pass for real ones.
    private func asOfNote(_ req: Request, _ w: EvidenceWording) async throws -> String {
        let refreshes = try await EvidenceStore().refreshes(on: req.db)
        var note = w.asOfNote(refreshes.map(\.at).max().map(req.shown))
        let parts = refreshes.filter { $0.contacts > 0 }.sorted { $0.source < $1.source }.map { r in
            w.word("evidence_source_\(r.source)", r.source).replacingOccurrences(of: "{n}", with: w.format.number(r.contacts))
        }
        if !parts.isEmpty {
            note += " " + w.word("evidence_sources", "Counted from {list}.").replacingOccurrences(of: "{list}", with: parts.joined(separator: "; "))
        }
        return note
    }

    /// When the figures were last counted, as a page shows a time.
    private func refreshed(_ req: Request) async throws -> String? {
        try await EvidenceStore().refreshes(on: req.db).map(\.at).max().map(req.shown)
    }

    /// A query string's values by name, repeats kept: a form's ticked boxes send `by=sex&by=age_group`.
    static func parameters(_ query: String?) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            guard let name = parts.first, !name.isEmpty else { continue }
            out[name, default: []].append(parts.count > 1 ? parts[1] : "")
        }
        return out
    }

    /// The same suppressed table as the page shows: a withheld row has empty figures and `suppressed` true.
    static func csv(_ table: IndicatorTable) -> Response {
        func field(_ text: String) -> String {
            // A cell a spreadsheet would run as a formula is read as text instead.
            let safe = text.first.map { "=+-@\t\r".contains($0) } == true ? "'" + text : text
            return safe.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : safe
        }
        func number(_ v: Double?) -> String {
            guard let v, v.isFinite else { return "" }
            return v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
        }
        var lines = [(table.by.map(\.rawValue) + ["value", "numerator", "denominator", "suppressed"]).joined(separator: ",")]
        for row in table.rows {
            let keys = table.by.map { field(row.dimensions[$0.rawValue] ?? "") }
            let figures = row.suppressed ? ["", "", ""] : [number(row.value), number(row.numerator), number(row.denominator)]
            lines.append((keys + figures + [row.suppressed ? "true" : "false"]).joined(separator: ","))
        }
        let response = Response(status: .ok, body: .init(string: lines.joined(separator: "\r\n") + "\r\n"))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(table.indicator.code).csv\"")
        return response
    }
}

/// The public page per language, kept for a few minutes so that many readers cost one count.
actor PublicPageCache {
    static let lifetime: TimeInterval = 300
    private var pages: [String: (at: Date, page: EvidencePages.PublicPage)] = [:]

    func page(_ language: String, now: Date) -> EvidencePages.PublicPage? {
        guard let entry = pages[language], now.timeIntervalSince(entry.at) < Self.lifetime, now >= entry.at else { return nil }
        return entry.page
    }

    func store(_ page: EvidencePages.PublicPage, language: String, now: Date) {
        pages[language] = (now, page)
    }

    func clear() {
        pages = [:]
    }
}
