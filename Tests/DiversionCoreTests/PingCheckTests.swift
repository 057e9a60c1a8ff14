import Foundation
import Testing
@testable import DiversionCore

private let pingNow = utcInstant("2026-11-20T12:00:00Z")

private func ping(_ device: String = "tag-1", at time: Date = pingNow, lat: Double = 38.7223, lon: Double = -9.1393, accuracy: Double = 10) -> Ping {
    Ping(deviceID: device, time: time, latitude: lat, longitude: lon, accuracyMeters: accuracy)
}

@Suite("Checking pings one by one")
struct PingCheckTests {
    @Test(arguments: [
        (ping(), [String]()),
        (ping(lat: 90, lon: -180, accuracy: 0), []),
        (ping(lat: -90, lon: 180, accuracy: 10_000), []),
        (ping(at: pingNow.addingTimeInterval(299)), []),
        (ping(at: pingNow.addingTimeInterval(-6 * 86_400)), []),
        (ping(lat: 90.000_1), ["latitude"]),
        (ping(lat: -91), ["latitude"]),
        (ping(lon: 180.5), ["longitude"]),
        (ping(lat: .nan), ["latitude"]),
        (ping(lon: -.infinity), ["longitude"]),
        (ping(accuracy: -1), ["accuracyMeters"]),
        (ping(accuracy: 10_001), ["accuracyMeters"]),
        (ping(accuracy: .nan), ["accuracyMeters"]),
        (ping(at: pingNow.addingTimeInterval(301)), ["time"]),
        (ping(at: pingNow.addingTimeInterval(86_400 * 365)), ["time"]),
        (ping(at: pingNow.addingTimeInterval(-8 * 86_400)), ["time"]),
        (ping(""), ["deviceId"]),
        (ping("stolen-tag"), ["deviceId"]),
        (ping("  ", at: pingNow.addingTimeInterval(3600), lat: 200, lon: .nan, accuracy: -3), ["deviceId", "latitude", "longitude", "accuracyMeters", "time"]),
    ])
    func eachProblemIsNamed(ping: Ping, fields: [String]) {
        let problems = PingCheck.problems(ping, now: pingNow, knownDevices: ["tag-1"])
        #expect(problems.map(\.field) == fields, "\(problems)")
    }

    @Test func aTimeThatIsNotANumberIsRefused() {
        // Kept out of the argument table: Foundation cannot describe such a date, and the test runner describes arguments.
        let problems = PingCheck.problems(ping(at: Date(timeIntervalSinceReferenceDate: .nan)), now: pingNow)
        #expect(problems.map(\.field) == ["time"])
    }

    @Test func problemsSayWhatToDo() {
        let problems = PingCheck.problems(ping(at: pingNow.addingTimeInterval(600), lat: 95), now: pingNow)
        #expect(problems == [
            FieldError("latitude", "Latitude 95 is out of range; a latitude is from -90 to 90."),
            FieldError("time", "The ping is 10 minutes in the future; check the device clock."),
        ])
    }

    @Test func withoutAListOfDevicesAnyNamedDeviceIsAccepted() {
        #expect(PingCheck.problems(ping("any-tag"), now: pingNow).isEmpty)
        #expect(throws: ValidationFailure.self) { try PingCheck.validate(ping("any-tag"), now: pingNow, knownDevices: []) }
        #expect(throws: Never.self) { try PingCheck.validate(ping(), now: pingNow, knownDevices: ["tag-1"]) }
    }

    @Test func aBatchKeepsTheGoodPingsInTimeOrderAndNamesEachBadOne() {
        let pings = [
            ping(at: pingNow.addingTimeInterval(-60)),
            ping(lat: 120),
            ping(at: pingNow.addingTimeInterval(-120), lat: 38.8),
            ping("unknown"),
            ping(at: pingNow.addingTimeInterval(-60), lat: 38.9), // same time as the first: original order kept
            ping(at: pingNow.addingTimeInterval(900)),
        ]
        let batch = PingCheck.sort(pings, now: pingNow, knownDevices: ["tag-1"])
        #expect(batch.accepted.map(\.latitude) == [38.8, 38.7223, 38.9])
        #expect(batch.rejected.map(\.index) == [1, 3, 5])
        #expect(batch.rejected.map { $0.errors.map(\.field) } == [["latitude"], ["deviceId"], ["time"]])
        #expect(batch.rejected[1].ping.deviceID == "unknown")
    }

    @Test func pingsUseTheApisFieldNamesInJSON() throws {
        let json = #"{"deviceId": "tag-1", "time": 0, "latitude": 1.5, "longitude": 2.5, "accuracyMeters": 8}"#
        let decoded = try JSONDecoder().decode(Ping.self, from: Data(json.utf8))
        #expect(decoded.deviceID == "tag-1")
        #expect(decoded.point == GeoPoint(latitude: 1.5, longitude: 2.5))
    }
}
