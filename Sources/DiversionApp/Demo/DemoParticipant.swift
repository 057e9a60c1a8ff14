import DiversionCore
import DiversionStore
import Fluent
import Foundation
import NIOCore
import Vapor

/// One demo participant taken through the last month of supervision: a court decision, random tests (one positive,
/// one missed), community-service hours, appointments, a payment, a curfew alert and the responses to each.
///
/// Everything goes through the app's own API with the clock moved back a month and forward day by day, so the demo
/// data is exactly what the system would have recorded and every rule (plans, sweeps, alerts, audit) applies.
enum DemoParticipant {
    static let givenName = "Marta"
    static let familyName = "Ribeiro"
    static let deviceID = "DEMO-GPS-0001"
    /// Home of the curfew: central Lisbon, matching the demo policy's time zone.
    static let home = GeoPoint(latitude: 38.7223, longitude: -9.1393)
    static let days = 30

    /// A clock the seeding moves by hand; the app reads it instead of the system clock while seeding.
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var current: Date
        init(_ start: Date) { current = start }
        var now: Date { lock.withLock { current } }
        func set(_ date: Date) { lock.withLock { current = date } }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Sends requests to the app in-process, as a client would.
    struct Client {
        let app: Application

        func send(_ method: HTTPMethod, _ path: String, token: String?, _ body: AnswerValue? = nil) async throws -> AnswerValue {
            var headers = HTTPHeaders()
            if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
            headers.add(name: "X-Purpose", value: "demo data")
            var buffer: ByteBuffer?
            if let body {
                headers.contentType = .json
                buffer = ByteBuffer(data: try JSONEncoder().encode(body))
            }
            let request = Request(application: app, method: method, url: URI(path: path), headers: headers, collectedBody: buffer,
                                  remoteAddress: nil, logger: app.logger, on: app.eventLoopGroup.next())
            let response = try await app.responder.respond(to: request).get()
            let data = response.body.data ?? Data()
            guard response.status.code < 300 else {
                throw Failure(description: "\(method) \(path) answered \(response.status.code): \(String(decoding: data.prefix(400), as: UTF8.self))")
            }
            return data.isEmpty ? .null : try JSONDecoder().decode(AnswerValue.self, from: data)
        }
    }

    /// Seeds the participant once (when no measure exists yet) and returns her name, a fresh call-in code and a fresh
    /// personal code for her own page.
    static func seed(_ app: Application) async throws -> (participant: String, callInCode: String, accessCode: String)? {
        let db = app.db
        guard try await MeasureModel.query(on: db).count() == 0 else { return nil }
        let realClock = app.diversion.now
        let realNow = realClock()
        let zone = TimeZone(identifier: "Europe/Lisbon") ?? .gmt
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let today = calendar.startOfDay(for: realNow)
        guard let first = calendar.date(byAdding: .day, value: -days, to: today) else { return nil }
        func at(_ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
            let base = calendar.date(byAdding: .day, value: day, to: first) ?? first
            return calendar.date(bySettingHour: hour, minute: minute, second: 0, of: base) ?? base
        }
        func date(_ day: Int) -> String {
            let c = calendar.dateComponents([.year, .month, .day], from: at(day, 12))
            return CalendarDate(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1).description
        }

        let clock = Clock(at(0, 9))
        app.diversion.now = { clock.now }
        var tokens: [UUID] = []
        defer { app.diversion.now = realClock }
        let client = Client(app: app)
        func token(_ username: String) async throws -> String {
            guard let user = try await AccountStore().user(username: username, on: db), let id = user.id else {
                throw Failure(description: "the demo user \(username) is missing")
            }
            let issued = try await AccountStore().issueToken(for: id, kind: .api, lifetime: Double(days + 2) * 86_400, now: clock.now, on: db)
            if let tokenID = issued.token.id { tokens.append(tokenID) }
            return issued.secret
        }
        let officer = try await token("officer")
        let judge = try await token("judge")
        let supervisor = try await token("supervisor")
        let provider = try await token("provider")

        // Day 0, morning: the police contact, then the court's decision the same day.
        clock.set(at(0, 8, 40))
        let person = try await client.send(.POST, "/api/v1/persons", token: officer, .object([
            "givenName": .string(givenName), "familyName": .string(familyName), "birthDate": .string("1994-03-12"), "sex": .string("female"),
            "nationality": .string("PRT"), "preferredLanguage": .string("pt"),
        ]))
        let personId = person["id"].text
        let contact = try await client.send(.POST, "/api/v1/contacts", token: officer, .object([
            "personId": .string(personId), "occurredAt": .string(at(0, 8, 15).formatted(.iso8601)), "region": .string("R1"),
            "offences": .array([.object(["category": .string("possession_personal_use")])]),
            "seizures": .array([.object(["substance": .string("cannabis_herb"), "quantity": .number(9), "unit": .string("g")])]),
        ]))
        clock.set(at(0, 10))
        let opened = try await client.send(.POST, "/api/v1/cases", token: judge, .object([
            "personId": .string(personId), "contactIds": .array([.string(contact["id"].text)]),
        ]))
        let caseId = opened["id"].text
        // Her counselling is at the region's outpatient clinic, which is also where she gives her specimens.
        let services = try await ServiceStore().list(region: "R1", on: db)
        let clinic = services.first { $0.profile.name == "R1 Outpatient Clinic" }
        var treatment: [String: AnswerValue] = ["sessionsPerWeek": .number(1)]
        if let clinic { treatment["serviceId"] = .string(clinic.id.uuidString.lowercased()) }
        let decided = try await client.send(.POST, "/api/v1/cases/\(caseId)/decisions", token: judge, .object([
            "stage": .string("sentencing"),
            "measures": .array([.object([
                "type": .string("treatment_court"), "start": .string(date(0)), "plannedEnd": .string(date(180)),
                "conditions": .array([
                    .object(["type": .string("drug_testing"), "parameters": .object([
                        "minimumPerWeek": .number(2), "windowStart": .string("07:00"), "windowHours": .number(8), "specimen": .string("urine"),
                    ])]),
                    .object(["type": .string("attend_treatment"), "parameters": .object(treatment)]),
                    .object(["type": .string("community_service"), "parameters": .object(["hours": .number(60), "deadline": .string(date(120))])]),
                    .object(["type": .string("payment"), "parameters": .object(["amount": .number(150), "currency": .string("EUR"), "instalments": .number(3)])]),
                    .object(["type": .string("curfew"), "parameters": .object([
                        "place": .string("Home"), "latitude": .number(home.latitude), "longitude": .number(home.longitude), "radiusMeters": .number(150),
                        "start": .string("22:00"), "end": .string("06:00"), "timeZone": .string(zone.identifier),
                        "days": .array(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"].map(AnswerValue.string)),
                    ])]),
                ]),
            ])]),
            "proportionality": .object([
                "gravity": .string("Possession of 9 g of cannabis herb for personal use; third contact in two years."),
                "circumstances": .string("Works in a bakery, lives with her mother; asked for help with daily use."),
                "reasons": .string("Treatment with testing and structure addresses the cause; a fine or custody would not."),
            ]),
        ]))
        guard case .array(let measures) = decided["measures"], let measureId = measures.first?["id"].text, !measureId.isEmpty else {
            throw Failure(description: "the decision answered no measure")
        }
        // At intake she signs consents: her treatment service may share test results, attendance and the referral's
        // status with supervision, and test results and attendance with the court, for as long as the measure runs.
        clock.set(at(0, 11))
        for (recipient, purpose, categories) in [
            ("supervision", "supervision", ["drug_test_results", "attendance", "referral_status"]),
            ("court", "court_decision", ["drug_test_results", "attendance"]),
        ] {
            _ = try await client.send(.POST, "/api/v1/persons/\(personId)/consents", token: provider, .object([
                "recipientAgencyType": .string(recipient), "categories": .array(categories.map(AnswerValue.string)), "purpose": .string(purpose),
                "validFrom": .string(at(0, 11).formatted(.iso8601)), "validUntil": .string(at(180, 0).formatted(.iso8601)),
                "method": .string("signed_paper"), "measureId": .string(measureId),
            ]))
        }
        _ = try await client.send(.POST, "/api/v1/monitoring/devices", token: supervisor, .object([
            "deviceId": .string(deviceID), "measureId": .string(measureId),
        ]))
        let plan = try await client.send(.GET, "/api/v1/measures/\(measureId)/testing-plan", token: supervisor)
        var testDays: Set<String> = []
        if case .array(let listed) = plan["testDays"] {
            for d in listed { testDays.insert(d["date"].text) }
        }

        var testsSeen = 0
        for day in 0..<days {
            let label = date(day)
            // The device reports every 30 minutes; on day 18 she is out after the curfew starts, back 40 minutes later.
            var pings: [AnswerValue] = []
            // Every 30 minutes of real time, so the day the clocks change has its extra or missing hour covered too.
            var time = at(day, 0)
            let nextDay = at(day + 1, 0)
            while time < nextDay {
                defer { time = time.addingTimeInterval(1800) }
                let hour = calendar.component(.hour, from: time)
                // The evening she is out, the device's regular 23:00 report is among the ones below.
                if day == 18 && hour == 23 && calendar.component(.minute, from: time) == 0 { continue }
                let point = (8..<21).contains(hour) ? GeoPoint(latitude: 38.7369, longitude: -9.1427)
                    : GeoPoint(latitude: home.latitude + 0.0004, longitude: home.longitude)
                pings.append(.object([
                    "deviceId": .string(deviceID), "time": .string(time.formatted(.iso8601)), "lat": .number(point.latitude),
                    "lon": .number(point.longitude), "accuracyMeters": .number(15),
                ]))
            }
            if day == 18 {
                for (hour, minute, away) in [(22, 40, true), (22, 55, true), (23, 10, true), (23, 20, false)] {
                    let p = away ? GeoPoint(latitude: 38.7436, longitude: -9.1602) : home
                    pings.append(.object([
                        "deviceId": .string(deviceID), "time": .string(at(day, hour, minute).formatted(.iso8601)), "lat": .number(p.latitude),
                        "lon": .number(p.longitude), "accuracyMeters": .number(12),
                    ]))
                }
            }
            clock.set(at(day, 23, 59))
            _ = try await client.send(.POST, "/api/v1/monitoring/pings", token: supervisor, .object(["pings": .array(pings)]))

            if testDays.contains(label) {
                testsSeen += 1
                if testsSeen == 6 {
                    // No specimen this day: the next listing records the day as missed, and the team responds.
                    clock.set(at(day + 1, 9))
                    _ = try await client.send(.GET, "/api/v1/measures/\(measureId)/tests", token: supervisor)
                    try await respond(client, supervisor, measureId, "missed_test", at: at(day + 1, 9, 30), clock: clock,
                                      why: "She was at work; agreed a later collection time with her employer.")
                } else {
                    clock.set(at(day, 9, 5))
                    let positive = testsSeen == 3
                    _ = try await client.send(.POST, "/api/v1/measures/\(measureId)/tests", token: provider, .object([
                        "testDay": .string(label), "specimen": .string("urine"), "collectedAt": .string(at(day, 8, 50).formatted(.iso8601)),
                        "outcome": .string(positive ? "positive" : "negative"),
                        "substances": positive ? .array([.string("cannabis")]) : .array([]),
                        "labConfirmed": .bool(positive), "chainOfCustody": .string("CC-\(label.replacingOccurrences(of: "-", with: ""))-\(testsSeen)"),
                    ]))
                    if positive {
                        try await respond(client, supervisor, measureId, "positive_test", at: at(day, 11), clock: clock,
                                          why: "Early in treatment: the counsellor reviews the plan before any sanction.")
                    }
                }
            }
            let weekday = calendar.component(.weekday, from: at(day, 12))
            if weekday == 7 {
                clock.set(at(day, 17))
                _ = try await client.send(.POST, "/api/v1/measures/\(measureId)/compliance", token: supervisor, .object([
                    "kind": .string("community_service"), "date": .string(label), "hours": .number(4), "site": .string("Community food bank"),
                    "verifiedBy": .string("A. Lopes, coordinator"),
                ]))
            }
            if weekday == 4 {
                clock.set(at(day, 15))
                _ = try await client.send(.POST, "/api/v1/measures/\(measureId)/compliance", token: provider, .object([
                    "kind": .string("appointment"), "at": .string(at(day, 14).formatted(.iso8601)), "service": .string("Counselling"),
                    "attendance": .string(day > 14 && day < 22 ? "late" : "attended"), "note": .string(""),
                ]))
            }
            if day == 10 {
                clock.set(at(day, 12))
                _ = try await client.send(.POST, "/api/v1/measures/\(measureId)/compliance", token: supervisor, .object([
                    "kind": .string("payment"), "date": .string(label), "amount": .number(50), "currency": .string("EUR"),
                ]))
            }
            if day == 19 {
                clock.set(at(day, 9, 15))
                let alerts = try await client.send(.GET, "/api/v1/monitoring/alerts?status=all&measureId=\(measureId)", token: supervisor)
                if case .array(let items) = alerts["items"] {
                    for alert in items where alert["acknowledgedAt"] == .null {
                        _ = try await client.send(.POST, "/api/v1/monitoring/alerts/\(alert["id"].text)/acknowledge", token: supervisor, .object([
                            "note": .string("Called her: she walked a friend home and was back within the hour. Reminded of the hours."),
                        ]))
                    }
                }
                try await respond(client, supervisor, measureId, "curfew_violation", at: at(day, 9, 30), clock: clock,
                                  why: "First curfew breach, explained and short.")
            }
            if day == 28 {
                try await respond(client, supervisor, measureId, "negative_test_run", at: at(day, 16), clock: clock,
                                  why: "Four negative tests in a row since the review.")
            }
        }

        // At the last review she asked for family support: the court refers her and the service books her first appointment.
        if let family = services.first(where: { $0.profile.name == "R1 Women's Recovery Service" }) {
            clock.set(at(days - 1, 16, 30))
            let referral = try await client.send(.POST, "/api/v1/referrals", token: judge, .object([
                "personId": .string(personId), "serviceId": .string(family.id.uuidString.lowercased()),
                "reason": .string("She asked for family support alongside counselling."), "urgency": .string("routine"),
                "needs": .array([.string("family_support")]),
            ]))
            let referralId = referral["id"].text
            _ = try await client.send(.POST, "/api/v1/referrals/\(referralId)/events", token: provider, .object(["type": .string("accepted")]))
            _ = try await client.send(.POST, "/api/v1/referrals/\(referralId)/events", token: provider, .object([
                "type": .string("intake_scheduled"), "scheduledFor": .string(at(days + 3, 10).formatted(.iso8601)),
            ]))
        }

        // Back to the present: the tokens used for seeding end, and the person gets her call-in code.
        app.diversion.now = realClock
        let ended = realClock()
        for id in tokens {
            try await AccessTokenModel.query(on: db).filter(\.$id == id).set(\.$revokedAt, to: ended).update()
        }
        let fresh = try await token("supervisor")
        let code = try await client.send(.POST, "/api/v1/persons/\(personId)/call-in-code", token: fresh)
        if let id = tokens.last { try await AccessTokenModel.query(on: db).filter(\.$id == id).set(\.$revokedAt, to: ended).update() }
        // And the personal code for her own page, issued the way the supervision officer's page issues it.
        let accessCode = ParticipantCode.generate()
        if let person = UUID(uuidString: personId) {
            let event = AuditEvent(occurredAt: ended, userID: nil, username: "supervisor", agencyID: nil, action: .create,
                                   resourceType: "participant_code", resourceID: personId, personID: person, purpose: "demo data")
            try await app.diversion.auditTrail.perform { db in
                try await ParticipantCodeStore().replace(personID: person, code: accessCode, issuedByName: "Supervision Officer Tomás Silva", at: ended, on: db)
                return ((), [event])
            }
        }
        return ("\(givenName) \(familyName)", code["code"].text, ParticipantCode.display(accessCode))
    }

    /// Asks for suggestions for a behaviour and records the first one, as a supervisor following the matrix would.
    static func respond(_ client: Client, _ token: String, _ measureId: String, _ behaviour: String, at time: Date, clock: Clock, why: String) async throws {
        clock.set(time)
        let suggested = try await client.send(.POST, "/api/v1/measures/\(measureId)/responses/suggest", token: token, .object([
            "behaviour": .string(behaviour), "occurredAt": .string(time.addingTimeInterval(-1800).formatted(.iso8601)),
        ]))
        guard case .array(let options) = suggested["suggestions"], let first = options.first else { return }
        _ = try await client.send(.POST, "/api/v1/measures/\(measureId)/responses", token: token, .object([
            "behaviour": .string(behaviour), "occurredAt": .string(time.addingTimeInterval(-1800).formatted(.iso8601)),
            "option": .string(first["option"]["code"].text), "why": .string(why),
        ]))
    }
}

extension AnswerValue {
    /// The member `key` of an object, or null.
    subscript(key: String) -> AnswerValue {
        if case .object(let members) = self { return members[key] ?? .null }
        return .null
    }

    /// The value as text: a string as is, a number written out, anything else empty.
    var text: String {
        switch self {
        case .string(let s): s
        case .number(let n): n == n.rounded() ? String(Int(n)) : String(n)
        default: ""
        }
    }
}
