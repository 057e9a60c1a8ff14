import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// A number sent as a JSON number or as text; kept as text so decimals stay exact.
struct NumberText: Decodable, Sendable {
    let text: String

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            text = s
        } else {
            let n = try c.decode(Double.self)
            // Whole numbers are written without ".0"; others as Swift writes them, the shortest exact form.
            text = n.isFinite && n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : "\(n)"
        }
    }
}

/// A compliance entry as the API answers it: the common fields and those of its kind.
struct ComplianceEntryResponse: Content {
    var id: String
    var measureId: String
    var personId: String
    var kind: String
    var date: String
    var hours: Double?
    var site: String?
    var verifiedBy: String?
    var amount: Double?
    var currency: String?
    var at: String?
    var service: String?
    var attendance: String?
    var note: String?
    var officer: String?
    var recordedBy: String
    var recordedAt: String

    init(_ e: ComplianceEntry) {
        id = e.id.uuidString.lowercased()
        measureId = e.measureID.uuidString.lowercased()
        personId = e.personID.uuidString.lowercased()
        kind = e.kind.rawValue
        date = e.date.description
        recordedBy = e.recordedByName
        recordedAt = e.recordedAt.formatted(.iso8601)
        switch e.detail {
        case .communityService(let h):
            hours = h.hours.double
            site = h.site
            verifiedBy = h.verifiedBy
        case .payment(let p):
            amount = p.amount.double
            currency = p.currency
        case .appointment(let a):
            at = a.at.formatted(.iso8601)
            service = a.service
            attendance = a.attendance.rawValue
            note = a.note
        case .report(let r):
            officer = r.officer
            attendance = r.attendance.rawValue
        }
    }
}

/// A measure's compliance: progress at a glance, then every entry.
struct ComplianceResponse: Content {
    var measureId: String
    var personId: String
    var status: String
    var today: String
    var progress: MeasureCompliance
    var entries: [ComplianceEntryResponse]
    /// Present when the answer discloses a health service's records: the recipient may not pass them on.
    var redisclosureNotice: String? = nil
}

extension Decimal {
    var double: Double { NSDecimalNumber(decimal: self).doubleValue }

    /// Written with at most two decimals and no trailing zeros ("2.5", "60").
    var plain: String { description }
}

/// Records and reads compliance, for the API and the pages alike.
struct ComplianceService {
    let request: Request

    /// The jurisdiction's today and time zone: a day of hours is the day where the person lives.
    func clock() async throws -> (today: CalendarDate, timeZone: TimeZone, policy: JurisdictionPolicy) {
        let policy = try await request.activePolicy().policy
        let zone = TimeZone(identifier: policy.supervision.timeZone) ?? .gmt
        return (ComplianceInput.localDate(of: request.now, in: zone), zone, policy)
    }

    /// Checks and stores one entry with its audit event.
    func record(_ input: ComplianceInput, on measure: MeasureRecord) async throws -> ComplianceEntry {
        let principal = try request.requirePrincipal()
        let (today, zone, _) = try await clock()
        let (day, detail) = try input.check(for: measure, today: today, now: request.now, timeZone: zone)
        guard measure.isActive else {
            throw APIError.conflict("The measure is \(measure.status.rawValue); compliance is recorded only on an active measure.")
        }
        let entry = ComplianceEntry(id: UUID(), measureID: measure.id, personID: measure.personID, date: day, detail: detail,
                                    recordedByName: principal.displayName, recordedByAgencyID: principal.agencyID,
                                    recordedByAgencyType: principal.agencyType, recordedAt: request.now)
        let event = try request.auditEvent(.create, "compliance_entry", id: entry.id.uuidString.lowercased(), person: measure.personID)
        try await request.diversion.auditTrail.perform { db in
            try await ComplianceStore().insert(entry, on: db)
            return ((), [event])
        }
        return entry
    }

    /// A measure's entries and progress, recorded as read.
    func read(_ measure: MeasureRecord) async throws -> (entries: [ComplianceEntry], progress: MeasureCompliance, today: CalendarDate, notice: String?) {
        let (today, _, _) = try await clock()
        let all = try await ComplianceStore().entries(measureID: measure.id, on: request.db)
        try await request.diversion.auditTrail.record([try request.auditEvent(.read, "compliance", id: measure.id.uuidString.lowercased(), person: measure.personID)])
        // Attendance a health or social service recorded shows only under a consent or court order.
        let visible = try await DisclosureService(request: request).visible(all, personID: measure.personID, what: "compliance of a measure") { $0.disclosure }
        return (visible.shown, MeasureCompliance(measure: measure, entries: visible.shown, today: today), today, visible.notice)
    }
}

/// Community service hours, payments, appointments and reports to an officer, per measure.
struct ComplianceController {
    struct EntryRequest: Decodable {
        var kind: String?
        var date: String?
        var at: String?
        var hours: NumberText?
        var site: String?
        var verifiedBy: String?
        var amount: NumberText?
        var currency: String?
        var service: String?
        var attendance: String?
        var note: String?
        var officer: String?

        var input: ComplianceInput {
            ComplianceInput(kind: kind, date: date, at: at, hours: hours?.text, site: site, verifiedBy: verifiedBy, amount: amount?.text,
                            currency: currency, service: service, attendance: attendance, note: note, officer: officer)
        }
    }

    func register(_ api: any RoutesBuilder) {
        api.endpoint(.POST, "measures", ":id", "compliance", access: .allowed(.create, .compliance), use: record)
        api.endpoint(.GET, "measures", ":id", "compliance", access: .allowed(.read, .compliance), use: show)
    }

    @Sendable func record(_ req: Request) async throws -> Response {
        let body = try req.decodeJSON(EntryRequest.self)
        let measure = try await req.measureParameter()
        let entry = try await ComplianceService(request: req).record(body.input, on: measure)
        return try await ComplianceEntryResponse(entry).encodeResponse(status: .created, for: req)
    }

    @Sendable func show(_ req: Request) async throws -> ComplianceResponse {
        let measure = try await req.measureParameter()
        let (entries, progress, today, notice) = try await ComplianceService(request: req).read(measure)
        return ComplianceResponse(measureId: measure.id.uuidString.lowercased(), personId: measure.personID.uuidString.lowercased(),
                                  status: measure.status.rawValue, today: today.description, progress: progress,
                                  entries: entries.map(ComplianceEntryResponse.init), redisclosureNotice: notice)
    }
}
