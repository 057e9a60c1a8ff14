import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

@Suite("Court, measure and timeline pages")
struct CourtPagesTests {
    @Test func aJudgeOpensACaseFromTheDocketAndRecordsADecisionThroughTheForm() async throws {
        try await TestApp.run { t in
            let personId = try await CaseAPITests.person(t)
            let (jar, _) = try await t.browserSignIn("judge")
            let personPage = try await t.send(.GET, "/people/\(personId)", headers: [jar.header])
            let csrf = try #require(hiddenField("csrf", in: personPage.text))
            #expect(personPage.text.contains(#"id="open-case""#))
            let opened = try await t.send(.POST, "/people/\(personId)/cases", headers: [jar.header], body: form(["csrf": csrf]),
                                          contentType: "application/x-www-form-urlencoded")
            #expect(opened.status == .seeOther)
            let location = try #require(opened.headers.first(name: .location))
            let caseId = String(location.dropFirst("/cases/".count).prefix(36))
            let docket = try await t.send(.GET, "/court", headers: [jar.header])
            #expect(docket.status == .ok && docket.text.contains(#"id="case-\#(caseId)""#))
            let casePage = try await t.send(.GET, "/cases/\(caseId)", headers: [jar.header])
            #expect(casePage.status == .ok)
            // The menu offers the court's measures and none of the prosecutor's.
            #expect(casePage.text.contains(#"value="probation""#) && !casePage.text.contains(#"value="deferred_prosecution""#))
            let decided = try await t.send(.POST, "/cases/\(caseId)/decisions", headers: [jar.header], body: form([
                "csrf": csrf, "stage": "sentencing", "type": "probation", "start": "2026-11-18", "plannedEnd": "2027-05-18",
                "withHours": "1", "hours": "40", "hoursDeadline": "2027-03-01",
                "withTesting": "1", "testMinimumPerWeek": "2", "testWindowStart": "07:00", "testWindowHours": "8", "testSpecimen": "urine",
                "gravity": "Possession of 30 g cannabis herb.", "circumstances": "Works nights; first contact.", "reasons": "Supervision and hours fit the offence.",
            ]), contentType: "application/x-www-form-urlencoded")
            #expect(decided.status == .seeOther, "\(decided.text)")
            let after = try await t.send(.GET, try #require(decided.headers.first(name: .location)), headers: [jar.header])
            #expect(after.text.contains("The decision is recorded."))
            #expect(after.text.contains(#"id="measure-"#))
            let docketAfter = try await t.send(.GET, "/court", headers: [jar.header])
            #expect(!docketAfter.text.contains(#"id="case-\#(caseId)""#))
        }
    }

    @Test func aFormMissingTheProportionalityRecordKeepsWhatWasTyped() async throws {
        try await TestApp.run { t in
            let personId = try await CaseAPITests.person(t)
            let judge = try await t.token("judge")
            let opened = try await CaseAPITests.openCase(t, judge, personId: personId)
            let (jar, _) = try await t.browserSignIn("judge")
            let page = try await t.send(.GET, "/cases/\(opened.id)", headers: [jar.header])
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let refused = try await t.send(.POST, "/cases/\(opened.id)/decisions", headers: [jar.header], body: form([
                "csrf": csrf, "stage": "sentencing", "type": "community_service", "start": "2026-11-18", "plannedEnd": "2027-05-18",
                "withHours": "1", "hours": "many", "hoursDeadline": "2027-03-01", "gravity": "Small amount.", "circumstances": "", "reasons": "",
            ]), contentType: "application/x-www-form-urlencoded")
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("Describe the person&#39;s circumstances") || refused.text.contains("Describe the person's circumstances"))
            #expect(refused.text.contains("Small amount."))
            #expect(refused.text.contains("measures[0].conditions[0].hours") == false)
        }
    }

    @Test func aSupervisorFilesABreachOnTheMeasurePageAndTheJudgeRevokesFromTheWorklist() async throws {
        try await TestApp.run { t in
            let decided = try await MeasureAPITests.decided(t)
            let measureId = try #require(decided.measures.first?.id)
            let (supervisor, _) = try await t.browserSignIn("supervisor")
            let page = try await t.send(.GET, "/measures/\(measureId)", headers: [supervisor.header])
            #expect(page.status == .ok && page.text.contains(#"id="breach-form""#))
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let filed = try await t.send(.POST, "/measures/\(measureId)/breaches", headers: [supervisor.header], body: form([
                "csrf": csrf, "behaviours[]": "missed_appointment", "description": "Missed four probation appointments in October.",
            ]), contentType: "application/x-www-form-urlencoded")
            #expect(filed.status == .seeOther)
            let (judge, _) = try await t.browserSignIn("judge")
            let worklist = try await t.send(.GET, "/court/breaches", headers: [judge.header])
            #expect(worklist.text.contains("Missed four probation appointments in October."))
            let judgeCSRF = try #require(hiddenField("csrf", in: worklist.text))
            let breach = try #require(try await BreachStore().list(open: true, on: t.app.db).first)
            let decidedBreach = try await t.send(.POST, "/court/breaches/\(breach.id.uuidString.lowercased())", headers: [judge.header], body: form([
                "csrf": judgeCSRF, "action": "revoke", "reason": "Repeated absence after two warnings.", "decisionId": "",
            ]), contentType: "application/x-www-form-urlencoded")
            #expect(decidedBreach.status == .seeOther)
            let measurePage = try await t.send(.GET, "/measures/\(measureId)", headers: [judge.header])
            #expect(measurePage.text.contains(#"id="measure-status">Revoked"#))
            let report = try await t.send(.GET, "/measures/\(measureId)/report", headers: [judge.header])
            #expect(report.status == .ok && report.text.contains(#"id="report""#) && report.text.contains("Repeated absence after two warnings."))
            let timeline = try await t.send(.GET, "/people/\(decided.personId)/timeline", headers: [judge.header])
            #expect(timeline.text.contains("timeline-breach") && timeline.text.contains("timeline-decision") && timeline.text.contains("timeline-outcome"))
        }
    }

    @Test func askingToPromoteTooEarlyShowsTheCriteriaNotMet() async throws {
        try await TestApp.run { t in
            let decided = try await MeasureAPITests.decided(t, body: MeasureAPITests.sentencing(type: "treatment_court"))
            let measureId = try #require(decided.measures.first?.id)
            let (judge, _) = try await t.browserSignIn("judge")
            let page = try await t.send(.GET, "/measures/\(measureId)", headers: [judge.header])
            #expect(page.text.contains(#"id="promotion-form""#) && page.text.contains("Stabilisation"))
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let refused = try await t.send(.POST, "/measures/\(measureId)/promotion", headers: [judge.header], body: form(["csrf": csrf]),
                                           contentType: "application/x-www-form-urlencoded")
            #expect(refused.status == .conflict)
            #expect(refused.text.contains(#"id="form-errors""#))
            #expect(refused.text.contains(#"id="measure-phase">1"#))
        }
    }

    @Test func theReportAPIAnswersThePeriodAndRefusesABadOne() async throws {
        try await TestApp.run { t in
            let decided = try await MeasureAPITests.decided(t)
            let measureId = try #require(decided.measures.first?.id)
            let judge = try await t.token("judge")
            let report = try await t.send(.GET, "/api/v1/measures/\(measureId)/report?from=2026-11-10&to=2026-11-18", token: judge)
            #expect(report.status == .ok)
            let body = try report.json(ProgressReport.self)
            #expect(body.from.description == "2026-11-10" && body.compliance.hours.first?.due == 60)
            #expect(try await t.send(.GET, "/api/v1/measures/\(measureId)/report?from=2026-11-18&to=2026-11-10", token: judge).status == .unprocessableEntity)
            #expect(try await t.send(.GET, "/api/v1/measures/\(measureId)/report?from=yesterday&to=2026-11-10", token: judge).status == .unprocessableEntity)
            let officer = try await t.token("officer")
            #expect(try await t.send(.GET, "/api/v1/measures/\(measureId)/report", token: officer).status == .forbidden)
            let audited = try await t.auditEntries().filter { $0.event.resourceType == "progress_report" }
            #expect(audited.count == 1)
        }
    }

    @Test func theTimelineShowsOnlyWhatTheRoleMayRead() async throws {
        try await TestApp.run { t in
            let decided = try await MeasureAPITests.decided(t)
            let (provider, _) = try await t.browserSignIn("provider")
            let page = try await t.send(.GET, "/people/\(decided.personId)/timeline", headers: [provider.header])
            #expect(page.status == .ok)
            #expect(page.text.contains("timeline-measure"))
            #expect(!page.text.contains("timeline-decision") && !page.text.contains("timeline-contact"))
            #expect(page.text.contains(#"id="hidden-kinds""#))
            let (analyst, _) = try await t.browserSignIn("analyst")
            #expect(try await t.send(.GET, "/people/\(decided.personId)/timeline", headers: [analyst.header]).status == .forbidden)
            #expect(try await t.send(.GET, "/court", headers: [analyst.header]).status == .forbidden)
        }
    }
}
