import Crypto
import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

@Suite("Random drug testing through the API")
struct DrugTestingAPITests {
    struct Ordered {
        var personId: String
        var measureId: String
    }

    /// A judge sentences to probation with drug testing starting `start`. With seven tests a week every day is a
    /// test day, so the tests know the days without reading the plan. The test clock reads 2026-11-18 11:06 UTC
    /// (a Wednesday; Lisbon keeps UTC in November).
    static func order(_ t: TestApp, start: String = "2026-11-16", minimumPerWeek: Int = 7, personId: String? = nil) async throws -> Ordered {
        let personId = if let personId { personId } else { try await CaseAPITests.person(t) }
        let judge = try await t.token("judge")
        let opened = try await CaseAPITests.openCase(t, judge, personId: personId)
        let body = #"{"stage":"sentencing","measures":[{"type":"probation","start":"\#(start)","plannedEnd":"2027-05-31","conditions":[{"type":"drug_testing","parameters":{"minimumPerWeek":\#(minimumPerWeek),"windowHours":8,"specimen":"urine"}}]}],"proportionality":{"gravity":"Possession of 30 g cannabis herb, no violence.","circumstances":"Works part time, first contact.","reasons":"Testing and supervision address the cause."}}"#
        let decided = try await t.send(.POST, "/api/v1/cases/\(opened.id)/decisions", token: judge, body: body, contentType: "application/json")
        try #require(decided.status == .created, "the decision answered \(decided.status): \(decided.text)")
        let measure = try #require(try decided.json(CaseResponse.self).measures.first)
        return Ordered(personId: personId, measureId: measure.id)
    }

    static func result(_ day: String = "2026-11-18", outcome: String = "negative", collectedAt: String? = "2026-11-18T10:00:00Z",
                       chainOfCustody: String? = "COC-0001", extra: [String: String] = [:]) -> [String: String] {
        var body = ["testDay": day, "outcome": outcome]
        if let collectedAt { body["collectedAt"] = collectedAt }
        if let chainOfCustody { body["chainOfCustody"] = chainOfCustody }
        return body.merging(extra) { _, new in new }
    }

    @Test func aPlanIsDrawnAtTheDecisionWithItsCommitmentInTheAuditTrail() async throws {
        try await TestApp.run { t in
            let ordered = try await Self.order(t, minimumPerWeek: 2)
            let supervisor = try await t.token("supervisor")
            let response = try await t.send(.GET, "/api/v1/measures/\(ordered.measureId)/testing-plan", token: supervisor)
            #expect(response.status == .ok)
            let plan = try response.json(TestingPlanResponse.self)
            #expect(plan.verification.status == "intact")
            #expect(plan.condition.windowStart == "07:00" && plan.condition.timeZone == "Europe/Lisbon")
            #expect(plan.condition.startDate == "2026-11-16" && plan.condition.endDate == "2027-05-31")
            #expect(plan.weeks.allSatisfy { $0.days < 7 || $0.testDays.count >= 2 })
            #expect(plan.testDays.map(\.date) == plan.weeks.flatMap(\.testDays))
            #expect(plan.commitment.count == 64)
            let drawn = try await t.auditEntries().filter { $0.event.resourceType == "drug_test_plan" && $0.event.action == .create }
            #expect(drawn.map(\.event.resourceID) == ["\(plan.id)/sha256:\(plan.commitment)"])
            #expect(drawn.first?.event.personID?.uuidString.lowercased() == ordered.personId)
            // The seed is sealed in its own table and is not the commitment's preimage in clear.
            let seed = try #require(try await DrugTestPlanSeedModel.find(UUID(uuidString: plan.id), on: t.app.db))
            #expect((Data(base64Encoded: seed.sealed)?.count ?? 0) == 12 + 32 + 16)
            let reads = try await t.auditEntries().filter { $0.event.resourceType == "drug_test_plan" && $0.event.action == .read }
            #expect(reads.count == 1)
        }
    }

    @Test func aTestDayRemovedFromTheStoredPlanIsReportedAsAltered() async throws {
        try await TestApp.run { t in
            let ordered = try await Self.order(t, minimumPerWeek: 3)
            let supervisor = try await t.token("supervisor")
            let plan = try await t.send(.GET, "/api/v1/measures/\(ordered.measureId)/testing-plan", token: supervisor).json(TestingPlanResponse.self)
            let row = try #require(try await DrugTestPlanModel.find(UUID(uuidString: plan.id), on: t.app.db))
            var days = try JSONDecoder().decode([String].self, from: Data(row.testDays.utf8))
            let removed = days.remove(at: 3)
            row.testDays = String(decoding: try JSONEncoder().encode(days), as: UTF8.self)
            try await row.save(on: t.app.db)
            let checked = try await t.send(.GET, "/api/v1/measures/\(ordered.measureId)/testing-plan", token: supervisor).json(TestingPlanResponse.self)
            #expect(checked.verification.status == "days_altered")
            #expect(checked.verification.removed == [removed])
            #expect(checked.verification.added.isEmpty)
            #expect(checked.verification.detail.contains(removed))
        }
    }

    @Test func aResultIsRecordedOnceForItsDay() async throws {
        try await TestApp.run { t in
            let ordered = try await Self.order(t)
            let provider = try await t.token("provider")
            let path = "/api/v1/measures/\(ordered.measureId)/tests"
            let first = try await t.send(.POST, path, token: provider, json: Self.result(extra: ["specimen": "urine"]))
            #expect(first.status == .created, "\(first.text)")
            let saved = try first.json(TestResultResponse.self)
            #expect(saved.outcome == "negative" && saved.scheduled && !saved.outsideWindow && saved.chainOfCustody == "COC-0001")
            let again = try await t.send(.POST, path, token: provider, json: Self.result(outcome: "dilute"))
            #expect(again.status == .conflict)
            let positive = try await t.send(.POST, path, token: provider, json: [
                "testDay": "2026-11-17", "outcome": "positive", "substances": ["cannabis", " Cannabis "], "collectedAt": "2026-11-17T08:15:00Z",
                "chainOfCustody": "COC-0002", "labConfirmed": true,
            ] as [String: AnyEncodableValue])
            #expect(positive.status == .created, "\(positive.text)")
            #expect(try positive.json(TestResultResponse.self).substances == ["cannabis"])
            let created = try await t.auditEntries().filter { $0.event.resourceType == "drug_test_result" && $0.event.action == .create }
            #expect(created.count == 2)
            #expect(created.allSatisfy { $0.event.personID?.uuidString.lowercased() == ordered.personId })
        }
    }

    @Test(arguments: [
        (result(outcome: "fine"), "outcome"),
        (result("18/11/2026"), "testDay"),
        (result("2026-11-19", collectedAt: nil), "testDay"),
        (result("2026-11-01"), "testDay"),
        (result(outcome: "positive"), "substances"),
        (result(collectedAt: nil), "collectedAt"),
        (result(collectedAt: "yesterday"), "collectedAt"),
        (result(collectedAt: "2026-11-18T20:00:00Z"), "collectedAt"),
        (result(chainOfCustody: nil), "chainOfCustody"),
        (result(outcome: "excused", collectedAt: nil, chainOfCustody: nil), "reason"),
        (result(outcome: "missed"), "collectedAt"),
        (result(extra: ["specimen": "tea"]), "specimen"),
    ])
    func aWrongResultNamesTheField(body: [String: String], field: String) async throws {
        try await TestApp.run { t in
            let ordered = try await Self.order(t)
            let supervisor = try await t.token("supervisor")
            let response = try await t.send(.POST, "/api/v1/measures/\(ordered.measureId)/tests", token: supervisor, json: body)
            #expect(response.status == .unprocessableEntity, "\(field): \(response.text)")
            #expect(try response.problem().errors?.map(\.field).contains(field) == true, "\(field): \(response.text)")
        }
    }

    @Test func onlyTheRolesTheGrantsNameMayReadAndRecord() async throws {
        try await TestApp.run { t in
            let ordered = try await Self.order(t)
            for user in ["judge", "prosecutor", "supervisor", "provider"] {
                let token = try await t.token(user)
                #expect(try await t.send(.GET, "/api/v1/measures/\(ordered.measureId)/testing-plan", token: token).status == .ok, "\(user)")
                #expect(try await t.send(.GET, "/api/v1/measures/\(ordered.measureId)/tests", token: token).status == .ok, "\(user)")
            }
            for user in ["officer", "analyst", "admin"] {
                let token = try await t.token(user)
                #expect(try await t.send(.GET, "/api/v1/measures/\(ordered.measureId)/testing-plan", token: token).status == .forbidden, "\(user)")
            }
            for user in ["judge", "prosecutor", "officer", "analyst", "admin"] {
                let token = try await t.token(user)
                #expect(try await t.send(.POST, "/api/v1/measures/\(ordered.measureId)/tests", token: token, json: Self.result()).status == .forbidden, "\(user)")
                #expect(try await t.send(.POST, "/api/v1/persons/\(ordered.personId)/call-in-code", token: token).status == .forbidden, "\(user)")
            }
            #expect(try await t.send(.GET, "/api/v1/measures/\(ordered.measureId)/testing-plan").status == .unauthorized)
            let supervisor = try await t.token("supervisor")
            #expect(try await t.send(.GET, "/api/v1/measures/\(UUID().uuidString)/testing-plan", token: supervisor).status == .notFound)
            #expect(try await t.send(.GET, "/api/v1/measures/not-an-id/testing-plan", token: supervisor).status == .unprocessableEntity)
        }
    }

    @Test func aMeasureWithoutDrugTestingHasNoPlan() async throws {
        try await TestApp.run { t in
            let personId = try await CaseAPITests.person(t)
            let judge = try await t.token("judge")
            let opened = try await CaseAPITests.openCase(t, judge, personId: personId)
            let body = #"{"stage":"sentencing","measures":[{"type":"community_service","start":"2026-12-01","plannedEnd":"2027-06-01","conditions":[{"type":"community_service","parameters":{"hours":40,"deadline":"2027-05-01"}}]}],"proportionality":{"gravity":"Possession, no violence.","circumstances":"First contact.","reasons":"Proportionate."}}"#
            let decided = try await t.send(.POST, "/api/v1/cases/\(opened.id)/decisions", token: judge, body: body, contentType: "application/json")
            let measure = try #require(try decided.json(CaseResponse.self).measures.first)
            #expect(try await t.send(.GET, "/api/v1/measures/\(measure.id)/testing-plan", token: judge).status == .notFound)
        }
    }

    @Test func aWindowThatWouldRunPastMidnightIsRefusedAtTheDecision() async throws {
        try await TestApp.run { t in
            let personId = try await CaseAPITests.person(t)
            let judge = try await t.token("judge")
            let opened = try await CaseAPITests.openCase(t, judge, personId: personId)
            let body = #"{"stage":"sentencing","measures":[{"type":"probation","start":"2026-12-01","plannedEnd":"2027-06-01","conditions":[{"type":"drug_testing","parameters":{"minimumPerWeek":2,"windowHours":8,"windowStart":"18:00","specimen":"urine"}}]}],"proportionality":{"gravity":"Possession, no violence.","circumstances":"First contact.","reasons":"Proportionate."}}"#
            let decided = try await t.send(.POST, "/api/v1/cases/\(opened.id)/decisions", token: judge, body: body, contentType: "application/json")
            #expect(decided.status == .unprocessableEntity)
            #expect(decided.text.contains("measures[0].conditions[0].windowHours") && decided.text.contains("midnight"))
        }
    }

    @Test func aCollectionOutsideTheWindowIsFlaggedAndKept() async throws {
        try await TestApp.run { t in
            let ordered = try await Self.order(t)
            let supervisor = try await t.token("supervisor")
            let path = "/api/v1/measures/\(ordered.measureId)/tests"
            let early = try await t.send(.POST, path, token: supervisor, json: Self.result(collectedAt: "2026-11-18T06:30:00Z"))
            #expect(early.status == .created)
            #expect(try early.json(TestResultResponse.self).outsideWindow)
            let listed = try await t.send(.GET, path, token: supervisor).json(DrugTestController.ResultList.self)
            #expect(listed.items.first { $0.testDay == "2026-11-18" }?.outsideWindow == true)
        }
    }

    @Test func aResultOnADayThatWasNotDrawnIsAnUnscheduledTest() async throws {
        try await TestApp.run { t in
            let ordered = try await Self.order(t, minimumPerWeek: 1)
            let supervisor = try await t.token("supervisor")
            let plan = try await t.send(.GET, "/api/v1/measures/\(ordered.measureId)/testing-plan", token: supervisor).json(TestingPlanResponse.self)
            let days = Set(plan.testDays.map(\.date))
            let free = try #require(["2026-11-16", "2026-11-17", "2026-11-18"].first { !days.contains($0) })
            let response = try await t.send(.POST, "/api/v1/measures/\(ordered.measureId)/tests", token: supervisor,
                                            json: Self.result(free, collectedAt: "\(free)T09:00:00Z"))
            #expect(response.status == .created)
            #expect(try response.json(TestResultResponse.self).scheduled == false)
        }
    }

    @Test func aMissedTestIsRecordedAsMissedExactlyOnce() async throws {
        try await TestApp.run { t in
            let ordered = try await Self.order(t)
            let supervisor = try await t.token("supervisor")
            let path = "/api/v1/measures/\(ordered.measureId)/tests"
            // Monday and Tuesday closed without a result; Wednesday's window is open until 15:00.
            let first = try await t.send(.GET, path, token: supervisor).json(DrugTestController.ResultList.self)
            #expect(first.items.map(\.testDay) == ["2026-11-16", "2026-11-17"])
            #expect(first.items.allSatisfy { $0.outcome == "missed" && $0.recordedBy == "system" && $0.collectedAt == nil })
            let second = try await t.send(.GET, path, token: supervisor).json(DrugTestController.ResultList.self)
            #expect(second.items.map(\.id) == first.items.map(\.id))
            let recorded = try await t.auditEntries().filter { $0.event.resourceType == "drug_test_result" && $0.event.action == .create }
            #expect(recorded.count == 2)
            // A missed day has its result: recording another for it is a conflict, not a second row.
            #expect(try await t.send(.POST, path, token: supervisor, json: Self.result("2026-11-16", collectedAt: "2026-11-16T09:00:00Z")).status == .conflict)
            t.clock.advance(4 * 3600)
            let later = try await t.send(.GET, path, token: supervisor).json(DrugTestController.ResultList.self)
            #expect(later.items.map(\.testDay) == ["2026-11-16", "2026-11-17", "2026-11-18"])
        }
    }

    @Test func theSupervisionSweepRecordsMissedTestsOfEveryActivePlan() async throws {
        try await TestApp.run { t in
            let a = try await Self.order(t)
            let b = try await Self.order(t, start: "2026-11-17")
            let request = Request(application: t.app, on: t.app.eventLoopGroup.any())
            let (plans, results) = try await DrugTestService(request: request).sweepActive()
            #expect(plans.count == 2)
            #expect(results.values.flatMap { $0 }.count == 3)
            _ = try await DrugTestService(request: request).sweepActive()
            let stored = try await DrugTestResultModel.query(on: t.app.db).all()
            #expect(stored.count == 3)
            #expect(Set(stored.map(\.measureID.uuidString).map { $0.lowercased() }) == [a.measureId, b.measureId])
        }
    }

    @Test func aCallInCodeAnswersForTodayAndTomorrowOnlyWithoutSignIn() async throws {
        try await TestApp.run { t in
            let ordered = try await Self.order(t)
            let supervisor = try await t.token("supervisor")
            let issued = try await t.send(.POST, "/api/v1/persons/\(ordered.personId)/call-in-code", token: supervisor)
            #expect(issued.status == .created)
            let code = try issued.json(DrugTestController.CallInCodeResponse.self).code
            #expect(code.count == 10 && CallInCode.normalized(code) == code)
            // Only the hash is kept.
            let row = try #require(try await CallInCodeModel.query(on: t.app.db).first())
            #expect(row.codeHash == SHA256.hash(data: Data(code.utf8)).map { String(format: "%02x", $0) }.joined())

            let today = try await t.send(.GET, "/api/v1/call-in?code=\(code.prefix(5))-\(code.suffix(5))&date=2026-11-18")
            #expect(today.status == .ok)
            let answer = try today.json(DrugTestController.CallInResponse.self)
            #expect(answer.testDay && answer.windowStart == "07:00" && answer.windowEnd == "15:00")
            #expect(answer.timeZone == "Europe/Lisbon" && answer.specimen == "urine" && answer.date == "2026-11-18")
            #expect(try await t.send(.GET, "/api/v1/call-in?code=\(code.lowercased())").json(DrugTestController.CallInResponse.self).date == "2026-11-18")
            #expect(try await t.send(.GET, "/api/v1/call-in?code=\(code)&date=2026-11-19").status == .ok)
            for date in ["2026-11-20", "2026-11-17", "2027-01-01", "tomorrow"] {
                #expect(try await t.send(.GET, "/api/v1/call-in?code=\(code)&date=\(date)").status == .unprocessableEntity, "\(date)")
            }
            let lookups = try await t.auditEntries().filter { $0.event.resourceType == "drug_test_notice" }
            #expect(lookups.count == 3)
            #expect(lookups.allSatisfy { $0.event.userID == nil && $0.event.personID?.uuidString.lowercased() == ordered.personId })

            // A new code replaces the old one.
            let renewed = try await t.send(.POST, "/api/v1/persons/\(ordered.personId)/call-in-code", token: supervisor)
                .json(DrugTestController.CallInCodeResponse.self).code
            #expect(try await t.send(.GET, "/api/v1/call-in?code=\(code)").status == .notFound)
            #expect(try await t.send(.GET, "/api/v1/call-in?code=\(renewed)").status == .ok)
        }
    }

    @Test func anUnknownCodeIsNotFoundAndRepeatedGuessesAreSlowedDown() async throws {
        try await TestApp.run { t in
            let unknown = try await t.send(.GET, "/api/v1/call-in?code=AAAAA-BBBBB")
            #expect(unknown.status == .notFound)
            #expect(try unknown.problem().detail.contains("not known"))
            #expect(try await t.send(.GET, "/api/v1/call-in?code=short").status == .unprocessableEntity)
            #expect(try await t.send(.GET, "/api/v1/call-in").status == .unprocessableEntity)
            for _ in 0..<9 { _ = try await t.send(.GET, "/api/v1/call-in?code=AAAAA-BBBBB") }
            #expect(try await t.send(.GET, "/api/v1/call-in?code=AAAAA-BBBBB").status == .tooManyRequests)
            let supervisor = try await t.token("supervisor")
            #expect(try await t.send(.POST, "/api/v1/persons/\(UUID().uuidString)/call-in-code", token: supervisor).status == .notFound)
            #expect(try await t.send(.POST, "/api/v1/persons/nobody/call-in-code", token: supervisor).status == .unprocessableEntity)
        }
    }

    @Test func aSupervisorSeesTodaysTestsAndRecordsAResultOnTheMeasurePage() async throws {
        try await TestApp.run { t in
            let ordered = try await Self.order(t)
            let (jar, _) = try await t.browserSignIn("supervisor")
            let today = try await t.send(.GET, "/supervision/tests", headers: [jar.header])
            #expect(today.status == .ok)
            #expect(today.text.contains(#"id="today-list""#) && today.text.contains("07:00–15:00"))
            #expect(today.text.contains(#"id="missed-list""#) && today.text.contains("2026-11-17"))
            #expect(today.text.contains(#"href="/supervision/tests""#))
            let page = try await t.send(.GET, "/measures/\(ordered.measureId)/tests", headers: [jar.header])
            #expect(page.status == .ok)
            #expect(page.text.contains(#"id="plan-verification""#) && page.text.contains("Intact"))
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let fields = ["csrf": csrf, "testDay": "2026-11-18", "specimen": "urine", "outcome": "negative", "collectedAt": "2026-11-18T16:30",
                          "chainOfCustody": "COC-77", "substances": "", "reason": ""]
            let recorded = try await t.send(.POST, "/measures/\(ordered.measureId)/tests", headers: [jar.header], body: form(fields),
                                            contentType: "application/x-www-form-urlencoded")
            #expect(recorded.status == .unprocessableEntity, "a collection in the future is refused")
            var fixed = fields
            fixed["collectedAt"] = "2026-11-18T06:45"
            let again = try await t.send(.POST, "/measures/\(ordered.measureId)/tests", headers: [jar.header], body: form(fixed),
                                         contentType: "application/x-www-form-urlencoded")
            #expect(again.status == .seeOther)
            let location = try #require(again.headers.first(name: .location))
            #expect(location.hasSuffix("notice=outside_window"))
            let shown = try await t.send(.GET, location, headers: [jar.header])
            #expect(shown.text.contains("COC-77") && shown.text.contains("outside the window"))
            let twice = try await t.send(.POST, "/measures/\(ordered.measureId)/tests", headers: [jar.header], body: form(fixed),
                                         contentType: "application/x-www-form-urlencoded")
            #expect(twice.status == .conflict)
            let (officer, _) = try await t.browserSignIn("officer")
            #expect(try await t.send(.GET, "/supervision/tests", headers: [officer.header]).status == .forbidden)
        }
    }

    @Test func theCallInPageAnswersInThePersonsLanguageWithoutSignIn() async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let person = try await t.send(.POST, "/api/v1/persons", token: officer, json: [
                "givenName": "Lucía", "familyName": "Pérez", "birthDate": "1991-02-03", "sex": "female", "preferredLanguage": "es-MX",
            ]).json(PersonController.PersonResponse.self)
            _ = try await Self.order(t, personId: person.id)
            let supervisor = try await t.token("supervisor")
            let code = try await t.send(.POST, "/api/v1/persons/\(person.id)/call-in-code", token: supervisor)
                .json(DrugTestController.CallInCodeResponse.self).code
            let form = try await t.send(.GET, "/call-in")
            #expect(form.status == .ok && form.text.contains(#"id="call-in-form""#))
            let asked = try await t.send(.POST, "/call-in", body: "code=\(code)&day=today", contentType: "application/x-www-form-urlencoded")
            #expect(asked.status == .ok)
            #expect(asked.text.contains("Hoy es día de prueba: venga entre las 07:00 y las 15:00."), "\(asked.text)")
            let unknown = try await t.send(.POST, "/call-in", body: "code=AAAAABBBBB&day=today", contentType: "application/x-www-form-urlencoded")
            #expect(unknown.status == .notFound && unknown.text.contains(#"id="call-in-error""#))
        }
    }
}

/// A JSON value of mixed types in a test body.
enum AnyEncodableValue: Encodable, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral {
    case string(String), bool(Bool), array([String])

    init(stringLiteral value: String) { self = .string(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: String...) { self = .array(elements) }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .bool(let b): try c.encode(b)
        case .array(let a): try c.encode(a)
        }
    }
}
