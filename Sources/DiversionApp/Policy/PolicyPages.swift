import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The administrator's policy page: the active policy, every stored version, and a document to check or activate.
struct PolicyPages {
    struct VersionRow: Encodable {
        var jurisdiction: String
        var version: String
        var effectiveDate: String
        var illustrative: Bool
        var active: Bool
        var activated: String
        var by: String
    }

    struct Problem: Encodable {
        var place: String
        var path: String
        var message: String
    }

    struct Page: Encodable {
        var active: String
        var substances: [String]
        var versions: [VersionRow]
        var document: String
        var checked: Bool
        var problems: [Problem]
        var hasProblems: Bool
        var notice: String?
    }

    struct DocumentForm: Decodable {
        var document: String?
        var action: String?
    }

    func register(_ web: any RoutesBuilder) {
        web.endpoint(.GET, "admin", "policies", access: .allowed(.search, .policy), use: show)
        web.endpoint(.POST, "admin", "policies", access: .allowed(.create, .policy), use: submit)
    }

    @Sendable func show(_ req: Request) async throws -> Response {
        try await render(req, document: "", checked: false, problems: [], status: .ok)
    }

    private func render(_ req: Request, document: String, checked: Bool, problems: [PolicyProblem], status: HTTPResponseStatus) async throws -> Response {
        let active = try await req.diversion.policies.active(on: req.db)
        let f = req.format, w = req.policyWording, t = req.messages
        let page = Page(
            active: active.map { "\($0.policy.jurisdiction) \($0.policy.version) (\(f.date($0.policy.effectiveDate)))" } ?? "—",
            substances: active?.policy.substances.map { s in
                let basis = t["threshold_basis_\(s.basis.rawValue)"] ?? s.basis.rawValue
                let purity = s.assumedPurityPercent.map { ", " + f.percent($0 / 100) } ?? ""
                return "\(w.substance(s.code, in: active?.policy)): \(f.number(s.threshold)) \(w.unit(s.unit)) (\(basis)\(purity))"
            } ?? [],
            versions: try await PolicyStore().versions(on: req.db).map {
                VersionRow(jurisdiction: $0.jurisdiction, version: $0.version, effectiveDate: CalendarDate($0.effectiveDate).map(f.date) ?? $0.effectiveDate, illustrative: $0.illustrative,
                           active: $0.active, activated: req.shown($0.activatedAt), by: $0.activatedBy ?? "")
            },
            document: document, checked: checked,
            problems: problems.map { p in Problem(place: p.line.map { "\($0):\(p.column ?? 1)" } ?? "", path: p.path, message: req.reason(p.message, names: [:])) },
            hasProblems: !problems.isEmpty,
            notice: req.query[String.self, at: "notice"].flatMap { req.messages["notice_\($0)"] }
        )
        return try await req.page("admin_policies", title: "admin_policies_title", content: page, status: status)
    }

    @Sendable func submit(_ req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        let form = try req.content.decode(DocumentForm.self)
        let document = form.document ?? ""
        guard document.utf8.count <= 200_000 else {
            return try await render(req, document: "", checked: true, problems: [PolicyProblem(path: "document", message: "A policy document has at most 200 kB.")], status: .unprocessableEntity)
        }
        switch PolicyFile.read(document) {
        case .failure(let problems):
            return try await render(req, document: document, checked: true, problems: problems.all, status: .unprocessableEntity)
        case .success:
            guard form.action == "activate" else {
                return try await render(req, document: document, checked: true, problems: [], status: .ok)
            }
            do {
                let summary = try await PolicyStore().activate(document, by: principal.username, at: req.now, on: req.db)
                try await req.diversion.auditTrail.record([try req.auditEvent(.create, "policy_version", id: summary.id.uuidString.lowercased())])
                return req.redirect(to: "/admin/policies?notice=policy_activated", redirectType: .normal)
            } catch PolicyActivationError.versionTaken(let jurisdiction, let version) {
                let problem = PolicyProblem(path: "version", message: "\(jurisdiction) version \(version) is stored with different content; give the changed policy a new version.")
                return try await render(req, document: document, checked: true, problems: [problem], status: .conflict)
            }
        }
    }
}
