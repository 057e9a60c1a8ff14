import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

struct SuggestionsBody: Decodable {
    struct Suggestion: Decodable {
        var option: ResponseOption
        var reason: String
    }

    var behaviour: String
    var phase: Int
    var daysInTreatment: Int
    var suggestions: [Suggestion]
}

struct RecordedBody: Decodable {
    var id: String
    var behaviour: String
    var behaviourAt: String
    var option: ResponseOption
    var wasSuggested: Bool
    var decidedBy: String
    var decidedAt: String
    var why: String
    var programmeId: String
}

struct RatioBody: Decodable {
    var incentives: Int
    var sanctions: Int
    var treatmentAdjustments: Int
    var target: Double
    var ratio: Double?
    var belowTarget: Bool
    var summary: String
}

struct ResponseListBody: Decodable {
    var items: [RecordedBody]
    var person: RatioBody
    var programme: RatioBody
    var programmeId: String
}

struct PromotionBody: Decodable {
    var fromPhase: Int
    var toPhase: Int
    var phaseName: String
    var phaseSince: String
    var eligible: Bool
    var reasons: [String]
}

@Suite("Graduated responses and phase promotion through the API")
struct ResponseAPITests {
    static func suggest(_ t: TestApp, _ token: String, _ id: String, _ behaviour: String, at: String? = nil) async throws -> TestingHTTPResponse {
        var body = ["behaviour": behaviour]
        if let at { body["occurredAt"] = at }
        return try await t.send(.POST, "/api/v1/measures/\(id)/responses/suggest", token: token, json: body)
    }

    @discardableResult
    static func respond(_ t: TestApp, _ token: String, _ id: String, _ behaviour: String, at: String, option: String, why: String? = "Discussed with the team.") async throws -> TestingHTTPResponse {
        var body = ["behaviour": behaviour, "occurredAt": at, "option": option]
        if let why { body["why"] = why }
        return try await t.send(.POST, "/api/v1/measures/\(id)/responses", token: token, json: body)
    }

    @Test func aPositiveTestEarlyInTreatmentIsAnsweredWithATreatmentAdjustmentFirst() async throws {
        try await TestApp.run { t in
            let id = try await ComplianceAPITests.measure(t, start: "2026-10-01")
            let supervisor = try await t.token("supervisor")
            let response = try await Self.suggest(t, supervisor, id, "positive_test", at: "2026-11-17T09:00:00Z")
            #expect(response.status == .ok)
            let body = try response.json(SuggestionsBody.self)
            #expect(body.phase == 1 && body.daysInTreatment == 47)
            let first = try #require(body.suggestions.first)
            #expect(first.option.code == "reassessment" && first.option.kind == .treatmentAdjustment)
            #expect(first.reason.contains("calls for adjusting treatment before any sanction"), "\(first.reason)")
            #expect(!body.suggestions.contains { $0.option.kind == .sanction })
            #expect(try await t.auditEntries().contains { $0.event.resourceType == "responses" && $0.event.action == .read })
        }
    }

    @Test func repetitionWithinTheWindowEscalatesAndEachResponseKeepsWhoWhenAndWhy() async throws {
        try await TestApp.run { t in
            let id = try await ComplianceAPITests.measure(t)
            let judge = try await t.token("judge")
            let first = try await Self.suggest(t, judge, id, "missed_test", at: "2026-11-03T08:00:00Z").json(SuggestionsBody.self)
            #expect(first.suggestions.first?.option.code == "verbal_warning")
            #expect(first.suggestions.first?.reason == "First missed test in 30 days: verbal warning as a first response.")
            let recorded = try await Self.respond(t, judge, id, "missed_test", at: "2026-11-03T08:00:00Z", option: "verbal_warning", why: "First miss; the person says the bus did not come.")
            #expect(recorded.status == .created)
            let r = try recorded.json(RecordedBody.self)
            #expect(r.wasSuggested && r.why == "First miss; the person says the bus did not come." && !r.decidedBy.isEmpty)
            #expect(r.decidedAt.hasPrefix("2026-11-18") && r.behaviourAt == "2026-11-03T08:00:00Z")

            let second = try await Self.suggest(t, judge, id, "missed_test", at: "2026-11-15T08:00:00Z").json(SuggestionsBody.self)
            #expect(second.suggestions.first?.option.code == "increased_testing")
            #expect(second.suggestions.first?.reason == "Second missed test in 30 days: escalate to increased testing.")
            // A response outside the suggestions is recorded too, and marked so it can be reviewed.
            let outside = try await Self.respond(t, judge, id, "missed_test", at: "2026-11-15T08:00:00Z", option: "community_service", why: "Second miss within two weeks; agreed in court.")
            #expect(outside.status == .created)
            #expect(try outside.json(RecordedBody.self).wasSuggested == false)
            let third = try await Self.suggest(t, judge, id, "missed_test").json(SuggestionsBody.self)
            #expect(third.suggestions.first?.reason.hasPrefix("Third missed test in 30 days") == true)

            let listed = try await t.send(.GET, "/api/v1/measures/\(id)/responses", token: judge).json(ResponseListBody.self)
            #expect(listed.items.map(\.option.code) == ["verbal_warning", "community_service"])
            #expect(try await t.auditEntries().filter { $0.event.resourceType == "response" && $0.event.action == .create }.count == 2)
        }
    }

    @Test func theRatioIsFlaggedBelowFourIncentivesToOneSanction() async throws {
        try await TestApp.run { t in
            let id = try await ComplianceAPITests.measure(t)
            let supervisor = try await t.token("supervisor")
            try await Self.respond(t, supervisor, id, "missed_appointment", at: "2026-11-02T10:00:00Z", option: "verbal_warning")
            for (i, day) in ["05", "09"].enumerated() {
                let r = try await Self.respond(t, supervisor, id, "payment_made", at: "2026-11-\(day)T10:00:00Z", option: i == 0 ? "verbal_praise" : "recognition_in_court")
                #expect(r.status == .created, "\(r.text)")
            }
            let below = try await t.send(.GET, "/api/v1/measures/\(id)/responses", token: supervisor)
            #expect(below.status == .ok)
            let body = try below.json(ResponseListBody.self)
            #expect(body.person.incentives == 2 && body.person.sanctions == 1 && body.person.ratio == 2 && body.person.belowTarget)
            #expect(body.programme.belowTarget && body.programme.sanctions == 1 && body.person.target == 4)
            #expect(body.person.summary == "2 incentives to 1 sanction (2.0:1, below the 4.0:1 aim)")
            for day in ["10", "11"] {
                try await Self.respond(t, supervisor, id, "attended_all_sessions", at: "2026-11-\(day)T10:00:00Z", option: "verbal_praise")
            }
            let met = try await t.send(.GET, "/api/v1/measures/\(id)/responses", token: supervisor).json(ResponseListBody.self)
            #expect(met.person.ratio == 4 && !met.person.belowTarget && !met.programme.belowTarget)

            // The responses page shows the flag while the ratio is below the aim.
            let other = try await ComplianceAPITests.measure(t)
            try await Self.respond(t, supervisor, other, "missed_test", at: "2026-11-02T10:00:00Z", option: "verbal_warning")
            let (jar, _) = try await t.browserSignIn("supervisor")
            let page = try await t.send(.GET, "/measures/\(other)/responses", headers: [jar.header])
            #expect(page.status == .ok)
            #expect(page.text.contains(#"id="ratio-person-below""#))
        }
    }

    @Test func badChoicesAreRefusedNamingTheField() async throws {
        try await TestApp.run { t in
            let id = try await ComplianceAPITests.measure(t)
            let judge = try await t.token("judge")
            let at = "2026-11-17T09:00:00Z"
            let cases: [([String: String], String)] = [
                (["behaviour": "missed_test", "occurredAt": at, "option": "public_shaming", "why": "x"], "option"),
                (["behaviour": "missed_test", "occurredAt": at, "option": "verbal_warning"], "why"),
                (["behaviour": "missed_test", "occurredAt": at, "option": "verbal_warning", "why": "  "], "why"),
                (["behaviour": "missed_test", "occurredAt": at, "option": "gift_voucher", "why": "x"], "option"),
                (["behaviour": "payment_made", "occurredAt": at, "option": "verbal_warning", "why": "x"], "option"),
                (["behaviour": "sleeping_in", "occurredAt": at, "option": "verbal_warning", "why": "x"], "behaviour"),
                (["behaviour": "missed_test", "option": "verbal_warning", "why": "x"], "occurredAt"),
                (["behaviour": "missed_test", "occurredAt": "2026-11-25T09:00:00Z", "option": "verbal_warning", "why": "x"], "occurredAt"),
                (["behaviour": "missed_test", "occurredAt": "2026-08-01T09:00:00Z", "option": "verbal_warning", "why": "x"], "occurredAt"),
                (["behaviour": "missed_test", "occurredAt": "yesterday", "option": "verbal_warning", "why": "x"], "occurredAt"),
            ]
            for (body, field) in cases {
                let response = try await t.send(.POST, "/api/v1/measures/\(id)/responses", token: judge, json: body)
                #expect(response.status == .unprocessableEntity, "\(field): \(response.text)")
                #expect(response.text.contains(#""field":"\#(field)""#), "\(field): \(response.text)")
            }
            let suggested = try await Self.suggest(t, judge, id, "napping")
            #expect(suggested.status == .unprocessableEntity && suggested.text.contains(#""field":"behaviour""#))
            #expect(try await Self.suggest(t, judge, id, "missed_test", at: "not a time").status == .unprocessableEntity)
            #expect(try await Self.suggest(t, judge, "nope", "missed_test").status == .unprocessableEntity)
            #expect(try await t.send(.GET, "/api/v1/measures/nope/responses", token: judge).status == .unprocessableEntity)
            #expect(try await Self.suggest(t, judge, UUID().uuidString, "missed_test").status == .notFound)
        }
    }

    @Test func onlySupervisionOfficersAndJudgesChooseResponses() async throws {
        try await TestApp.run { t in
            let id = try await ComplianceAPITests.measure(t)
            for user in ["officer", "prosecutor", "provider", "analyst", "admin"] {
                let token = try await t.token(user)
                #expect(try await Self.suggest(t, token, id, "missed_test").status == .forbidden, "\(user)")
                #expect(try await Self.respond(t, token, id, "missed_test", at: "2026-11-17T09:00:00Z", option: "verbal_warning").status == .forbidden, "\(user)")
            }
            for user in ["officer", "analyst", "admin"] {
                let token = try await t.token(user)
                #expect(try await t.send(.GET, "/api/v1/measures/\(id)/responses", token: token).status == .forbidden, "\(user)")
            }
            for user in ["prosecutor", "provider", "judge", "supervisor"] {
                let token = try await t.token(user)
                #expect(try await t.send(.GET, "/api/v1/measures/\(id)/responses", token: token).status == .ok, "\(user)")
            }
        }
    }

    @Test func promotionIsRefusedWithReasonsUntilThePhaseCriteriaAreMet() async throws {
        try await TestApp.run { t in
            // Phase 1 of the standard matrix: 30 days, 4 negative tests in a row, 80 % attendance.
            let id = try await ComplianceAPITests.measure(t, start: "2026-10-01")
            let measureID = try #require(UUID(uuidString: id))
            let judge = try await t.token("judge")
            let refused = try await t.send(.POST, "/api/v1/measures/\(id)/promotion", token: judge)
            #expect(refused.status == .conflict)
            let detail = try refused.problem().detail
            #expect(detail.contains("Not yet eligible for promotion to phase 2 (Intensive treatment)."))
            #expect(detail.contains("48 days in this phase, at least 30 needed: met."))
            #expect(detail.contains("0 consecutive negative tests, at least 4 needed (4 more): not yet met."))
            #expect(detail.contains("No appointment has been recorded in this phase"))

            let supervisor = try await t.token("supervisor")
            for (i, attendance) in ["attended", "attended", "late", "attended", "missed"].enumerated() {
                try await ComplianceAPITests.record(t, supervisor, id, ["kind": "appointment", "at": .text("2026-11-0\(i + 2)T10:00:00Z"), "service": "Group counselling", "attendance": .text(attendance)])
            }
            let plan = try #require(try await DrugTestStore().plan(forMeasure: measureID, on: t.app.db))
            let results = try (0..<4).map { i in
                let day = CalendarDate(year: 2026, month: 11, day: 10 + 2 * i)
                let collected = Date(timeIntervalSince1970: TimeInterval(day.dayNumber * 86_400 + 36_000))
                return StoredDrugTestResult(
                    id: UUID(), planID: plan.plan.id, measureID: measureID, personID: plan.personID,
                    result: try DrugTestResult(testDay: day, specimen: .urine, collectedAt: collected, outcome: .negative, chainOfCustody: "COC-\(i)"),
                    outsideWindow: false, recordedByName: "Rui Silva", recordedAt: collected
                )
            }
            _ = try await DrugTestStore().insert(results, on: t.app.db)

            let promoted = try await t.send(.POST, "/api/v1/measures/\(id)/promotion", token: judge)
            #expect(promoted.status == .ok, "\(promoted.text)")
            let body = try promoted.json(PromotionBody.self)
            #expect(body.fromPhase == 1 && body.toPhase == 2 && body.phaseName == "Intensive treatment" && body.phaseSince == "2026-11-18" && body.eligible)
            let shown = try await t.send(.GET, "/api/v1/measures/\(id)", token: judge).json(MeasureResponse.self)
            #expect(shown.phase == 2 && shown.phaseSince == "2026-11-18")
            #expect(try await t.auditEntries().contains { $0.event.resourceType == "measure_phase" && $0.event.action == .update })

            let again = try await t.send(.POST, "/api/v1/measures/\(id)/promotion", token: supervisor)
            #expect(again.status == .conflict)
            #expect(try again.problem().detail.contains("0 days in this phase, at least 60 needed (60 more): not yet met."))

            for user in ["officer", "provider", "analyst", "admin"] {
                let token = try await t.token(user)
                #expect(try await t.send(.POST, "/api/v1/measures/\(id)/promotion", token: token).status == .forbidden, "\(user)")
            }
            #expect(try await t.send(.POST, "/api/v1/measures/bad-id/promotion", token: judge).status == .unprocessableEntity)
        }
    }

    @Test func theResponsesPageSuggestsAndRecordsAndTheMatrixPageShowsThePolicy() async throws {
        try await TestApp.run { t in
            let id = try await ComplianceAPITests.measure(t, start: "2026-10-01")
            let (jar, _) = try await t.browserSignIn("supervisor")
            let page = try await t.send(.GET, "/measures/\(id)/responses", headers: [jar.header])
            #expect(page.status == .ok)
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let suggested = try await t.send(.POST, "/measures/\(id)/responses/suggest", headers: [jar.header],
                                             body: form(["csrf": csrf, "behaviour": "positive_test", "occurredAt": "2026-11-17T09:30"]),
                                             contentType: "application/x-www-form-urlencoded")
            #expect(suggested.status == .ok)
            #expect(suggested.text.contains(#"id="option-reassessment" name="option" value="reassessment" checked"#))
            let noWhy = try await t.send(.POST, "/measures/\(id)/responses", headers: [jar.header],
                                         body: form(["csrf": csrf, "behaviour": "positive_test", "occurredAt": "2026-11-17T09:30", "option": "reassessment", "other": "", "why": ""]),
                                         contentType: "application/x-www-form-urlencoded")
            #expect(noWhy.status == .unprocessableEntity)
            let recorded = try await t.send(.POST, "/measures/\(id)/responses", headers: [jar.header],
                                            body: form(["csrf": csrf, "behaviour": "positive_test", "occurredAt": "2026-11-17T09:30", "option": "reassessment", "other": "", "why": "Early in treatment; the provider will reassess."]),
                                            contentType: "application/x-www-form-urlencoded")
            #expect(recorded.status == .seeOther)
            let list = try await t.send(.GET, "/measures/\(id)/responses?notice=recorded", headers: [jar.header])
            #expect(list.text.contains("Early in treatment; the provider will reassess."))
            let matrix = try await t.send(.GET, "/supervision/responses", headers: [jar.header])
            #expect(matrix.status == .ok)
            #expect(matrix.text.contains(#"id="rule-positive_test""#) && matrix.text.contains("Clinical reassessment"))
            let (officerJar, _) = try await t.browserSignIn("officer")
            #expect(try await t.send(.GET, "/supervision/responses", headers: [officerJar.header]).status == .forbidden)
        }
    }
}
