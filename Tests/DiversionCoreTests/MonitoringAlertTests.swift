import Foundation
import Testing
@testable import DiversionCore

/// Places around a home in Lisbon: a park the person must keep out of 1–1.4 km east, inside a city they must stay in.
private enum Places {
    static let home = lisbonHome
    static let street = metresFrom(home, east: 500)
    static let inPark = metresFrom(home, east: 1200)
    static let tenMetresIntoPark = metresFrom(home, east: 1010)
    static let tenMetresBeforePark = metresFrom(home, east: 990)
    static let parkEdge = metresFrom(home, east: 1000)
    static let outOfCity = metresFrom(home, east: 6000)
    static let cityEdge = metresFrom(home, east: 5000)

    static func square(_ west: Double, _ east: Double, _ south: Double, _ north: Double) -> GeoPolygon {
        let corners = [metresFrom(home, east: west, north: south), metresFrom(home, east: east, north: south), metresFrom(home, east: east, north: north),
                       metresFrom(home, east: west, north: north)]
        return try! GeoPolygon(outer: corners + [corners[0]])
    }

    static let park = MonitoringRules.Zone(id: "park", kind: .exclusion, polygon: square(1000, 1400, -200, 200))
    static let city = MonitoringRules.Zone(id: "city", kind: .inclusion, polygon: square(-5000, 5000, -5000, 5000))
}

private func monitoringRules(curfew: Curfew? = try! homeCurfew(), zones: [MonitoringRules.Zone] = [Places.park, Places.city], noSignalMinutes: Int = 30) -> MonitoringRules {
    try! MonitoringRules(curfew: curfew, zones: zones, noSignalMinutes: noSignalMinutes)
}

/// Friday 20 November 2026 at noon in Lisbon (UTC in winter), plus `minutes`.
private func friday(_ minutes: Double) -> Date { utcInstant("2026-11-20T12:00:00Z").addingTimeInterval(minutes * 60) }

/// Feeds pings to the rules one at a time, keeping the state between them as the store would.
private struct Walk {
    var rules = monitoringRules()
    var state = MonitoringState()
    var steps: [MonitoringStep] = []

    /// The alerts opened (+) and closed (-) by a ping at `time`.
    mutating func ping(_ place: GeoPoint, at time: Date, accuracy: Double = 10) -> [String] {
        let step = rules.check(Ping(deviceID: "tag-1", time: time, latitude: place.latitude, longitude: place.longitude, accuracyMeters: accuracy), state: state)
        return record(step)
    }

    mutating func sweep(at time: Date) -> [String] { record(rules.sweep(now: time, state: state)) }

    private mutating func record(_ step: MonitoringStep) -> [String] {
        state = step.state
        steps.append(step)
        return step.opened.map { "+\($0.alert)" } + step.closed.map { "-\($0.alert)" }
    }
}

@Suite("Monitoring alerts")
struct MonitoringAlertTests {
    @Test func anExclusionZoneAlertOpensOnceAndClosesWhenThePersonLeaves() {
        var walk = Walk()
        #expect(walk.ping(Places.street, at: friday(0)) == [])
        #expect(walk.ping(Places.inPark, at: friday(1)) == ["+entered exclusion zone park"])
        #expect(walk.ping(Places.inPark, at: friday(2)) == [])
        #expect(walk.ping(metresFrom(Places.inPark, north: 50), at: friday(3)) == [])
        #expect(walk.ping(Places.street, at: friday(4)) == ["-entered exclusion zone park"])
        #expect(walk.ping(Places.inPark, at: friday(5)) == ["+entered exclusion zone park"])
        #expect(walk.steps[1].opened == [AlertChange(.enteredExclusionZone(zoneID: "park"), at: friday(1))])
        #expect(walk.steps[4].closed == [AlertChange(.enteredExclusionZone(zoneID: "park"), at: friday(4))])
    }

    @Test func aFixNearTheLineNeitherOpensNorClosesAnAlert() {
        var walk = Walk()
        #expect(walk.ping(Places.tenMetresIntoPark, at: friday(0), accuracy: 30) == []) // could still be outside
        #expect(walk.ping(Places.tenMetresIntoPark, at: friday(1), accuracy: 5) == ["+entered exclusion zone park"])
        #expect(walk.ping(Places.tenMetresIntoPark, at: friday(2), accuracy: 30) == []) // still reported inside: stays open
        #expect(walk.ping(Places.tenMetresBeforePark, at: friday(3), accuracy: 30) == ["-entered exclusion zone park"])
        #expect(walk.ping(Places.tenMetresIntoPark, at: friday(4), accuracy: 30) == []) // not clear enough to reopen
    }

    @Test func theEdgeOfAZoneCountsAsInside() {
        var walk = Walk()
        #expect(walk.ping(Places.parkEdge, at: friday(0), accuracy: 0) == ["+entered exclusion zone park"]) // errs toward an alert
        #expect(walk.ping(Places.cityEdge, at: friday(1), accuracy: 0) == ["-entered exclusion zone park"]) // errs toward none
        #expect(walk.ping(metresFrom(Places.cityEdge, east: 1), at: friday(2), accuracy: 0) == ["+left inclusion zone city"])
    }

    @Test func anInclusionZoneAlertOpensOnLeavingAndClosesOnReturning() {
        var walk = Walk()
        #expect(walk.ping(Places.street, at: friday(0)) == [])
        #expect(walk.ping(Places.outOfCity, at: friday(1)) == ["+left inclusion zone city"])
        #expect(walk.ping(metresFrom(Places.cityEdge, east: 20), at: friday(2), accuracy: 50) == [])
        #expect(walk.ping(metresFrom(Places.cityEdge, east: -10), at: friday(3), accuracy: 50) == ["-left inclusion zone city"])
        #expect(walk.ping(metresFrom(Places.cityEdge, east: 20), at: friday(4), accuracy: 50) == [])
        #expect(walk.ping(Places.outOfCity, at: friday(5)) == ["+left inclusion zone city"])
    }

    @Test func aFixWobblingAcrossALineRaisesNothing() {
        var walk = Walk()
        // A person standing at the city boundary, the fix jumping 5 m either side with 20 m accuracy, for over three hours.
        for minute in 0..<200 {
            let east = minute.isMultiple(of: 2) ? 5.0 : -5.0
            #expect(walk.ping(metresFrom(Places.cityEdge, east: east), at: friday(Double(minute)), accuracy: 20) == [])
        }
    }

    @Test func staying200MinutesInAZoneIsOneAlert() {
        var walk = Walk()
        var events: [String] = []
        for minute in 0..<200 {
            let place = minute.isMultiple(of: 3) ? Places.tenMetresIntoPark : metresFrom(Places.inPark, north: Double(minute % 50))
            events += walk.ping(place, at: friday(Double(minute)), accuracy: minute.isMultiple(of: 3) ? 40 : 10)
        }
        #expect(events == ["+entered exclusion zone park"])
    }

    @Test func leavingHomeDuringCurfewOpensAnAlertForThatNight() {
        var walk = Walk(rules: monitoringRules(noSignalMinutes: 1440))
        #expect(walk.ping(Places.street, at: friday(8 * 60 + 50)) == []) // 20:50: curfew not yet
        #expect(walk.ping(Places.home, at: friday(9 * 60 + 10)) == [])
        #expect(walk.ping(Places.street, at: friday(10 * 60)) == ["+left home during the curfew of 2026-11-20"])
        #expect(walk.ping(Places.street, at: friday(10 * 60 + 10)) == [])
        #expect(walk.ping(Places.home, at: friday(10 * 60 + 20)) == ["-left home during the curfew of 2026-11-20"])
        #expect(walk.ping(Places.street, at: friday(13 * 60)) == ["+left home during the curfew of 2026-11-20"]) // 01:00 Saturday
    }

    @Test func theHomeRadiusAllowsForTheFixAccuracy() {
        var walk = Walk()
        let justOutside = metresFrom(Places.home, east: 120) // 20 m beyond a 100 m radius
        #expect(walk.ping(justOutside, at: friday(10 * 60), accuracy: 50) == [])
        #expect(walk.ping(justOutside, at: friday(10 * 60 + 5), accuracy: 10) == ["+left home during the curfew of 2026-11-20"])
        #expect(walk.ping(justOutside, at: friday(10 * 60 + 10), accuracy: 50) == [])
        #expect(walk.ping(metresFrom(Places.home, east: 95), at: friday(10 * 60 + 15), accuracy: 50) == ["-left home during the curfew of 2026-11-20"])
    }

    @Test func aCurfewAlertClosesWhenThePeriodEnds() {
        var walk = Walk(rules: monitoringRules(noSignalMinutes: 1440))
        #expect(walk.ping(Places.street, at: utcInstant("2026-11-20T23:00:00Z")) == ["+left home during the curfew of 2026-11-20"])
        #expect(walk.ping(Places.street, at: utcInstant("2026-11-21T07:00:00Z")) == ["-left home during the curfew of 2026-11-20"])
        #expect(walk.steps[1].closed.first?.at == utcInstant("2026-11-21T06:00:00Z"))
    }

    @Test func theNextNightIsANewAlert() {
        var walk = Walk(rules: monitoringRules(noSignalMinutes: 1440))
        #expect(walk.ping(Places.street, at: utcInstant("2026-11-20T23:00:00Z")) == ["+left home during the curfew of 2026-11-20"])
        #expect(walk.ping(Places.street, at: utcInstant("2026-11-21T23:00:00Z")) == [
            "+left home during the curfew of 2026-11-21", "-left home during the curfew of 2026-11-20",
        ])
        #expect(walk.steps[1].closed.first?.at == utcInstant("2026-11-21T06:00:00Z"))
    }

    @Test func beingAwayInTheDayIsNoCurfewMatter() {
        var walk = Walk()
        #expect(walk.ping(Places.street, at: friday(0)) == [])
        #expect(walk.state.openAlerts.isEmpty)
    }

    @Test func aPingCanOpenSeveralAlertsAtOnceInAFixedOrder() {
        var walk = Walk()
        #expect(walk.ping(Places.inPark, at: friday(10 * 60)) == ["+left home during the curfew of 2026-11-20", "+entered exclusion zone park"])
        #expect(walk.ping(Places.home, at: friday(10 * 60 + 1)) == ["-left home during the curfew of 2026-11-20", "-entered exclusion zone park"])
    }

    @Test func aLatePingRecordsTheGapItEnds() {
        var walk = Walk()
        #expect(walk.ping(Places.street, at: friday(0)) == [])
        #expect(walk.ping(Places.street, at: friday(45)) == ["+no signal", "-no signal"])
        #expect(walk.steps[1].opened == [AlertChange(.noSignal, at: friday(30))])
        #expect(walk.steps[1].closed == [AlertChange(.noSignal, at: friday(45))])
        #expect(walk.ping(Places.street, at: friday(75)) == []) // exactly 30 minutes is not more than 30
    }

    @Test func aSweeperOpensNoSignalOnceAndTheNextPingClosesIt() {
        var walk = Walk()
        #expect(walk.sweep(at: friday(0)) == []) // never heard from: nothing to measure from
        #expect(walk.ping(Places.street, at: friday(0)) == [])
        #expect(walk.sweep(at: friday(29)) == [])
        #expect(walk.sweep(at: friday(31)) == ["+no signal"])
        #expect(walk.steps.last?.opened.first?.at == friday(30))
        #expect(walk.sweep(at: friday(40)) == [])
        #expect(walk.sweep(at: friday(90)) == [])
        #expect(walk.ping(Places.street, at: friday(95)) == ["-no signal"])
        #expect(walk.steps.last?.closed.first?.at == friday(95))
    }

    @Test(arguments: [(29.0, false), (30, false), (30.01, true), (600, true), (-5, false)])
    func noSignalIsMoreThanTheThresholdSinceTheLastPing(minutesSince: Double, overdue: Bool) {
        #expect(MonitoringRules.noSignal(now: friday(minutesSince), lastPing: friday(0), threshold: 30 * 60) == overdue)
    }

    @Test func aPingOlderThanOneAlreadyUsedChangesNothing() {
        var walk = Walk()
        #expect(walk.ping(Places.inPark, at: friday(0)) == ["+entered exclusion zone park"])
        #expect(walk.ping(Places.street, at: friday(10)) == ["-entered exclusion zone park"])
        let settled = walk.state
        #expect(walk.ping(Places.inPark, at: friday(5)) == []) // buffered, arrived late
        #expect(walk.steps.last?.outOfOrder == true)
        #expect(walk.state == settled)
        #expect(walk.state.latestPing == friday(10))
        // A ping at the same instant as the newest is not out of order.
        #expect(walk.ping(Places.inPark, at: friday(10)) == ["+entered exclusion zone park"])
        #expect(walk.steps.last?.outOfOrder == false)
        // Nor can a late ping close what newer ones opened.
        #expect(walk.ping(Places.street, at: friday(7)) == [])
        #expect(walk.state.openAlerts == [.enteredExclusionZone(zoneID: "park")])
    }

    @Test func aLatePingDoesNotEndNoSignal() {
        var walk = Walk()
        _ = walk.ping(Places.street, at: friday(0))
        #expect(walk.sweep(at: friday(60)) == ["+no signal"])
        #expect(walk.ping(Places.street, at: friday(-1)) == [])
        #expect(walk.state.openAlerts == [.noSignal])
    }

    @Test func alertsForAZoneOrCurfewNoLongerInForceClose() {
        let night = CalendarDate(year: 2026, month: 11, day: 20)
        var walk = Walk(
            rules: monitoringRules(curfew: nil),
            state: MonitoringState(openAlerts: [.enteredExclusionZone(zoneID: "old-park"), .leftHomeDuringCurfew(day: night)], latestPing: friday(10 * 60 - 5))
        )
        #expect(walk.ping(Places.street, at: friday(10 * 60)) == ["-left home during the curfew of 2026-11-20", "-entered exclusion zone old-park"])
        #expect(walk.state.openAlerts.isEmpty)
    }

    @Test func aSweepClosesACurfewAlertOnlyOnceItsPeriodIsOver() {
        let night = CalendarDate(year: 2026, month: 11, day: 20)
        var walk = Walk(
            rules: monitoringRules(noSignalMinutes: 1440),
            state: MonitoringState(openAlerts: [.leftHomeDuringCurfew(day: night)], latestPing: utcInstant("2026-11-20T23:00:00Z"))
        )
        #expect(walk.sweep(at: utcInstant("2026-11-21T05:00:00Z")) == [])
        #expect(walk.sweep(at: utcInstant("2026-11-21T07:00:00Z")) == ["-left home during the curfew of 2026-11-20"])
        #expect(walk.steps.last?.closed.first?.at == utcInstant("2026-11-21T06:00:00Z"))
        #expect(walk.state.latestPing == utcInstant("2026-11-20T23:00:00Z")) // a sweep is not a ping
    }

    @Test func aSweepClosesACurfewAlertWhoseNightIsNoLongerACurfewNight() throws {
        let night = CalendarDate(year: 2026, month: 11, day: 20)
        var walk = Walk(
            rules: monitoringRules(curfew: try homeCurfew(days: ["saturday"]), noSignalMinutes: 1440),
            state: MonitoringState(openAlerts: [.leftHomeDuringCurfew(day: night)], latestPing: utcInstant("2026-11-20T23:00:00Z"))
        )
        #expect(walk.sweep(at: utcInstant("2026-11-21T01:00:00Z")) == ["-left home during the curfew of 2026-11-20"])
        #expect(walk.steps.last?.closed.first?.at == utcInstant("2026-11-21T01:00:00Z"))
    }

    @Test(arguments: [
        ([MonitoringRules.Zone](), 0, ["noSignalMinutes"]),
        ([], 1441, ["noSignalMinutes"]),
        ([Places.park, Places.park], 30, ["zones[1].id"]),
        ([MonitoringRules.Zone(id: " ", kind: .exclusion, polygon: Places.park.area.polygons[0])], 30, ["zones[0].id"]),
        ([MonitoringRules.Zone(id: "nothing", kind: .inclusion, area: GeoArea([]))], 30, ["zones[0].area"]),
        ([Places.park, Places.city], 1440, []),
    ])
    func rulesThatCannotWorkAreRefused(zones: [MonitoringRules.Zone], minutes: Int, fields: [String]) {
        do {
            _ = try MonitoringRules(curfew: nil, zones: zones, noSignalMinutes: minutes)
            #expect(fields.isEmpty)
        } catch {
            #expect(error.errors.map(\.field) == fields, "\(error.summary)")
        }
    }

    @Test func theStateSurvivesARoundTripThroughJSON() throws {
        let state = MonitoringState(
            openAlerts: [.noSignal, .leftHomeDuringCurfew(day: CalendarDate(year: 2026, month: 11, day: 20)),
                         .leftInclusionZone(zoneID: "city"), .enteredExclusionZone(zoneID: "park")],
            latestPing: friday(0)
        )
        let decoded = try JSONDecoder().decode(MonitoringState.self, from: JSONEncoder().encode(state))
        #expect(decoded == state)
        #expect(state.openAlerts.sorted().map(\.code) == ["no_signal", "left_home_during_curfew", "left_inclusion_zone", "entered_exclusion_zone"])
    }

    @Test func theBenchmarkChecksPingsAndRaisesAlerts() {
        let result = MonitoringBenchmark.run(seconds: 0.05)
        #expect(result.pings >= 1000)
        #expect(result.alertsOpened > 0)
        #expect(result.perSecond > 0)
        let rules = MonitoringBenchmark.rules()
        #expect(rules.zones.map(\.area.polygons[0].outer.count) == [51, 51, 51])
        #expect(rules.zones[1].area.polygons[0].holes.count == 1)
    }
}
