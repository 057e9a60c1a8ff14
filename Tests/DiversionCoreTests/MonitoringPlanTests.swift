import Foundation
import Testing
@testable import DiversionCore

private let squareGeometry: AnswerValue = .object([
    "type": .string("Polygon"),
    "coordinates": .array([.array([
        [-9.13, 38.72], [-9.12, 38.72], [-9.12, 38.73], [-9.13, 38.73], [-9.13, 38.72],
    ].map { .array($0.map(AnswerValue.number)) })]),
])

private func curfewCondition(_ changes: [String: AnswerValue] = [:], removing: [String] = []) -> Condition {
    var parameters: [String: AnswerValue] = [
        "place": .string("Home, Rua das Flores 12"), "latitude": .number(38.7223), "longitude": .number(-9.1393), "radiusMeters": .number(100),
        "start": .string("21:00"), "end": .string("06:00"), "days": .array([.string("friday"), .string("saturday")]),
        "timeZone": .string("Europe/Lisbon"),
    ]
    for (k, v) in changes { parameters[k] = v }
    for k in removing { parameters[k] = nil }
    return Condition(type: .curfew, parameters: parameters)
}

private func zoneCondition(_ type: ConditionType = .exclusionZone, name: AnswerValue? = .string("Market"), geometry: AnswerValue? = squareGeometry) -> Condition {
    var parameters: [String: AnswerValue] = [:]
    parameters["name"] = name
    parameters["geometry"] = geometry
    return Condition(type: type, parameters: parameters)
}

private let treatment = Condition(type: .attendTreatment, parameters: ["sessionsPerWeek": .number(1)])

@Suite("Monitoring rules built from a measure's conditions")
struct MonitoringPlanTests {
    @Test func aCurfewAndTwoZonesBecomeRulesWithStableZoneIDsAndNames() throws {
        let plan = try MonitoringPlan(conditions: [treatment, curfewCondition(), zoneCondition(), zoneCondition(.inclusionZone, name: .string("City"))],
                                      noSignalMinutes: 45, defaultTimeZone: "UTC")
        let curfew = try #require(plan.rules.curfew)
        #expect(curfew.start.description == "21:00" && curfew.end.description == "06:00")
        #expect(curfew.days == [.friday, .saturday])
        #expect(curfew.timeZoneID == "Europe/Lisbon")
        #expect(curfew.home.radiusMeters == 100)
        #expect(plan.rules.zones.map(\.id) == ["zone-2", "zone-3"])
        #expect(plan.rules.zones.map(\.kind) == [.exclusion, .inclusion])
        #expect(plan.zoneNames == ["zone-2": "Market", "zone-3": "City"])
        #expect(plan.curfewPlace == "Home, Rua das Flores 12")
        #expect(plan.rules.noSignalAfter == 45 * 60)
        #expect(plan.subject(of: .enteredExclusionZone(zoneID: "zone-2")) == "Market")
    }

    @Test func aMeasureWithoutMonitoringConditionsStillWatchesTheSignal() throws {
        let plan = try MonitoringPlan(conditions: [treatment], noSignalMinutes: 30, defaultTimeZone: "UTC")
        #expect(plan.rules.curfew == nil && plan.rules.zones.isEmpty && plan.curfewPlace == nil)
    }

    @Test func aCurfewWithoutATimeZoneTakesTheJurisdictions() throws {
        let plan = try MonitoringPlan(conditions: [curfewCondition(removing: ["timeZone"])], noSignalMinutes: 30, defaultTimeZone: "America/Mexico_City")
        #expect(plan.rules.curfew?.timeZoneID == "America/Mexico_City")
    }

    @Test(arguments: [
        ([curfewCondition(["start": .string("9pm")])], ["conditions[0].start"]),
        ([curfewCondition(["radiusMeters": .number(2)])], ["conditions[0].radiusMeters"]),
        ([curfewCondition(["days": .array([.string("funday")])])], ["conditions[0].days[0]"]),
        ([curfewCondition(["days": .string("monday")])], ["conditions[0].days"]),
        ([curfewCondition(["timeZone": .string("Mars/Olympus")])], ["conditions[0].timeZone"]),
        ([curfewCondition(removing: ["latitude"])], ["conditions[0].latitude"]),
        ([curfewCondition(["latitude": .string("north")])], ["conditions[0].latitude"]),
        ([curfewCondition(), curfewCondition()], ["conditions[1]"]),
        ([treatment, zoneCondition(geometry: nil)], ["conditions[1].geometry"]),
        ([zoneCondition(geometry: .object(["type": .string("Point"), "coordinates": .array([.number(1), .number(2)])]))], ["conditions[0].geometry.type"]),
        ([zoneCondition(name: nil)], ["conditions[0].name"]),
    ] as [([Condition], [String])])
    func badConditionsAreNamedByTheirPlace(conditions: [Condition], fields: [String]) {
        do {
            _ = try MonitoringPlan(conditions: conditions, noSignalMinutes: 30, defaultTimeZone: "UTC")
            Issue.record("accepted, but expected problems with \(fields)")
        } catch {
            #expect(error.errors.map(\.field) == fields)
        }
    }

    @Test func aNoSignalTimeOutOfRangeIsRefused() {
        #expect(throws: ValidationFailure.self) { try MonitoringPlan(conditions: [], noSignalMinutes: 0, defaultTimeZone: "UTC") }
    }

    @Test(arguments: [
        (MeasureType.electronicMonitoring, [Condition](), true),
        (.homeDetention, [], true),
        (.probation, [curfewCondition()], true),
        (.probation, [zoneCondition(.inclusionZone)], true),
        (.probation, [treatment], false),
        (.communityService, [], false),
    ])
    func devicesGoWithMonitoringMeasuresOrCurfewAndZoneConditions(type: MeasureType, conditions: [Condition], monitored: Bool) {
        #expect(MonitoringPlan.isMonitored(type, conditions: conditions) == monitored)
    }

    @Test(arguments: [
        MonitoringAlert.noSignal, .leftHomeDuringCurfew(day: CalendarDate(year: 2026, month: 11, day: 20)),
        .leftInclusionZone(zoneID: "zone-1"), .enteredExclusionZone(zoneID: "zone-2"),
    ])
    func anAlertReadsBackFromItsStoredCode(alert: MonitoringAlert) {
        #expect(MonitoringAlert(code: alert.code, zoneID: alert.zoneID, curfewDay: alert.curfewDay) == alert)
    }

    @Test func storedAlertsCloseTheOneOpenOfTheirKind() {
        let device = MonitoringDevice(deviceID: "tag-1", measureID: UUID(), personID: UUID(), assignedAt: Date(timeIntervalSince1970: 0))
        let stored = UUID()
        var open = [MonitoringAlert.noSignal.key: stored]
        var changes = MonitoringChanges()
        let t = Date(timeIntervalSince1970: 1000)
        let zone = MonitoringAlert.enteredExclusionZone(zoneID: "zone-1")
        changes.record(MonitoringStep(opened: [AlertChange(zone, at: t)], closed: [AlertChange(.noSignal, at: t)], state: MonitoringState(), outOfOrder: false),
                       device: device, openStored: &open, newID: { UUID() })
        #expect(changes.closed == [stored: t])
        #expect(changes.opened.map(\.alert) == [zone])
        // Opened and closed within one batch: stored once, already closed.
        changes.record(MonitoringStep(opened: [], closed: [AlertChange(zone, at: t.addingTimeInterval(60))], state: MonitoringState(), outOfOrder: false),
                       device: device, openStored: &open, newID: { UUID() })
        #expect(changes.opened.first?.closedAt == t.addingTimeInterval(60))
        #expect(changes.closed.count == 1)
    }

    @Test func aSignalGapSeenWhenItEndsIsStoredOpenedAndClosed() throws {
        let device = MonitoringDevice(deviceID: "tag-1", measureID: UUID(), personID: UUID(), assignedAt: Date(timeIntervalSince1970: 0))
        let rules = try MonitoringRules(curfew: nil, zones: [], noSignalMinutes: 30)
        let first = Ping(deviceID: "tag-1", time: Date(timeIntervalSince1970: 10_000), latitude: 38.7, longitude: -9.1, accuracyMeters: 10)
        var later = first
        later.time = first.time.addingTimeInterval(45 * 60)
        let state = rules.check(first, state: MonitoringState()).state
        let step = rules.check(later, state: state)
        var open: [String: UUID] = [:]
        var changes = MonitoringChanges()
        changes.record(step, device: device, openStored: &open, newID: { UUID() })
        #expect(changes.opened.map(\.alert) == [.noSignal])
        #expect(changes.opened.first?.openedAt == first.time.addingTimeInterval(30 * 60))
        #expect(changes.opened.first?.closedAt == later.time)
        #expect(open.isEmpty)
    }

    @Test(arguments: [("tag-001", true), ("", false), ("has space", false), (String(repeating: "x", count: 101), false), ("IMEI:356938035643809", true)])
    func deviceIDsArePrintableAndShort(id: String, ok: Bool) {
        #expect((MonitoringDevice.checkID(id) != nil) == ok)
    }

    @Test func aSilentNewDeviceCountsItsSilenceFromItsAssignment() {
        let assigned = Date(timeIntervalSince1970: 1000)
        let device = MonitoringDevice(deviceID: "tag-1", measureID: UUID(), personID: UUID(), assignedAt: assigned)
        #expect(device.sweepState.latestPing == assigned)
        let rules = try! MonitoringRules(curfew: nil, zones: [], noSignalMinutes: 30)
        #expect(rules.sweep(now: assigned.addingTimeInterval(31 * 60), state: device.sweepState).opened.map(\.alert) == [.noSignal])
    }

    @Test(arguments: [("Looked into it", true), ("  ", false), (nil, false), (String(repeating: "a", count: 4001), false)] as [(String?, Bool)])
    func anAcknowledgementNeedsANote(note: String?, ok: Bool) {
        #expect(((try? StoredAlert.checkNote(note)) != nil) == ok)
    }
}
