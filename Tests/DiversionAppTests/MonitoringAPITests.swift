import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

/// Places around the home of the monitored person in Lisbon (UTC in winter): a market 1.0–1.4 km east to keep out of.
private enum Spot {
    static let home = (lat: 38.7223, lon: -9.1393)
    static let street = (lat: 38.7223, lon: -9.1335)
    static let market = (lat: 38.7223, lon: -9.1255)
    static let marketGeometry = #"{"type":"Polygon","coordinates":[[[-9.1278,38.7205],[-9.1232,38.7205],[-9.1232,38.7241],[-9.1278,38.7241],[-9.1278,38.7205]]]}"#
}

@Suite("Electronic monitoring through the API")
struct MonitoringAPITests {
    static let curfewAndZone = #"{"type":"curfew","parameters":{"place":"Home","latitude":38.7223,"longitude":-9.1393,"radiusMeters":100,"start":"21:00","end":"06:00","days":["monday","tuesday","wednesday","thursday","friday","saturday","sunday"],"timeZone":"Europe/Lisbon"}},{"type":"exclusion_zone","parameters":{"name":"Market","geometry":\#(Spot.marketGeometry)}}"#

    /// A person sentenced by a judge to a measure starting today; answers the measure's id.
    static func measure(_ t: TestApp, type: String = "electronic_monitoring", conditions: String = curfewAndZone) async throws -> String {
        let personId = try await CaseAPITests.person(t)
        let opened = try await CaseAPITests.openCase(t, try await t.token("prosecutor"), personId: personId)
        let today = CalendarDate(t.clock.now)
        let body = #"{"stage":"sentencing","measures":[{"type":"\#(type)","start":"\#(today)","plannedEnd":"\#(today.adding(days: 180))","conditions":[\#(conditions)]}],"proportionality":{"gravity":"Possession of 30 g cannabis herb, no violence.","circumstances":"Works part time, first contact.","reasons":"Monitoring at home keeps the job and the family."}}"#
        let decided = try await t.send(.POST, "/api/v1/cases/\(opened.id)/decisions", token: try await t.token("judge"), body: body, contentType: "application/json")
        try #require(decided.status == .created, "the decision answered \(decided.status): \(decided.text)")
        return try #require(try decided.json(CaseResponse.self).measures.first?.id)
    }

    static func assign(_ t: TestApp, _ token: String, device: String, measure: String) async throws -> TestingHTTPResponse {
        try await t.send(.POST, "/api/v1/monitoring/devices", token: token, json: ["deviceId": device, "measureId": measure])
    }

    static func ping(_ device: String, _ time: Date, _ place: (lat: Double, lon: Double), accuracy: Double = 10) -> [String: AnswerValue] {
        ["deviceId": .string(device), "time": .string(time.formatted(.iso8601)), "lat": .number(place.lat), "lon": .number(place.lon),
         "accuracyMeters": .number(accuracy)]
    }

    static func send(_ t: TestApp, _ token: String, _ pings: [[String: AnswerValue]]) async throws -> PingBatchResponse {
        let response = try await t.send(.POST, "/api/v1/monitoring/pings", token: token, json: ["pings": pings])
        try #require(response.status == .ok, "pings answered \(response.status): \(response.text)")
        return try response.json(PingBatchResponse.self)
    }

    static func alerts(_ t: TestApp, _ token: String, _ query: String) async throws -> [AlertResponse] {
        let response = try await t.send(.GET, "/api/v1/monitoring/alerts?\(query)", token: token)
        try #require(response.status == .ok, "alerts answered \(response.status): \(response.text)")
        return try response.json(MonitoringController.AlertList.self).items
    }

    /// Moves the test clock to the next 22:00 UTC (22:00 in Lisbon in winter), inside the curfew.
    static func toTenAtNight(_ t: TestApp) {
        let now = t.clock.now.timeIntervalSince1970
        let day = (now / 86_400).rounded(.down) * 86_400
        var target = day + 22 * 3600
        if target <= now { target += 86_400 }
        t.clock.advance(target - now)
    }

    @Test func aSupervisorAssignsADeviceOnceAndAnotherMeasureCannotTakeIt() async throws {
        try await TestApp.run { t in
            let supervisor = try await t.token("supervisor")
            let measure = try await Self.measure(t)
            let created = try await Self.assign(t, supervisor, device: "tag-001", measure: measure)
            #expect(created.status == .created)
            let device = try created.json(DeviceResponse.self)
            #expect(device.measureId == measure && device.active && device.latestPingAt == nil)
            #expect(try await Self.assign(t, supervisor, device: "tag-001", measure: measure).status == .ok)
            let other = try await Self.measure(t)
            let taken = try await Self.assign(t, supervisor, device: "tag-001", measure: other)
            #expect(taken.status == .conflict)
            #expect(try taken.problem().detail.contains("another active measure"))
            let listed = try await t.send(.GET, "/api/v1/monitoring/devices?measureId=\(measure)", token: supervisor).json(MonitoringController.DeviceList.self)
            #expect(listed.items.map(\.deviceId) == ["tag-001"])
            #expect(try await t.auditEntries().contains { $0.event.resourceType == "monitoring_device" && $0.event.action == .create })
        }
    }

    @Test func badAssignmentsAreNamed() async throws {
        try await TestApp.run { t in
            let supervisor = try await t.token("supervisor")
            let measure = try await Self.measure(t)
            let plain = try await Self.measure(t, type: "community_service", conditions: #"{"type":"attend_treatment","parameters":{"sessionsPerWeek":1}}"#)
            for (body, field) in [
                (["deviceId": "tag 1", "measureId": measure], "deviceId"),
                (["deviceId": "tag-1", "measureId": "nope"], "measureId"),
                (["deviceId": "tag-1", "measureId": UUID().uuidString], "measureId"),
                (["deviceId": "tag-1", "measureId": plain], "measureId"),
            ] {
                let response = try await t.send(.POST, "/api/v1/monitoring/devices", token: supervisor, json: body)
                #expect(response.status == .unprocessableEntity, "\(body)")
                #expect(try response.problem().errors?.map(\.field) == [field], "\(body)")
            }
            let missing = try await t.send(.GET, "/api/v1/monitoring/devices", token: supervisor)
            #expect(missing.status == .unprocessableEntity)
        }
    }

    @Test func onlySupervisionOfficersRunDevicesAndPings() async throws {
        try await TestApp.run { t in
            let measure = try await Self.measure(t)
            for user in ["officer", "provider", "judge", "prosecutor", "analyst", "admin"] {
                let token = try await t.token(user)
                #expect(try await Self.assign(t, token, device: "tag-9", measure: measure).status == .forbidden, "\(user)")
                let pings = try await t.send(.POST, "/api/v1/monitoring/pings", token: token, json: ["pings": [Self.ping("tag-9", t.clock.now, Spot.home)]])
                #expect(pings.status == .forbidden, "\(user)")
            }
            let judge = try await t.token("judge")
            #expect(try await t.send(.GET, "/api/v1/monitoring/alerts", token: judge).status == .ok)
            #expect(try await t.send(.GET, "/api/v1/monitoring/alerts", token: try await t.token("officer")).status == .forbidden)
        }
    }

    @Test func aBatchSaysWhichPingsWereAcceptedAndWhyOthersWereRejected() async throws {
        try await TestApp.run { t in
            let supervisor = try await t.token("supervisor")
            let measure = try await Self.measure(t)
            _ = try await Self.assign(t, supervisor, device: "tag-001", measure: measure)
            t.clock.advance(600)
            let now = t.clock.now
            let result = try await Self.send(t, supervisor, [
                Self.ping("tag-001", now.addingTimeInterval(-300), Spot.home),
                Self.ping("tag-001", now.addingTimeInterval(-240), (lat: 95, lon: -9.1)),
                Self.ping("tag-001", now.addingTimeInterval(3600), Spot.home),
                Self.ping("tag-unknown", now.addingTimeInterval(-200), Spot.home),
                ["deviceId": .string("tag-001"), "time": .string("yesterday"), "lat": .string("north")],
                Self.ping("tag-001", now.addingTimeInterval(-3600), Spot.home),
                Self.ping("tag-001", now.addingTimeInterval(-120), Spot.street),
            ])
            #expect(result.accepted == 2)
            #expect(result.duplicates == 0)
            #expect(result.rejected.map(\.index) == [1, 2, 3, 4, 5])
            #expect(result.rejected.map { $0.errors.map(\.field) } == [["latitude"], ["time"], ["deviceId"], ["time", "lat", "lon", "accuracyMeters"], ["time"]])
            #expect(result.rejected[2].deviceId == "tag-unknown")
            #expect(result.alertsOpened == 0)
            let devices = try await t.send(.GET, "/api/v1/monitoring/devices?measureId=\(measure)", token: supervisor).json(MonitoringController.DeviceList.self)
            #expect(devices.items.first?.latestPingAt == now.addingTimeInterval(-120).formatted(.iso8601))
            // One audit entry for the device, not one per ping.
            #expect(try await t.auditEntries().filter { $0.event.resourceType == "monitoring_pings" }.count == 1)
            let empty = try await t.send(.POST, "/api/v1/monitoring/pings", token: supervisor, json: ["pings": [String]()])
            #expect(empty.status == .unprocessableEntity)
            let tooMany = try await t.send(.POST, "/api/v1/monitoring/pings", token: supervisor,
                                           json: ["pings": Array(repeating: Self.ping("tag-001", now, Spot.home), count: 5001)])
            #expect(tooMany.status == .unprocessableEntity)
        }
    }

    @Test func theSameBatchSentTwiceStoresNothingNewAndOpensNoNewAlert() async throws {
        try await TestApp.run { t in
            let supervisor = try await t.token("supervisor")
            let measure = try await Self.measure(t)
            _ = try await Self.assign(t, supervisor, device: "tag-001", measure: measure)
            t.clock.advance(900)
            let now = t.clock.now
            let batch = (0..<5).map { Self.ping("tag-001", now.addingTimeInterval(Double(-600 + $0 * 60)), Spot.market) }
            let first = try await Self.send(t, supervisor, batch + [batch[0]])
            #expect(first.accepted == 5 && first.duplicates == 1 && first.alertsOpened == 1)
            let second = try await Self.send(t, supervisor, batch)
            #expect(second.accepted == 0 && second.duplicates == 5 && second.alertsOpened == 0 && second.alertsClosed == 0)
            #expect(try await Self.alerts(t, supervisor, "status=all&measureId=\(measure)").count == 1)
        }
    }

    @Test func leavingHomeDuringCurfewOpensOneAlertThatClosesOnReturn() async throws {
        try await TestApp.run { t in
            let measure = try await Self.measure(t)
            _ = try await Self.assign(t, try await t.token("supervisor"), device: "tag-001", measure: measure)
            Self.toTenAtNight(t)
            // Tokens last eight hours; sign in again after moving the clock to the night.
            let supervisor = try await t.token("supervisor")
            let ten = t.clock.now
            func at(_ minutes: Double) -> Date { ten.addingTimeInterval(minutes * 60 - 3600) }
            let away = try await Self.send(t, supervisor, [
                Self.ping("tag-001", at(30), Spot.home), Self.ping("tag-001", at(40), Spot.street),
                Self.ping("tag-001", at(45), Spot.street), Self.ping("tag-001", at(50), Spot.street),
            ])
            #expect(away.accepted == 4 && away.alertsOpened == 1 && away.alertsClosed == 0)
            let more = try await Self.send(t, supervisor, [Self.ping("tag-001", at(52), Spot.street), Self.ping("tag-001", at(54), Spot.street)])
            #expect(more.alertsOpened == 0)
            let open = try await Self.alerts(t, supervisor, "measureId=\(measure)")
            #expect(open.map(\.code) == ["left_home_during_curfew"])
            #expect(open.first?.openedAt == at(40).formatted(.iso8601))
            #expect(open.first?.curfewDay == CalendarDate(ten).description)
            let back = try await Self.send(t, supervisor, [Self.ping("tag-001", at(58), Spot.home)])
            #expect(back.alertsClosed == 1 && back.alertsOpened == 0)
            #expect(try await Self.alerts(t, supervisor, "measureId=\(measure)").isEmpty)
            let closed = try await Self.alerts(t, supervisor, "status=closed&measureId=\(measure)")
            #expect(closed.count == 1 && closed.first?.closedAt == at(58).formatted(.iso8601))
        }
    }

    @Test func enteringAnExclusionZoneOpensAnAlertNamingTheZone() async throws {
        try await TestApp.run { t in
            let supervisor = try await t.token("supervisor")
            let measure = try await Self.measure(t)
            _ = try await Self.assign(t, supervisor, device: "tag-001", measure: measure)
            t.clock.advance(600)
            let now = t.clock.now
            let result = try await Self.send(t, supervisor, [
                Self.ping("tag-001", now.addingTimeInterval(-300), Spot.street), Self.ping("tag-001", now.addingTimeInterval(-200), Spot.market),
            ])
            #expect(result.alertsOpened == 1)
            let open = try await Self.alerts(t, supervisor, "status=open&measureId=\(measure)")
            #expect(open.map(\.code) == ["entered_exclusion_zone"])
            #expect(open.first?.zoneId == "zone-1")
            let personId = try #require(open.first?.personId)
            #expect(try await Self.alerts(t, supervisor, "personId=\(personId)").count == 1)
            #expect(try await t.send(.GET, "/api/v1/monitoring/alerts?status=recent", token: supervisor).status == .unprocessableEntity)
            #expect(try await t.send(.GET, "/api/v1/monitoring/alerts?personId=12", token: supervisor).status == .unprocessableEntity)
        }
    }

    @Test func theSweepOpensANoSignalAlertOnceAndTheNextPingClosesIt() async throws {
        try await TestApp.run { t in
            let supervisor = try await t.token("supervisor")
            let measure = try await Self.measure(t)
            _ = try await Self.assign(t, supervisor, device: "tag-001", measure: measure)
            t.clock.advance(60)
            _ = try await Self.send(t, supervisor, [Self.ping("tag-001", t.clock.now, Spot.home)])
            let last = t.clock.now
            t.clock.advance(20 * 60)
            #expect(try await MonitoringSweep.run(t.app, now: t.clock.now).opened == 0)
            t.clock.advance(15 * 60)
            #expect(try await MonitoringSweep.run(t.app, now: t.clock.now).opened == 1)
            #expect(try await MonitoringSweep.run(t.app, now: t.clock.now).opened == 0)
            let open = try await Self.alerts(t, supervisor, "measureId=\(measure)")
            #expect(open.map(\.code) == ["no_signal"])
            #expect(open.first?.openedAt == last.addingTimeInterval(30 * 60).formatted(.iso8601))
            let back = try await Self.send(t, supervisor, [Self.ping("tag-001", t.clock.now, Spot.home)])
            #expect(back.alertsClosed == 1)
            #expect(try await Self.alerts(t, supervisor, "measureId=\(measure)").isEmpty)
        }
    }

    @Test func aDeviceNeverHeardFromRaisesNoSignalAfterItsAssignment() async throws {
        try await TestApp.run { t in
            let supervisor = try await t.token("supervisor")
            let measure = try await Self.measure(t)
            _ = try await Self.assign(t, supervisor, device: "tag-001", measure: measure)
            t.clock.advance(31 * 60)
            #expect(try await MonitoringSweep.run(t.app, now: t.clock.now).opened == 1)
            // The first ping is not out of order because of the sweep; it closes the alert.
            let first = try await Self.send(t, supervisor, [Self.ping("tag-001", t.clock.now.addingTimeInterval(-60), Spot.home)])
            #expect(first.accepted == 1 && first.alertsClosed == 1)
        }
    }

    @Test func aSupervisorAcknowledgesAnAlertOnceWithANote() async throws {
        try await TestApp.run { t in
            let supervisor = try await t.token("supervisor")
            let measure = try await Self.measure(t)
            _ = try await Self.assign(t, supervisor, device: "tag-001", measure: measure)
            t.clock.advance(600)
            _ = try await Self.send(t, supervisor, [Self.ping("tag-001", t.clock.now.addingTimeInterval(-60), Spot.market)])
            let alert = try #require(try await Self.alerts(t, supervisor, "measureId=\(measure)").first)
            let path = "/api/v1/monitoring/alerts/\(alert.id)/acknowledge"
            let noNote = try await t.send(.POST, path, token: supervisor, json: ["note": "  "])
            #expect(noNote.status == .unprocessableEntity)
            #expect(try noNote.problem().errors?.map(\.field) == ["note"])
            #expect(try await t.send(.POST, path, token: try await t.token("judge"), json: ["note": "Seen"]).status == .forbidden)
            #expect(try await t.send(.POST, "/api/v1/monitoring/alerts/\(UUID())/acknowledge", token: supervisor, json: ["note": "Seen"]).status == .notFound)
            #expect(try await t.send(.POST, "/api/v1/monitoring/alerts/nope/acknowledge", token: supervisor, json: ["note": "Seen"]).status == .unprocessableEntity)
            let done = try await t.send(.POST, path, token: supervisor, json: ["note": "Called the person; they left the market."])
            #expect(done.status == .ok)
            let acknowledged = try done.json(AlertResponse.self)
            #expect(acknowledged.note == "Called the person; they left the market." && acknowledged.acknowledgedBy != nil)
            #expect(try await t.send(.POST, path, token: supervisor, json: ["note": "Again"]).status == .conflict)
            #expect(try await t.auditEntries().contains { $0.event.resourceType == "monitoring_alert" && $0.event.action == .update })
        }
    }

    @Test func theAlertsAndMonitoringPagesRenderForASupervisor() async throws {
        try await TestApp.run { t in
            let supervisor = try await t.token("supervisor")
            let measure = try await Self.measure(t)
            _ = try await Self.assign(t, supervisor, device: "tag-001", measure: measure)
            t.clock.advance(600)
            _ = try await Self.send(t, supervisor, [Self.ping("tag-001", t.clock.now.addingTimeInterval(-60), Spot.market)])
            let alert = try #require(try await Self.alerts(t, supervisor, "measureId=\(measure)").first)
            let (jar, _) = try await t.browserSignIn("supervisor")
            let page = try await t.send(.GET, "/supervision/alerts", headers: [jar.header])
            #expect(page.status == .ok)
            #expect(page.text.contains("Entered an exclusion zone") && page.text.contains("Market"))
            #expect(page.text.contains("href=\"/supervision/alerts\""))
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let refused = try await t.send(.POST, "/supervision/alerts/\(alert.id)/acknowledge", headers: [jar.header],
                                           body: form(["csrf": csrf, "note": ""]), contentType: "application/x-www-form-urlencoded")
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("form-errors"))
            let done = try await t.send(.POST, "/supervision/alerts/\(alert.id)/acknowledge", headers: [jar.header],
                                        body: form(["csrf": csrf, "note": "Phoned; on the way home."]), contentType: "application/x-www-form-urlencoded")
            #expect(done.status == .seeOther)
            let after = try await t.send(.GET, "/supervision/alerts?notice=acknowledged", headers: [jar.header])
            #expect(after.text.contains("Phoned; on the way home.") && after.text.contains("id=\"notice\""))
            let monitoring = try await t.send(.GET, "/measures/\(measure)/monitoring", headers: [jar.header])
            #expect(monitoring.status == .ok)
            #expect(monitoring.text.contains("tag-001") && monitoring.text.contains("21:00–06:00") && monitoring.text.contains("Market"))
            let (officer, _) = try await t.browserSignIn("officer")
            #expect(try await t.send(.GET, "/supervision/alerts", headers: [officer.header]).status == .forbidden)
        }
    }
}
