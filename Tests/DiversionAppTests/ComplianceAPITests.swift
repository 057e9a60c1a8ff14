import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

/// A JSON value written as a literal in a test body.
enum LooseJSON: Encodable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral {
    case text(String)
    case number(Double)
    case bool(Bool)

    init(stringLiteral value: String) { self = .text(value) }
    init(integerLiteral value: Int) { self = .number(Double(value)) }
    init(floatLiteral value: Double) { self = .number(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .text(let s): try c.encode(s)
        case .number(let n): try c.encode(n)
        case .bool(let b): try c.encode(b)
        }
    }
}

/// Progress as the API answers it, decoded loosely so the figures can be compared as numbers.
struct ProgressBody: Decodable {
    struct Hours: Decodable {
        var due: Double
        var done: Double
        var remaining: Double
        var deadline: String
        var expectedByNow: Double
        var behindPace: Bool
        var deadlinePassed: Bool
        var overdue: Bool
    }

    struct Payment: Decodable {
        var amount: Double
        var currency: String
        var paid: Double
        var balance: Double
        var instalments: Int
        var instalmentsDue: Int
        var dueSoFar: Double
        var nextDueDate: String?
        var overdue: Bool
    }

    struct Appointments: Decodable {
        var attended: Int
        var late: Int
        var missed: Int
        var total: Int
        var rate: Double?
    }

    struct Reports: Decodable {
        var timesPerMonth: Int?
        var made: Int
        var missed: Int
        var thisMonth: Int
        var expectedSoFar: Int
        var behind: Bool
    }

    var hours: [Hours]
    var payments: [Payment]
    var appointments: Appointments
    var reports: Reports
    var overdue: Bool
}

struct ComplianceBody: Decodable {
    var measureId: String
    var personId: String
    var status: String
    var today: String
    var progress: ProgressBody
    var entries: [EntryBody]
}

struct EntryBody: Decodable {
    var id: String
    var kind: String
    var date: String
    var hours: Double?
    var amount: Double?
    var currency: String?
    var attendance: String?
    var recordedBy: String
}

@Suite("Compliance with a measure's conditions through the API")
struct ComplianceAPITests {
    /// A judge's sentencing decision ordering one measure that started on `start` (the test clock's today is 2026-11-18).
    static func sentencing(type: String = "treatment_court", start: String = "2026-09-01") -> String {
        #"{"stage":"sentencing","measures":[{"type":"\#(type)","start":"\#(start)","plannedEnd":"2027-09-01","conditions":["#
            + #"{"type":"community_service","parameters":{"hours":60,"deadline":"2027-03-01"}},"#
            + #"{"type":"payment","parameters":{"amount":300,"currency":"EUR","instalments":3}},"#
            + #"{"type":"report_to_officer","parameters":{"timesPerMonth":2}},"#
            + #"{"type":"drug_testing","parameters":{"minimumPerWeek":2,"windowHours":8,"specimen":"urine"}},"#
            + #"{"type":"attend_treatment","parameters":{"sessionsPerWeek":1}}]}],"#
            + #""proportionality":{"gravity":"Possession of 12 g cocaine for personal use, no violence.","#
            + #""circumstances":"Second contact, works in a warehouse, cares for two children.","#
            + #""reasons":"A treatment court addresses the cause; prison would cost the job and the children's care."}}"#
    }

    /// Opens a case for a new person and returns the id of the measure the judge ordered.
    static func measure(_ t: TestApp, type: String = "treatment_court", start: String = "2026-09-01") async throws -> String {
        let personId = try await CaseAPITests.person(t)
        let judge = try await t.token("judge")
        let opened = try await CaseAPITests.openCase(t, judge, personId: personId)
        let response = try await t.send(.POST, "/api/v1/cases/\(opened.id)/decisions", token: judge, body: sentencing(type: type, start: start), contentType: "application/json")
        try #require(response.status == .created, "the decision answered \(response.status): \(response.text)")
        return try #require(try response.json(CaseResponse.self).measures.first?.id)
    }

    @discardableResult
    static func record(_ t: TestApp, _ token: String, _ id: String, _ body: [String: LooseJSON]) async throws -> TestingHTTPResponse {
        try await t.send(.POST, "/api/v1/measures/\(id)/compliance", token: token, json: body)
    }

    @Test func hoursPaymentsAppointmentsAndReportsAddUpToProgressAtAGlance() async throws {
        try await TestApp.run { t in
            let id = try await Self.measure(t)
            let supervisor = try await t.token("supervisor")
            let before = try await t.send(.GET, "/api/v1/measures/\(id)/compliance", token: supervisor).json(ComplianceBody.self)
            // 2026-09-01 to 2027-03-01 is 181 days; on 2026-11-18, 78 days in, a steady pace with a week's grace asks 60 × 71 / 181 hours.
            #expect(before.progress.hours.first?.expectedByNow == 23.53)
            #expect(before.progress.hours.first?.behindPace == true && before.progress.overdue)
            #expect(before.progress.payments.first?.instalmentsDue == 2 && before.progress.payments.first?.dueSoFar == 200)

            let hours = try await Self.record(t, supervisor, id, ["kind": "community_service", "date": "2026-11-17", "hours": 4.5, "site": "Food bank", "verifiedBy": "M. Lopes"])
            #expect(hours.status == .created)
            #expect(try hours.json(EntryBody.self).hours == 4.5)
            try await Self.record(t, supervisor, id, ["kind": "community_service", "date": "2026-11-10", "hours": "20", "site": "Park", "verifiedBy": "J. Neves"])
            let payment = try await Self.record(t, supervisor, id, ["kind": "payment", "date": "2026-11-02", "amount": 200, "currency": "EUR"])
            #expect(payment.status == .created)
            for (at, attendance) in [("2026-11-03T10:00:00Z", "attended"), ("2026-11-10T10:00:00Z", "late"), ("2026-11-17T10:00:00Z", "missed")] {
                let r = try await Self.record(t, supervisor, id, ["kind": "appointment", "at": .text(at), "service": "Group counselling", "attendance": .text(attendance)])
                #expect(r.status == .created, "\(r.text)")
            }
            let provider = try await t.token("provider")
            #expect(try await Self.record(t, provider, id, ["kind": "report", "date": "2026-11-05", "officer": "Rui Silva", "attendance": "attended"]).status == .created)

            let after = try await t.send(.GET, "/api/v1/measures/\(id)/compliance", token: supervisor)
            #expect(after.status == .ok)
            let body = try after.json(ComplianceBody.self)
            let h = try #require(body.progress.hours.first)
            #expect(h.done == 24.5 && h.remaining == 35.5 && h.due == 60 && h.deadline == "2027-03-01")
            #expect(!h.behindPace && !h.overdue)
            let p = try #require(body.progress.payments.first)
            #expect(p.paid == 200 && p.balance == 100 && p.instalmentsDue == 2 && p.dueSoFar == 200 && !p.overdue && p.nextDueDate == "2026-12-01")
            #expect(body.progress.appointments.total == 3 && body.progress.appointments.rate == 2.0 / 3.0)
            #expect(body.progress.reports.timesPerMonth == 2 && body.progress.reports.thisMonth == 1 && body.progress.reports.expectedSoFar == 4)
            #expect(!body.progress.overdue)
            #expect(body.entries.count == 7 && body.today == "2026-11-18")
            #expect(body.entries.first?.recordedBy.isEmpty == false)

            let audited = try await t.auditEntries()
            #expect(audited.filter { $0.event.resourceType == "compliance_entry" && $0.event.action == .create }.count == 7)
            #expect(audited.filter { $0.event.resourceType == "compliance" && $0.event.action == .read }.count == 2)
        }
    }

    @Test func badEntriesAreRefusedNamingTheField() async throws {
        try await TestApp.run { t in
            let id = try await Self.measure(t)
            let supervisor = try await t.token("supervisor")
            let cases: [([String: LooseJSON], String)] = [
                (["date": "2026-11-17"], "kind"),
                (["kind": "gardening"], "kind"),
                (["kind": "community_service", "date": "2026-11-17", "hours": 25, "site": "Park", "verifiedBy": "J. Neves"], "hours"),
                (["kind": "community_service", "date": "2026-11-17", "hours": 0, "site": "Park", "verifiedBy": "J. Neves"], "hours"),
                (["kind": "community_service", "date": "2026-11-17", "hours": 3, "site": "Park"], "verifiedBy"),
                (["kind": "community_service", "date": "2026-11-30", "hours": 3, "site": "Park", "verifiedBy": "J. Neves"], "date"),
                (["kind": "community_service", "date": "2026-08-30", "hours": 3, "site": "Park", "verifiedBy": "J. Neves"], "date"),
                (["kind": "payment", "date": "2026-11-17", "amount": -5, "currency": "EUR"], "amount"),
                (["kind": "payment", "date": "2026-11-17", "amount": 50, "currency": "USD"], "currency"),
                (["kind": "appointment", "at": "2026-11-19T10:00:00Z", "service": "Counselling", "attendance": "attended"], "at"),
                (["kind": "appointment", "at": "2026-11-17T10:00:00Z", "service": "Counselling", "attendance": "absent"], "attendance"),
                (["kind": "report", "date": "2026-11-17", "officer": "Rui Silva", "attendance": "late"], "attendance"),
                (["kind": "report", "date": "2026-11-17", "attendance": "missed"], "officer"),
                (["kind": "community_service", "date": "2026-11-17", "hours": true, "site": "Park", "verifiedBy": "J. Neves"], "hours"),
            ]
            for (body, field) in cases {
                let response = try await Self.record(t, supervisor, id, body)
                #expect(response.status == .unprocessableEntity, "\(field): \(response.text)")
                #expect(response.text.contains(#""field":"\#(field)""#), "\(field): \(response.text)")
            }
            #expect(try await Self.record(t, supervisor, "not-a-uuid", ["kind": "report"]).status == .unprocessableEntity)
            #expect(try await t.send(.GET, "/api/v1/measures/not-a-uuid/compliance", token: supervisor).status == .unprocessableEntity)
            #expect(try await Self.record(t, supervisor, UUID().uuidString, ["kind": "report", "date": "2026-11-17", "officer": "R", "attendance": "missed"]).status == .notFound)

            // A measure with no payment condition has no payments to record.
            let probation = try await MeasureAPITestsSupport.probation(t)
            let refused = try await Self.record(t, supervisor, probation, ["kind": "payment", "date": "2026-11-17", "amount": 5, "currency": "EUR"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("no payment condition"))
        }
    }

    @Test func onlyRolesThatRunOrFollowSupervisionSeeCompliance() async throws {
        try await TestApp.run { t in
            let id = try await Self.measure(t)
            let entry: [String: LooseJSON] = ["kind": "report", "date": "2026-11-17", "officer": "Rui Silva", "attendance": "attended"]
            for user in ["officer", "judge", "prosecutor", "analyst", "admin"] {
                let token = try await t.token(user)
                #expect(try await Self.record(t, token, id, entry).status == .forbidden, "\(user)")
            }
            for user in ["officer", "analyst", "admin"] {
                let token = try await t.token(user)
                #expect(try await t.send(.GET, "/api/v1/measures/\(id)/compliance", token: token).status == .forbidden, "\(user)")
            }
            for user in ["judge", "prosecutor", "provider", "supervisor"] {
                let token = try await t.token(user)
                #expect(try await t.send(.GET, "/api/v1/measures/\(id)/compliance", token: token).status == .ok, "\(user)")
            }
            #expect(try await t.send(.GET, "/api/v1/measures/\(id)/compliance").status == .unauthorized)
        }
    }

    @Test func theCompliancePageRecordsHoursAndTheOverdueListShowsMeasuresBehind() async throws {
        try await TestApp.run { t in
            let id = try await Self.measure(t)
            let (jar, _) = try await t.browserSignIn("supervisor")
            let overdue = try await t.send(.GET, "/supervision/overdue", headers: [jar.header])
            #expect(overdue.status == .ok)
            #expect(overdue.text.contains("overdue-\(id)"))
            let page = try await t.send(.GET, "/measures/\(id)/compliance", headers: [jar.header])
            #expect(page.status == .ok)
            #expect(page.text.contains(#"id="hours-overdue""#))
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let bad = try await t.send(.POST, "/measures/\(id)/compliance", headers: [jar.header],
                                       body: form(["csrf": csrf, "kind": "community_service", "date": "2026-11-17", "hours": "30", "site": "Park", "verifiedBy": "J. Neves"]),
                                       contentType: "application/x-www-form-urlencoded")
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("#community_service-hours"))
            let good = try await t.send(.POST, "/measures/\(id)/compliance", headers: [jar.header],
                                        body: form(["csrf": csrf, "kind": "community_service", "date": "2026-11-17", "hours": "24", "site": "Park", "verifiedBy": "J. Neves"]),
                                        contentType: "application/x-www-form-urlencoded")
            #expect(good.status == .seeOther)
            let paid = try await t.send(.POST, "/measures/\(id)/compliance", headers: [jar.header],
                                        body: form(["csrf": csrf, "kind": "payment", "date": "2026-11-17", "amount": "200.00", "currency": "EUR"]),
                                        contentType: "application/x-www-form-urlencoded")
            #expect(paid.status == .seeOther)
            let shown = try await t.send(.GET, "/measures/\(id)/compliance?notice=recorded", headers: [jar.header])
            #expect(shown.text.contains(#"<strong id="hours-done">24</strong>"#))
            #expect(!shown.text.contains(#"id="hours-overdue""#) && !shown.text.contains(#"id="payment-overdue""#))
            let cleared = try await t.send(.GET, "/supervision/overdue", headers: [jar.header])
            #expect(!cleared.text.contains("overdue-\(id)"))
            let (officerJar, _) = try await t.browserSignIn("officer")
            #expect(try await t.send(.GET, "/measures/\(id)/compliance", headers: [officerJar.header]).status == .forbidden)
        }
    }
}

/// Measures other suites' tests need, ordered by a judge.
enum MeasureAPITestsSupport {
    /// Probation with community service hours only, started 2026-11-10.
    static func probation(_ t: TestApp) async throws -> String {
        let personId = try await CaseAPITests.person(t)
        let judge = try await t.token("judge")
        let opened = try await CaseAPITests.openCase(t, judge, personId: personId)
        let body = #"{"stage":"sentencing","measures":[{"type":"probation","start":"2026-11-10","plannedEnd":"2027-05-10","conditions":[{"type":"community_service","parameters":{"hours":60,"deadline":"2027-03-01"}}]}],"proportionality":{"gravity":"Possession of 30 g cannabis herb.","circumstances":"Student, lives with parents.","reasons":"Hours and supervision instead of a fine the person cannot pay."}}"#
        let response = try await t.send(.POST, "/api/v1/cases/\(opened.id)/decisions", token: judge, body: body, contentType: "application/json")
        try #require(response.status == .created, "the decision answered \(response.status): \(response.text)")
        return try #require(try response.json(CaseResponse.self).measures.first?.id)
    }
}
