import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Vapor

/// Indicators for analysts: the catalogue, each indicator cut any way and suppressed, and a refresh of the figures.
struct IndicatorController {
    struct Entry: Content {
        var code: String
        var title: String
        var definition: String
        var kind: String
        var dimensions: [String]
    }

    struct Catalogue: Content {
        var items: [Entry]
        var refreshedAt: String?
    }

    struct RefreshResponse: Content {
        var contacts: Int
        var tests: Int
        var refreshedAt: String
    }

    func register(_ api: any RoutesBuilder) {
        api.endpoint(.GET, "indicators", access: .allowed(.search, .indicator), use: list)
        api.endpoint(.POST, "indicators", "refresh", access: .allowed(.update, .indicator), use: refresh)
        api.endpoint(.GET, "indicators", ":code", access: .allowed(.read, .indicator), use: show)
    }

    @Sendable func list(_ req: Request) async throws -> Catalogue {
        let refreshed = try await EvidenceStore().refreshes(on: req.db).map(\.at).max()
        return Catalogue(
            items: IndicatorCatalogue.all.map {
                Entry(code: $0.code, title: $0.title, definition: $0.definition, kind: $0.kind.rawValue, dimensions: EvidenceDimension.allCases.map(\.rawValue))
            },
            refreshedAt: refreshed?.formatted(.iso8601)
        )
    }

    @Sendable func show(_ req: Request) async throws -> IndicatorTableResponse {
        let policy = try await req.activePolicy().policy
        let query = try IndicatorRequest.query(req, policy: policy)
        let table = try await EvidenceStore().table(query, policy: policy, on: req.db)
        try await req.diversion.auditTrail.record([try req.auditEvent(.read, "indicator", id: query.indicator.code)])
        return IndicatorTableResponse(table, currency: policy.evidence.costs.currency)
    }

    @Sendable func refresh(_ req: Request) async throws -> RefreshResponse {
        let policy = try await req.activePolicy().policy
        let now = req.now
        let counts = try await EvidenceRefresh().run(policy: policy, at: now, on: req.db)
        try await req.diversion.auditTrail.record([try req.auditEvent(.update, "evidence_facts", id: FactSource.recorded.rawValue)])
        return RefreshResponse(contacts: counts.contacts, tests: counts.tests, refreshedAt: now.formatted(.iso8601))
    }
}

/// Reads `by`, `from`, `to`, `region` and `asOf` from a request, naming every wrong parameter.
enum IndicatorRequest {
    static func query(_ req: Request, policy: JurisdictionPolicy) throws -> IndicatorQuery {
        let code = req.parameters.get("code") ?? ""
        guard let indicator = IndicatorCatalogue.named(code) else {
            throw APIError.notFound("There is no indicator '\(code)'; GET /api/v1/indicators lists them.")
        }
        return try query(indicator: indicator, by: req.query[String.self, at: "by"], from: req.query[String.self, at: "from"],
                         to: req.query[String.self, at: "to"], region: req.query[String.self, at: "region"],
                         asOf: req.query[String.self, at: "asOf"], today: CalendarDate(req.now))
    }

    static func query(indicator: Indicator, by: String?, from: String?, to: String?, region: String?, asOf: String?, today: CalendarDate) throws -> IndicatorQuery {
        var errors = FieldErrors()
        var dimensions: [EvidenceDimension] = []
        do { dimensions = try EvidenceDimension.parse(by) } catch { for e in error.errors { errors.add(e.field, e.reason) } }
        func date(_ text: String?, _ field: String) -> CalendarDate? {
            guard let text, !text.isEmpty else { return nil }
            guard let d = CalendarDate(text) else {
                errors.add(field, "'\(text.prefix(40))' is not a date; write YYYY-MM-DD.")
                return nil
            }
            return d
        }
        let fromDate = date(from, "from"), toDate = date(to, "to")
        let asOfDate = date(asOf, "asOf") ?? today
        if let fromDate, let toDate, fromDate > toDate { errors.add("to", "The end of the period comes before its start.") }
        var regionCode: String?
        if let region, !region.isEmpty {
            regionCode = ContactPlace.check(region: region, latitude: nil, longitude: nil, into: &errors)
        }
        try errors.throwIfAny()
        return IndicatorQuery(indicator: indicator, by: dimensions, from: fromDate, to: toDate, region: regionCode, asOf: asOfDate)
    }
}

/// The published form of an indicator table: `{indicator, rows, suppression}` plus its period and assumptions.
struct IndicatorTableResponse: Content {
    struct Meta: Content {
        var code: String
        var title: String
        var definition: String
        var kind: String
        var unit: String?
    }

    struct Row: Content {
        var dimensions: [String: String]
        var value: Double?
        var numerator: Double?
        var denominator: Double?
        var suppressed: Bool

        func encode(to encoder: any Encoder) throws {
            // Dimensions sit beside the figures in each row, as the table reads.
            var container = encoder.container(keyedBy: DynamicKey.self)
            for (k, v) in dimensions { try container.encode(v, forKey: DynamicKey(k)) }
            try container.encode(value, forKey: DynamicKey("value"))
            try container.encode(numerator, forKey: DynamicKey("numerator"))
            try container.encode(denominator, forKey: DynamicKey("denominator"))
            try container.encode(suppressed, forKey: DynamicKey("suppressed"))
        }
    }

    struct Curve: Content {
        var dimensions: [String: String]
        var suppressed: Bool
        var medianDays: Int?
        var points: [SurvivalPoint]
    }

    var indicator: Meta
    var by: [String]
    var rows: [Row]
    var suppression: SuppressionNote
    var from: String?
    var to: String?
    var region: String?
    var asOf: String
    var curves: [Curve]?
    var assumptions: [String]?

    init(_ t: IndicatorTable, currency: String) {
        let unit: String? = switch t.indicator.kind {
        case .percent: "%"
        case .medianDays, .days, .survival: "days"
        case .money: currency
        case .ratio: "incentives per sanction"
        case .count: nil
        }
        indicator = Meta(code: t.indicator.code, title: t.indicator.title, definition: t.indicator.definition, kind: t.indicator.kind.rawValue, unit: unit)
        by = t.by.map(\.rawValue)
        rows = t.rows.map { Row(dimensions: $0.dimensions, value: $0.value, numerator: $0.numerator, denominator: $0.denominator, suppressed: $0.suppressed) }
        suppression = t.suppression
        from = t.from?.description
        to = t.to?.description
        region = t.region
        asOf = t.asOf.description
        curves = t.indicator.kind == .survival
            ? t.curves.map { Curve(dimensions: $0.dimensions, suppressed: $0.suppressed, medianDays: $0.curve?.medianTime, points: $0.curve?.points ?? []) }
            : nil
        assumptions = t.assumptions.isEmpty ? nil : t.assumptions
    }
}

struct DynamicKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
