import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// Worklists and the referral page: the provider's inbox with accept, decline and intake; the
/// referring officer's list with status only. Overdue referrals are marked on both sides.
struct ReferralPages {
    struct Row: Encodable {
        var id: String
        var person: String
        var service: String
        var status: String
        var statusLabel: String
        var urgent: Bool
        var sent: String
        var dueBy: String
        var overdue: Bool
    }

    struct ListPage: Encodable {
        var side: String
        var received: Bool
        var rows: [Row]
        var hasRows: Bool
        var overdueCount: Int
        var filters: [Option]
    }

    struct EventRow: Encodable {
        var label: String
        var when: String
        var by: String
        var reason: String
        var note: String
        var scheduledFor: String
    }

    struct Action: Encodable {
        var type: String
        var label: String
        var needsReason: Bool
        var needsTime: Bool
        var primary: Bool
    }

    struct DetailPage: Encodable {
        var id: String
        var person: String
        var personId: String
        var service: String
        var serviceRegion: String
        var status: String
        var statusLabel: String
        var closed: Bool
        var reason: String
        var urgency: String
        var needs: [String]
        var referredBy: String
        var sent: String
        var dueBy: String
        var overdue: Bool
        var scheduledFor: String
        /// The intake time in ISO 8601 for `<time datetime>`, beside the shown `scheduledFor`.
        var scheduledForISO: String
        var receiving: Bool
        var events: [EventRow]
        var actions: [Action]
        var hasActions: Bool
        var defaultIntake: String
        var notice: String?
        var errors: [ShownError]
        var hasErrors: Bool
    }

    func register(_ web: any RoutesBuilder) {
        web.endpoint(.GET, "referrals", access: .allowed(.search, .referral), use: list)
        web.endpoint(.GET, "referrals", ":id", access: .allowed(.read, .referral), use: show)
        web.endpoint(.POST, "referrals", ":id", "events", access: .allowed(.update, .referral), use: record)
    }

    @Sendable func list(_ req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        let t = req.messages
        let receiving = principal.agencyType.runsServices
        let status = req.query[String.self, at: "status"].flatMap(ReferralStatus.init(rawValue:))
        let found = try await ReferralStore().list(receiving ? .receivedBy(principal.agencyID) : .sentBy(principal.agencyID), status: status, on: req.db)
            .asyncFilterSealed(req)
        let names = try await req.personNames(found.map(\.personID))
        var services: [UUID: String] = [:]
        for s in try await ServiceStore().list(on: req.db) { services[s.id] = s.profile.name }
        let now = req.now
        var rows: [Row] = []
        for r in found {
            var row = Row(id: r.id.uuidString.lowercased(), person: names[r.personID] ?? "", service: services[r.serviceID] ?? "",
                          status: r.status.rawValue, statusLabel: t["status_\(r.status.rawValue)"] ?? r.status.rawValue, urgent: r.urgency == .urgent,
                          sent: req.shown(r.createdAt), dueBy: req.shown(r.dueBy), overdue: r.isOverdue(at: now))
            if !receiving, case .withheld = try await DisclosureService(request: req).decide(.referralStatus, personID: r.personID, holder: r.receivingAgencyID) {
                row.status = ReferralResponse.noConsentOnFile
                row.statusLabel = t["status_no_consent_on_file"] ?? "No consent on file"
                row.dueBy = ""
                row.overdue = false
            }
            rows.append(row)
        }
        let page = ListPage(
            side: receiving ? "received" : "sent", received: receiving, rows: rows, hasRows: !rows.isEmpty,
            overdueCount: rows.filter(\.overdue).count,
            filters: [Option(value: "", label: t["referrals_all"] ?? "All", selected: status == nil)]
                + ReferralStatus.allCases.map { Option(value: $0.rawValue, label: t["status_\($0.rawValue)"] ?? $0.rawValue, selected: status == $0) }
        )
        return try await req.page("referrals", title: receiving ? "referrals_inbox_title" : "referrals_mine_title", content: page)
    }

    @Sendable func show(_ req: Request) async throws -> Response {
        try await render(req, id: try req.idParameter(of: "referral"), errors: [], status: .ok)
    }

    private func render(_ req: Request, id: UUID, errors: [FieldError], status: HTTPResponseStatus) async throws -> Response {
        let t = req.messages
        let (r, side) = try await ReferralService(request: req).read(id)
        let person = try await PeopleService(request: req).read(r.personID)
        let service = try await ServiceStore().find(r.serviceID, on: req.db)
        let events = try await ReferralStore().events(of: id, on: req.db)
        let actions = ReferralFlow.allowedEvents(from: r.status)
            .filter { side == .referring ? $0.recordedByReferrer : !$0.recordedByReferrer }
            .map { e in
                Action(type: e.rawValue, label: t["event_\(e.rawValue)"] ?? e.rawValue, needsReason: e.needsReason || e == .disengaged,
                       needsTime: e == .intakeScheduled, primary: [.accepted, .intakeAttended, .engaged, .completed].contains(e))
            }
        let withheld: Bool
        if side == .referring, case .withheld = try await DisclosureService(request: req).decide(.referralStatus, personID: r.personID, holder: r.receivingAgencyID) {
            withheld = true
        } else {
            withheld = false
        }
        var page = DetailPage(
            id: id.uuidString.lowercased(), person: person.details.fullName,
            personId: r.personID.uuidString.lowercased(), service: service?.profile.name ?? "", serviceRegion: service?.profile.region ?? "",
            status: r.status.rawValue, statusLabel: t["status_\(r.status.rawValue)"] ?? r.status.rawValue, closed: r.status.isClosed,
            reason: r.reason, urgency: t["urgency_\(r.urgency.rawValue)"] ?? r.urgency.rawValue,
            needs: r.needs.map { t["modality_\($0.rawValue)"] ?? $0.words }, referredBy: r.referredByName,
            sent: req.shown(r.createdAt), dueBy: req.shown(r.dueBy), overdue: r.isOverdue(at: req.now), scheduledFor: req.shown(r.scheduledFor),
            scheduledForISO: r.scheduledFor.map(formTime) ?? "",
            receiving: side == .receiving,
            events: events.map { e in
                EventRow(label: t["status_\(e.type.resultingStatus.rawValue)"] ?? e.type.rawValue, when: req.shown(e.occurredAt), by: e.recordedByName,
                         reason: e.reason ?? "", note: side == .receiving ? (e.note ?? "") : "", scheduledFor: req.shown(e.scheduledFor))
            },
            actions: actions, hasActions: !actions.isEmpty,
            defaultIntake: formTime(req.now.addingTimeInterval(2 * 86400)),
            notice: req.query[String.self, at: "notice"].flatMap { t["notice_\($0)"] },
            errors: errors.map(ShownError.init), hasErrors: !errors.isEmpty
        )
        if withheld {
            // The referring side sees that the referral exists, and nothing of its course.
            page.status = ReferralResponse.noConsentOnFile
            page.statusLabel = t["status_no_consent_on_file"] ?? "No consent on file"
            page.events = []
            page.dueBy = ""
            page.overdue = false
            page.scheduledFor = ""
            page.scheduledForISO = ""
        }
        return try await req.page("referral", title: "referral_title", content: page, status: status)
    }

    @Sendable func record(_ req: Request) async throws -> Response {
        let id = try req.idParameter(of: "referral")
        let form = try req.content.decode(ReferralController.EventRequest.self)
        do {
            let time = parseFormTime(form.scheduledFor)?.formatted(.iso8601) ?? form.scheduledFor
            _ = try await ReferralService(request: req).record(id, type: form.type, reason: form.reason, note: form.note, scheduledFor: time)
            return req.redirect(to: "/referrals/\(id.uuidString.lowercased())?notice=recorded", redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await render(req, id: id, errors: failure.errors, status: .unprocessableEntity)
        } catch let error as APIError {
            guard case .conflict(let message) = error else { throw error }
            return try await render(req, id: id, errors: [FieldError("type", message)], status: .conflict)
        }
    }
}
