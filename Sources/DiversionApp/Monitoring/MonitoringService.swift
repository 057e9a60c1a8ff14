import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Vapor

/// One ping as a device sends it; every field is optional and mistyped values read as missing, so one bad item is
/// refused on its own with its reasons instead of failing the whole batch.
struct PingInput: Decodable, Sendable {
    var deviceId: String?
    var time: String?
    var lat: Double?
    var lon: Double?
    var accuracyMeters: Double?

    enum CodingKeys: String, CodingKey { case deviceId, time, lat, lon, accuracyMeters }

    init(from decoder: any Decoder) throws {
        guard let c = try? decoder.container(keyedBy: CodingKeys.self) else { return }
        deviceId = try? c.decodeIfPresent(String.self, forKey: .deviceId)
        time = try? c.decodeIfPresent(String.self, forKey: .time)
        lat = try? c.decodeIfPresent(Double.self, forKey: .lat)
        lon = try? c.decodeIfPresent(Double.self, forKey: .lon)
        accuracyMeters = try? c.decodeIfPresent(Double.self, forKey: .accuracyMeters)
    }

    init(deviceId: String?, time: String?, lat: Double?, lon: Double?, accuracyMeters: Double?) {
        self.deviceId = deviceId
        self.time = time
        self.lat = lat
        self.lon = lon
        self.accuracyMeters = accuracyMeters
    }

    /// The ping, with its time cut to the millisecond (the precision pings are stored and matched at), or every problem.
    func ping() -> Result<Ping, ValidationFailure> {
        var errors = FieldErrors()
        let device = MonitoringDevice.checkID(deviceId)
        if device == nil { errors.add("deviceId", "Give the device's id: 1 to \(MonitoringDevice.maxIDLength) printable characters without spaces.") }
        let instant = time.flatMap(parseInstant)
        if instant == nil { errors.add("time", "Give the time in ISO 8601 with a zone, such as 2026-11-20T21:30:00Z.") }
        if lat == nil { errors.add("lat", "Give the latitude as a number.") }
        if lon == nil { errors.add("lon", "Give the longitude as a number.") }
        if accuracyMeters == nil { errors.add("accuracyMeters", "Give the accuracy in metres as a number.") }
        guard let device, let instant, let lat, let lon, let accuracyMeters, errors.isEmpty else { return .failure(ValidationFailure(errors.all)) }
        let millis = (instant.timeIntervalSince1970 * 1000).rounded()
        return .success(Ping(deviceID: device, time: Date(timeIntervalSince1970: millis / 1000), latitude: lat, longitude: lon, accuracyMeters: accuracyMeters))
    }
}

/// An ISO 8601 instant with or without fractional seconds.
func parseInstant(_ text: String) -> Date? {
    if let d = try? Date(text, strategy: .iso8601) { return d }
    return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
}

/// A ping refused, with its place in the batch and every reason.
struct RejectedPingResponse: Content {
    var index: Int
    var deviceId: String?
    var errors: [FieldError]
}

/// What became of a batch of pings.
struct PingBatchResponse: Content {
    /// Pings stored and checked now.
    var accepted: Int
    /// Pings already stored (sent before, or twice in this batch): fine, and not checked again.
    var duplicates: Int
    var rejected: [RejectedPingResponse]
    var alertsOpened: Int
    var alertsClosed: Int
}

/// Electronic monitoring's work: assigning devices, taking in pings, and sweeping for silence.
struct MonitoringService {
    static let maxBatch = 5000

    let request: Request

    /// The rules of a measure under the active policy; nil when no rules can be built from it.
    static func plan(_ measure: MeasureRecord, policy: JurisdictionPolicy) -> MonitoringPlan? {
        try? MonitoringPlan(conditions: measure.conditions, noSignalMinutes: policy.supervision.noSignalMinutes,
                            defaultTimeZone: policy.supervision.timeZone)
    }

    // MARK: Devices

    /// Assigns a device to an active monitored measure; answers the device and whether it was newly assigned.
    func assign(deviceID text: String?, measureID measureText: String?) async throws -> (MonitoringDevice, created: Bool) {
        var errors = FieldErrors()
        let deviceID = MonitoringDevice.checkID(text)
        if deviceID == nil { errors.add("deviceId", "Give the device's id: 1 to \(MonitoringDevice.maxIDLength) printable characters without spaces.") }
        let measureID = measureText.flatMap(UUID.init(uuidString:))
        if measureID == nil { errors.add("measureId", "Give the id of the measure to monitor (a UUID).") }
        try errors.throwIfAny()
        guard let deviceID, let measureID else { throw ValidationFailure(errors.all) }
        guard let measure = try await MeasureStore().find(measureID, on: request.db) else {
            throw ValidationFailure([FieldError("measureId", "No measure has this id.")])
        }
        guard measure.isActive else {
            throw APIError.conflict("The measure is \(measure.status.rawValue); only an active measure can be monitored.")
        }
        guard MonitoringPlan.isMonitored(measure.type, conditions: measure.conditions) else {
            throw ValidationFailure([FieldError("measureId", "This \(measure.type.words) has no curfew or zone condition to monitor; a device goes with electronic monitoring, home detention, or a measure with a curfew or zone.")])
        }
        let policy = try await request.activePolicy().policy
        do {
            _ = try MonitoringPlan(conditions: measure.conditions, noSignalMinutes: policy.supervision.noSignalMinutes, defaultTimeZone: policy.supervision.timeZone)
        } catch {
            throw ValidationFailure(error.errors.map { FieldError("measureId", "The measure's \($0.field): \($0.reason)") })
        }
        let store = MonitoringStore()
        if let existing = try await store.device(deviceID, on: request.db), existing.active {
            if existing.measureID == measureID { return (existing, false) }
            if let other = try await MeasureStore().find(existing.measureID, on: request.db), other.isActive {
                throw APIError.conflict("Device \(deviceID) is assigned to another active measure; take it off that measure first.")
            }
        }
        let device = MonitoringDevice(deviceID: deviceID, measureID: measureID, personID: measure.personID, assignedAt: request.now)
        let event = try request.auditEvent(.create, "monitoring_device", id: deviceID, person: measure.personID)
        try await request.diversion.auditTrail.perform { db in
            try await store.assign(device, on: db)
            return ((), [event])
        }
        return (device, true)
    }

    // MARK: Pings

    /// Checks each ping, stores the good ones in one statement, and runs each device's rules over its new pings in time
    /// order, all in one audited transaction with one audit entry per device.
    func ingest(_ inputs: [PingInput]) async throws -> PingBatchResponse {
        if inputs.isEmpty { throw ValidationFailure([FieldError("pings", "Send at least one ping.")]) }
        if inputs.count > Self.maxBatch { throw ValidationFailure([FieldError("pings", "Send at most \(Self.maxBatch) pings in one batch; split the rest into further batches.")]) }
        let now = request.now
        var rejected: [RejectedPingResponse] = []
        var parsed: [(Int, Ping)] = []
        for (i, input) in inputs.enumerated() {
            switch input.ping() {
            case .success(let ping): parsed.append((i, ping))
            case .failure(let failure): rejected.append(RejectedPingResponse(index: i, deviceId: input.deviceId, errors: failure.errors))
            }
        }
        // The batch's devices and their measures, read once.
        let store = MonitoringStore()
        let devices = try await store.devices(parsed.map(\.1.deviceID), on: request.db)
        let measures = try await store.measures(devices.map(\.measureID), on: request.db)
        let policy = try await request.activePolicy().policy
        var plans: [String: MonitoringPlan] = [:]
        var assignedAt: [String: Date] = [:]
        for device in devices where device.active {
            guard let measure = measures[device.measureID], measure.isActive, let plan = Self.plan(measure, policy: policy) else { continue }
            plans[device.deviceID] = plan
            assignedAt[device.deviceID] = device.assignedAt
        }
        // Items keep their batch index through the checks so every refusal names its place.
        var checked: [Ping] = []
        var indices: [Int] = []
        for (i, ping) in parsed {
            if let since = assignedAt[ping.deviceID], ping.time < since {
                rejected.append(RejectedPingResponse(index: i, deviceId: ping.deviceID, errors: [
                    FieldError("time", "The ping is from before the device was assigned to this measure (\(since.formatted(.iso8601)))."),
                ]))
            } else {
                checked.append(ping)
                indices.append(i)
            }
        }
        let known = Set(plans.keys)
        var accepted: [Ping] = []
        var indexedAccepted: [(Int, Ping)] = []
        for (n, ping) in checked.enumerated() {
            let errors = PingCheck.problems(ping, now: now, knownDevices: known)
            if errors.isEmpty { indexedAccepted.append((indices[n], ping)) } else { rejected.append(RejectedPingResponse(index: indices[n], deviceId: ping.deviceID, errors: errors)) }
        }
        // Time order, stable for equal times, as the rules require; a ping twice in the batch counts once.
        indexedAccepted.sort { ($0.1.time, $0.0) < ($1.1.time, $1.0) }
        var seen: Set<PingKey> = []
        var duplicates = 0
        for (_, ping) in indexedAccepted {
            if seen.insert(PingKey(ping)).inserted { accepted.append(ping) } else { duplicates += 1 }
        }
        rejected.sort { $0.index < $1.index }
        guard !accepted.isEmpty else {
            return PingBatchResponse(accepted: 0, duplicates: duplicates, rejected: rejected, alertsOpened: 0, alertsClosed: 0)
        }

        let principal = request.session?.principal
        let requestID = request.id
        let purpose = try request.statedPurpose()
        let toStore = accepted
        let plansByDevice = plans
        let (new, opened, closed) = try await request.diversion.auditTrail.perform { db -> ((Int, Int, Int), [AuditEvent]) in
            let fresh = try await store.insertPings(toStore, receivedAt: now, on: db)
            guard !fresh.isEmpty else { return ((0, 0, 0), []) }
            var byDevice: [String: [Ping]] = [:]
            for ping in toStore where fresh.contains(PingKey(ping)) { byDevice[ping.deviceID, default: []].append(ping) }
            // The state is read inside the transaction, which the audit chain's lock orders against every other writer.
            let current = try await store.devices(Array(byDevice.keys), on: db)
            let open = try await store.openAlerts(deviceIDs: Array(byDevice.keys), on: db)
            var openByDevice: [String: [String: UUID]] = [:]
            for alert in open { openByDevice[alert.deviceID, default: [:]][alert.alert.key] = alert.id }
            var changes = MonitoringChanges()
            var events: [AuditEvent] = []
            for device in current {
                guard let rules = plansByDevice[device.deviceID]?.rules, let pings = byDevice[device.deviceID] else { continue }
                var openStored = openByDevice[device.deviceID] ?? [:]
                var state = device.state
                for ping in pings {
                    let step = rules.check(ping, state: state)
                    changes.record(step, device: device, openStored: &openStored, newID: { UUID() })
                    state = step.state
                }
                if state != device.state { changes.states[device.deviceID] = state }
                events.append(AuditEvent(
                    occurredAt: now, userID: principal?.userID, username: principal?.username, agencyID: principal?.agencyID,
                    action: .create, resourceType: "monitoring_pings", resourceID: device.deviceID, personID: device.personID,
                    purpose: purpose, requestID: requestID
                ))
            }
            let saved = try await store.save(changes, on: db)
            return ((fresh.count, saved.opened.count, saved.closed + saved.opened.filter { $0.closedAt != nil }.count), events)
        }
        duplicates += accepted.count - new
        return PingBatchResponse(accepted: new, duplicates: duplicates, rejected: rejected, alertsOpened: opened, alertsClosed: closed)
    }
}

/// The no-signal sweep: what the clock alone changes for every active device, written in one audited transaction.
enum MonitoringSweep {
    /// Runs the rules' sweep for every active device; answers the alerts opened and closed.
    @discardableResult
    static func run(_ app: Application, now: Date) async throws -> (opened: Int, closed: Int) {
        guard let active = try await app.diversion.policies.active(on: app.db) else { return (0, 0) }
        let policy = active.policy
        let store = MonitoringStore()
        return try await app.diversion.auditTrail.perform { db -> ((Int, Int), [AuditEvent]) in
            let devices = try await store.activeDevices(on: db)
            guard !devices.isEmpty else { return ((0, 0), []) }
            let measures = try await store.measures(devices.map(\.measureID), on: db)
            let open = try await store.openAlerts(deviceIDs: devices.map(\.deviceID), on: db)
            var openByDevice: [String: [String: UUID]] = [:]
            for alert in open { openByDevice[alert.deviceID, default: [:]][alert.alert.key] = alert.id }
            var changes = MonitoringChanges()
            for device in devices {
                guard let measure = measures[device.measureID], measure.isActive, let plan = MonitoringService.plan(measure, policy: policy) else { continue }
                let step = plan.rules.sweep(now: now, state: device.sweepState)
                guard !step.isQuiet else { continue }
                var openStored = openByDevice[device.deviceID] ?? [:]
                changes.record(step, device: device, openStored: &openStored, newID: { UUID() })
                // A device never heard from keeps no latest ping: its first ping must not look out of order.
                var state = step.state
                state.latestPing = device.state.latestPing
                changes.states[device.deviceID] = state
            }
            let saved = try await store.save(changes, on: db)
            let events = saved.opened.map { alert in
                AuditEvent(occurredAt: now, userID: nil, username: "system", agencyID: nil, action: .create, resourceType: "monitoring_alert",
                           resourceID: alert.id.uuidString.lowercased(), personID: alert.personID, purpose: "no-signal sweep")
            }
            return ((saved.opened.count, saved.closed + saved.opened.filter { $0.closedAt != nil }.count), events)
        }
    }
}

/// Runs the no-signal sweep every minute while the app serves. Several instances may sweep at once: the sweep runs under the
/// audit chain's lock and an open alert is unique per device and kind, so none opens twice.
struct MonitoringSweeper: LifecycleHandler {
    let interval: Duration

    final class Holder: @unchecked Sendable {
        var task: Task<Void, Never>?
    }

    let holder = Holder()

    init(interval: Duration = .seconds(60)) { self.interval = interval }

    func didBootAsync(_ application: Application) async throws {
        let interval = interval
        holder.task = Task { [weak application] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let app = application, !Task.isCancelled else { return }
                do {
                    try await MonitoringSweep.run(app, now: app.diversion.now())
                } catch {
                    app.logger.warning("monitoring sweep failed: \(String(describing: error))")
                }
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        holder.task?.cancel()
        holder.task = nil
    }
}
