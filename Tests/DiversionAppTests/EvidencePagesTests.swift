import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

@Suite("Evidence pages: the dashboard, indicators, CSV and the public page")
struct EvidencePagesTests {
    /// The known facts of the indicator tests: 17 contacts on 2026-03-02, within the test clock's last twelve months.
    func seeded(_ t: TestApp) async throws {
        try await EvidenceStore().insert(knownFacts(), tests: [], source: .historical, on: t.app.db)
        try await EvidenceStore().linkFollowUps(on: t.app.db)
    }

    func occurrences(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test func theAnalystSeesHeadlineFiguresAndFourChartsEachBesideItsTable() async throws {
        try await TestApp.run { t in
            try await seeded(t)
            try await EvidenceStore().noteRefresh(source: .historical, at: t.clock.now, contacts: 17, tests: 0, on: t.app.db)
            let (jar, _) = try await t.browserSignIn("analyst")
            let home = try await t.send(.GET, "/home", headers: [jar.header])
            #expect(home.text.contains(#"<a href="/analysis">Evidence</a>"#) && home.text.contains(#"id="home-evidence""#))
            let page = try await t.send(.GET, "/analysis", headers: [jar.header])
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains(#"<a href="/analysis/exports" id="exports-link">"#) && html.contains(#"<a href="/analysis/simulation" id="simulation-link">"#))
            #expect(html.contains("Counted from historical imports (17 contacts)."))
            #expect(html.contains(#"id="headline-contacts"><dt>Contacts for drug offences</dt><dd>17</dd>"#))
            #expect(html.contains(#"id="headline-people"><dt>People in contact for drug offences</dt><dd>17</dd>"#))
            // 12 of 17 diverted; the 5 not diverted are not too few to show.
            #expect(html.contains(#"id="headline-diverted"><dt>Share diverted</dt><dd>70.6%</dd>"#))
            #expect(occurrences(#"<figure class="evidence-figure"#, in: html) == 4)
            #expect(occurrences(#"class="chart" role="img""#, in: html) == 4)
            #expect(occurrences("<caption>", in: html) == 4)
            for id in ["diverted-by-sex-age", "contacts-by-month", "negative-tests-by-month", "time-to-reoffence"] {
                #expect(html.contains(#"id="chart-\#(id)""#) && html.contains(#"aria-labelledby="chart-\#(id)-title chart-\#(id)-desc""#), "\(id)")
                #expect(html.contains(#"id="table-\#(id)""#), "\(id)")
            }
            #expect(html.contains(#"<th scope="col">Month</th>"#) && html.contains(#"<th scope="row">Mar 2026</th><td>17</td>"#))
            #expect(html.contains("Counts below 5 are suppressed"))
            #expect(html.contains("Figures as of ") && !html.contains("The figures have not been counted yet."))
            #expect(html.contains(#"action="/analysis/refresh""#) && html.contains(#"href="/analysis/indicators""#))
        }
    }

    @Test func refreshingCountsTheRecordedPathwayAgainAndDatesTheFigures() async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let personId = try await t.registerPerson(officer, givenName: "Quillon", familyName: "Vexmoor")
            for day in ["2026-10-02", "2026-10-09"] {
                let body = contactBody(#""personId":"\#(personId)""#, occurredAt: "\(day)T09:00:00Z")
                let response = try await t.send(.POST, "/api/v1/contacts", token: officer, body: body, contentType: "application/json")
                try #require(response.status == .created, "\(response.text)")
            }
            let (jar, _) = try await t.browserSignIn("analyst")
            let page = try await t.send(.GET, "/analysis", headers: [jar.header])
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let refused = try await t.send(.POST, "/analysis/refresh", headers: [jar.header], body: form(["csrf": "forged"]),
                                           contentType: "application/x-www-form-urlencoded")
            #expect(refused.status == .forbidden)
            let refreshed = try await t.send(.POST, "/analysis/refresh", headers: [jar.header], body: form(["csrf": csrf]),
                                             contentType: "application/x-www-form-urlencoded")
            #expect(refreshed.status == .seeOther && refreshed.headers.first(name: .location) == "/analysis?notice=refreshed")
            let after = try await t.send(.GET, "/analysis?notice=refreshed", headers: [jar.header])
            #expect(after.text.contains(#"id="notice">The figures were counted again."#))
            #expect(after.text.contains("Figures as of Nov 18, 2026 at 11:06\u{202F}AM UTC."))
            #expect(after.text.contains(#"<th scope="row">Oct 2026</th><td>suppressed</td>"#) || after.text.contains(#"<tr class="suppressed"><th scope="row">Oct 2026</th>"#))
            #expect(!after.text.contains("Vexmoor") && !after.text.contains("Quillon"))
            let entries = try await t.auditEntries()
            #expect(entries.contains { $0.event.action == .update && $0.event.resourceType == "evidence_facts" && $0.event.username == "analyst" })
            #expect(entries.contains { $0.event.action == .read && $0.event.resourceType == "indicator" && $0.event.resourceID == "time_to_reoffence" })
        }
    }

    @Test func anIndicatorCutBySexAndAgeGroupDrawsGroupedBarsAndShowsSuppressedCellsAsSuch() async throws {
        try await TestApp.run { t in
            try await seeded(t)
            let (jar, _) = try await t.browserSignIn("analyst")
            let page = try await t.send(.GET, "/analysis/indicators/diverted_share?by=sex,age_group&asOf=2026-11-01", headers: [jar.header])
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains(#"id="indicator-title">Share diverted</h1>"#))
            #expect(html.contains(#"id="by-sex" checked"#) && html.contains(#"id="by-age_group" checked"#) && !html.contains(#"id="by-region" checked"#))
            #expect(html.contains(#"<th scope="col">Sex</th><th scope="col">Age group</th><th scope="col">Share</th>"#))
            #expect(html.contains(#"class="chart" role="img""#) && html.contains(#"class="bar suppressed""#))
            // Two men aged 18–24 and three aged 25–34: small, so withheld in the table as in the chart.
            #expect(html.contains(#"<tr class="suppressed"><th scope="row">Male</th><td>18–24</td><td class="suppressed">suppressed</td>"#))
            #expect(html.contains(#"id="csv-link""#) && html.contains("format=csv"))
            // The form's ticked boxes send the cut as repeated names; the page reads them the same way.
            let repeated = try await t.send(.GET, "/analysis/indicators/diverted_share?by=sex&by=age_group&asOf=2026-11-01", headers: [jar.header])
            #expect(repeated.status == .ok && repeated.text.contains(#"id="by-sex" checked"#) && repeated.text.contains(#"id="by-age_group" checked"#))
            #expect(repeated.text.contains(#"<tr class="suppressed"><th scope="row">Male</th><td>18–24</td>"#))
        }
    }

    @Test(arguments: [
        ("contacts?by=month", #"<g class="series""#),
        ("time_to_reoffence?by=pathway", #"class="band""#),
        ("contacts?by=sex", #"class="bar""#),
    ])
    func eachIndicatorGetsTheChartThatFitsItsCut(_ path: String, _ mark: String) async throws {
        try await TestApp.run { t in
            try await seeded(t)
            let (jar, _) = try await t.browserSignIn("analyst")
            let page = try await t.send(.GET, "/analysis/indicators/\(path)", headers: [jar.header])
            #expect(page.status == .ok)
            #expect(page.text.contains(mark) || page.text.contains(#"class="no-figures""#), "\(path)")
        }
    }

    @Test func aCutOfThreeDimensionsIsATableAloneAndCostsShowTheirAssumptions() async throws {
        try await TestApp.run { t in
            try await seeded(t)
            let (jar, _) = try await t.browserSignIn("analyst")
            let page = try await t.send(.GET, "/analysis/indicators/contacts?by=sex,region,age_group", headers: [jar.header])
            #expect(page.status == .ok && !page.text.contains("<svg") && page.text.contains(#"id="table-contacts""#))
            let cost = try await t.send(.GET, "/analysis/indicators/cost_difference?by=region", headers: [jar.header])
            #expect(cost.status == .ok && cost.text.contains(#"class="assumptions""#) && cost.text.contains("Prison "))
        }
    }

    @Test func theCSVIsTheSameSuppressedTableWithEmptyFiguresWhereWithheld() async throws {
        try await TestApp.run { t in
            try await seeded(t)
            let (jar, _) = try await t.browserSignIn("analyst")
            let response = try await t.send(.GET, "/analysis/indicators/contacts?by=sex,region&asOf=2026-11-01&format=csv", headers: [jar.header])
            #expect(response.status == .ok)
            #expect(response.headers.contentType?.description.hasPrefix("text/csv") == true)
            #expect(response.headers.first(name: .contentDisposition) == #"attachment; filename="contacts.csv""#)
            let lines = response.text.split(separator: "\r\n").map(String.init)
            #expect(lines.first == "sex,region,value,numerator,denominator,suppressed")
            let men = lines.filter { $0.hasPrefix("male,") }
            #expect(men.count == 2 && men.allSatisfy { $0.hasSuffix(",,,,true") })
            for line in lines.dropFirst() where line.hasSuffix(",false") {
                let value = Int(line.split(separator: ",", omittingEmptySubsequences: false)[2]) ?? -1
                #expect(!(1...4).contains(value), "\(line)")
            }
            // The page shows as many rows, withheld in the same places.
            let page = try await t.send(.GET, "/analysis/indicators/contacts?by=sex,region&asOf=2026-11-01", headers: [jar.header])
            #expect(occurrences("<tr", in: page.text) - 1 == lines.count - 1)
            #expect(occurrences(#"<tr class="suppressed">"#, in: page.text) == lines.filter { $0.hasSuffix(",true") }.count)
        }
    }

    @Test func aBackwardsPeriodOrAnUnknownCutIsRefusedOnThePageNamingTheField() async throws {
        try await TestApp.run { t in
            let (jar, _) = try await t.browserSignIn("analyst")
            let backwards = try await t.send(.GET, "/analysis/indicators/contacts?from=2026-06-01&to=2026-01-01", headers: [jar.header])
            #expect(backwards.status == .unprocessableEntity)
            #expect(backwards.text.contains(#"id="form-errors""#) && backwards.text.contains(##"href="#to""##) && !backwards.text.contains("<figure"))
            #expect(backwards.text.contains(#"value="2026-06-01""#))
            let unknown = try await t.send(.GET, "/analysis/indicators/contacts?by=shoe_size", headers: [jar.header])
            #expect(unknown.status == .unprocessableEntity && unknown.text.contains(##"href="#by""##))
            #expect(try await t.send(.GET, "/analysis/indicators/nothing", headers: [jar.header]).status == .notFound)
        }
    }

    @Test(arguments: ["/analysis", "/analysis/indicators", "/analysis/indicators/contacts", "/analysis/indicators/contacts?format=csv"])
    func anOfficerMayNotSeeTheEvidencePages(_ path: String) async throws {
        try await TestApp.run { t in
            let (jar, _) = try await t.browserSignIn("officer")
            let response = try await t.send(.GET, path, headers: [jar.header])
            #expect(response.status == .forbidden)
            #expect(!response.text.contains("<svg"))
            let home = try await t.send(.GET, "/home", headers: [jar.header])
            #expect(!home.text.contains(#"href="/analysis""#))
            let signedOut = try await t.send(.GET, path)
            #expect(signedOut.status == .seeOther && signedOut.headers.first(name: .location)?.hasPrefix("/login?next=") == true)
        }
    }

    @Test func thePublicPageNeedsNoSignInIsDatedSuppressedAndNamesNobody() async throws {
        try await TestApp.run { t in
            try await seeded(t)
            let officer = try await t.token("officer")
            let personId = try await t.registerPerson(officer, givenName: "Quillon", familyName: "Vexmoor")
            let body = contactBody(#""personId":"\#(personId)""#, occurredAt: "2026-10-02T09:00:00Z")
            #expect(try await t.send(.POST, "/api/v1/contacts", token: officer, body: body, contentType: "application/json").status == .created)
            let policy = try #require(try await t.app.diversion.policies.active(on: t.app.db)).policy
            try await EvidenceRefresh().run(policy: policy, at: t.clock.now, on: t.app.db)

            let login = try await t.send(.GET, "/login")
            #expect(login.text.contains(#"<a href="/public" id="public-link">"#))
            let page = try await t.send(.GET, "/public")
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains(#"<span id="jurisdiction">Demo Republic</span>"#))
            #expect(html.contains(#"id="headline-public-contacts"><dt>Contacts for drug offences</dt><dd>18</dd>"#))
            #expect(html.contains("Figures as of Nov 18, 2026 at 11:06\u{202F}AM UTC."))
            #expect(html.contains("Contacts from Dec 1, 2025 to Nov 18, 2026."))
            #expect(occurrences(#"class="chart" role="img""#, in: html) == 2)
            #expect(occurrences("<caption>", in: html) == 2)
            // Two people aged 18–24: too few to publish.
            #expect(html.contains(#"<tr class="suppressed"><th scope="row">18–24</th><td class="suppressed">suppressed</td>"#))
            #expect(html.contains("comparisons") || html.contains("not an experiment"))
            for name in ["Quillon", "Vexmoor", "Okafor", "Kowalski", "Haddad", "Novák", "Dvořák", "Hernández"] {
                #expect(!html.contains(name), "\(name)")
            }
            #expect(!html.contains(#"id="sign-out""#) && !html.contains(#"class="nav""#))
        }
    }

    @Test func thePublicPageIsKeptForFiveMinutesAndARefreshReplacesIt() async throws {
        try await TestApp.run { t in
            try await seeded(t)
            let first = try await t.send(.GET, "/public")
            #expect(first.text.contains(#"id="headline-public-contacts"><dt>Contacts for drug offences</dt><dd>17</dd>"#))
            var more = knownFacts()
            for i in more.indices {
                more[i].contactKey = "H:more\(i)"
                more[i].personKey = "H:more\(i)"
            }
            try await EvidenceStore().insert(more, tests: [], source: .historical, on: t.app.db)
            let cached = try await t.send(.GET, "/public")
            #expect(cached.text.contains(#"<dd>17</dd>"#) && !cached.text.contains(#"<dd>34</dd>"#))
            t.clock.advance(301)
            let later = try await t.send(.GET, "/public")
            #expect(later.text.contains(#"id="headline-public-contacts"><dt>Contacts for drug offences</dt><dd>34</dd>"#))

            try await EvidenceStore().insert(knownFacts().map { var f = $0; f.contactKey += "x"; f.personKey += "x"; return f },
                                             tests: [], source: .historical, on: t.app.db)
            let (jar, _) = try await t.browserSignIn("analyst")
            let dashboard = try await t.send(.GET, "/analysis", headers: [jar.header])
            let csrf = try #require(hiddenField("csrf", in: dashboard.text))
            _ = try await t.send(.POST, "/analysis/refresh", headers: [jar.header], body: form(["csrf": csrf]), contentType: "application/x-www-form-urlencoded")
            let afterRefresh = try await t.send(.GET, "/public")
            #expect(afterRefresh.text.contains(#"<dd>51</dd>"#))
        }
    }

    @Test func thePublicPageSpeaksTheReadersLanguageAndSaysSoWhenNothingIsPublished() async throws {
        try await TestApp.run { t in
            let spanish = try await t.send(.GET, "/public", headers: [("Accept-Language", "es")])
            #expect(spanish.status == .ok)
            #expect(spanish.text.contains("Delitos de drogas y alternativas a la prisión"))
            #expect(spanish.text.contains("Cómo leer estas cifras"))
            #expect(spanish.text.contains(#"id="no-figures">Todavía no se han publicado cifras."#))
            let english = try await t.send(.GET, "/public")
            #expect(english.text.contains("Drug offences and alternatives to prison"))
        }
    }
}
