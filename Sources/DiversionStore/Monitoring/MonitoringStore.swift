import DiversionCore
import FluentKit
import Foundation
import SQLKit

/// A ping's identity in storage: its device and its time to the millisecond (the unique key of the pings table).
public struct PingKey: Sendable, Hashable {
    public let deviceID: String
    public let millis: Int64

    public init(deviceID: String, time: Date) {
        self.deviceID = deviceID
        self.millis = Int64((time.timeIntervalSince1970 * 1000).rounded())
    }

    public init(_ ping: Ping) { self.init(deviceID: ping.deviceID, time: ping.time) }
}

/// Which alerts a list shows.
public enum AlertStatusFilter: String, Sendable, CaseIterable {
    case open, closed, all
}

/// Stores monitoring devices, pings and alerts, writing each batch's changes in a few statements.
public struct MonitoringStore: Sendable {
    public init() {}

    /// Rows per multi-row INSERT: well inside SQLite's and PostgreSQL's limits on bound values, and a batch of 1000 is one statement.
    static let pingRowsPerStatement = 2500
    static let alertRowsPerStatement = 500

    // MARK: Devices

    public func device(_ deviceID: String, on db: any Database) async throws -> MonitoringDevice? {
        try await MonitoringDeviceModel.query(on: db).filter(\.$deviceID == deviceID).first().map(Self.device)
    }

    /// The devices with these ids, whatever their state, in one query.
    public func devices(_ deviceIDs: [String], on db: any Database) async throws -> [MonitoringDevice] {
        guard !deviceIDs.isEmpty else { return [] }
        return try await MonitoringDeviceModel.query(on: db).filter(\.$deviceID ~~ Array(Set(deviceIDs))).all().map(Self.device)
    }

    public func devices(measureID: UUID, on db: any Database) async throws -> [MonitoringDevice] {
        try await MonitoringDeviceModel.query(on: db).filter(\.$measureID == measureID).sort(\.$assignedAt, .descending).all().map(Self.device)
    }

    public func activeDevices(on db: any Database) async throws -> [MonitoringDevice] {
        try await MonitoringDeviceModel.query(on: db).filter(\.$active == true).all().map(Self.device)
    }

    /// Assigns a device: a new row, or the device's row taken over with a fresh state (the old wearer's alerts stay theirs).
    public func assign(_ device: MonitoringDevice, on db: any Database) async throws {
        let row = try await MonitoringDeviceModel.query(on: db).filter(\.$deviceID == device.deviceID).first() ?? MonitoringDeviceModel()
        row.deviceID = device.deviceID
        row.measureID = device.measureID
        row.personID = device.personID
        row.assignedAt = device.assignedAt
        row.active = device.active
        row.state = try JSONText.encode(device.state)
        row.latestPingAt = device.state.latestPing
        try await row.save(on: db)
    }

    /// The measures devices are assigned to, in one query.
    public func measures(_ ids: [UUID], on db: any Database) async throws -> [UUID: MeasureRecord] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await MeasureModel.query(on: db).filter(\.$id ~~ Array(Set(ids))).all()
        var found: [UUID: MeasureRecord] = [:]
        for row in rows {
            let record = try MeasureStore.record(row)
            found[record.id] = record
        }
        return found
    }

    // MARK: Pings

    /// Stores the pings in multi-row statements that skip those already stored; answers the keys of the pings that are new.
    public func insertPings(_ pings: [Ping], receivedAt: Date, on db: any Database) async throws -> Set<PingKey> {
        guard let sql = db as? any SQLDatabase else { throw MonitoringStoreError.notSQL }
        var new: Set<PingKey> = []
        for start in stride(from: 0, to: pings.count, by: Self.pingRowsPerStatement) {
            var insert = sql.insert(into: MonitoringPingTable.schema)
                .columns("device_id", "time", "latitude", "longitude", "accuracy_meters", "received_at")
            for p in pings[start..<min(start + Self.pingRowsPerStatement, pings.count)] {
                insert = insert.values(SQLBind(p.deviceID), SQLBind(p.time), SQLBind(p.latitude), SQLBind(p.longitude),
                                       SQLBind(p.accuracyMeters), SQLBind(receivedAt))
            }
            let rows = try await insert.ignoringConflicts().returning(SQLColumn("device_id"), SQLColumn("time")).all()
            for row in rows {
                new.insert(PingKey(deviceID: try row.decode(column: "device_id", as: String.self), time: try row.decode(column: "time", as: Date.self)))
            }
        }
        return new
    }

    /// The time of the newest ping stored for a device.
    public func latestPing(of deviceID: String, on db: any Database) async throws -> Date? {
        try await MonitoringDeviceModel.query(on: db).filter(\.$deviceID == deviceID).first()?.latestPingAt
    }

    // MARK: Alerts

    public func openAlerts(deviceIDs: [String], on db: any Database) async throws -> [StoredAlert] {
        guard !deviceIDs.isEmpty else { return [] }
        return try await MonitoringAlertModel.query(on: db).filter(\.$deviceID ~~ Array(Set(deviceIDs))).filter(\.$closedAt == nil)
            .all().compactMap(Self.alert)
    }

    /// Alerts newest first, filtered by status, measure and person.
    public func alerts(status: AlertStatusFilter, measureID: UUID? = nil, personID: UUID? = nil, limit: Int = 500, on db: any Database) async throws -> [StoredAlert] {
        var query = MonitoringAlertModel.query(on: db)
        switch status {
        case .open: query = query.filter(\.$closedAt == nil)
        case .closed: query = query.filter(\.$closedAt != nil)
        case .all: break
        }
        if let measureID { query = query.filter(\.$measureID == measureID) }
        if let personID { query = query.filter(\.$personID == personID) }
        query = status == .closed ? query.sort(\.$closedAt, .descending) : query.sort(\.$openedAt, .descending)
        return try await query.limit(limit).all().compactMap(Self.alert)
    }

    public func alert(_ id: UUID, on db: any Database) async throws -> StoredAlert? {
        try await MonitoringAlertModel.find(id, on: db).flatMap(Self.alert)
    }

    /// Records an acknowledgement once; false when the alert was acknowledged meanwhile.
    public func acknowledge(_ id: UUID, _ ack: StoredAlert.Acknowledgement, on db: any Database) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { throw MonitoringStoreError.notSQL }
        let rows = try await sql.update(MonitoringAlertModel.schema)
            .set(SQLIdentifier("acknowledged_by_name"), to: SQLBind(ack.byName))
            .set(SQLIdentifier("acknowledged_at"), to: SQLBind(ack.at))
            .set(SQLIdentifier("note"), to: SQLBind(ack.note))
            .where(SQLIdentifier("id"), .equal, SQLBind(id))
            .where(SQLIdentifier("acknowledged_at"), .is, SQLLiteral.null)
            .returning(SQLColumn("id"))
            .all()
        return !rows.isEmpty
    }

    /// Writes one batch's changes: alerts opened (one INSERT per 500, skipping any already open, which another instance may
    /// have opened), alerts closed (one UPDATE) and device states (one UPDATE). Answers the alerts actually opened and closed.
    @discardableResult
    public func save(_ changes: MonitoringChanges, on db: any Database) async throws -> (opened: [StoredAlert], closed: Int) {
        guard let sql = db as? any SQLDatabase else { throw MonitoringStoreError.notSQL }
        var opened: [StoredAlert] = []
        for start in stride(from: 0, to: changes.opened.count, by: Self.alertRowsPerStatement) {
            let chunk = changes.opened[start..<min(start + Self.alertRowsPerStatement, changes.opened.count)]
            var insert = sql.insert(into: MonitoringAlertModel.schema).columns(
                "id", "device_id", "measure_id", "person_id", "code", "alert_key", "zone_id", "curfew_day", "opened_at", "closed_at"
            )
            for a in chunk {
                insert = insert.values(
                    SQLBind(a.id), SQLBind(a.deviceID), SQLBind(a.measureID), SQLBind(a.personID), SQLBind(a.alert.code),
                    SQLBind(a.alert.key), SQLBind(a.alert.zoneID), SQLBind(a.alert.curfewDay?.description), SQLBind(a.openedAt),
                    SQLBind(a.closedAt)
                )
            }
            let rows = try await insert.ignoringConflicts().returning(SQLColumn("id")).all()
            let ids = Set(try rows.map { try $0.decode(column: "id", as: UUID.self) })
            opened += chunk.filter { ids.contains($0.id) }
        }
        var closed = 0
        if !changes.closed.isEmpty {
            var cases: SQLQueryString = ""
            for (id, at) in changes.closed { cases += " WHEN \(bind: id) THEN \(bind: at)" }
            let ids = changes.closed.keys.map { $0 as any Encodable & Sendable }
            let query: SQLQueryString = "UPDATE \(ident: MonitoringAlertModel.schema) SET \(ident: "closed_at") = CASE \(ident: "id")"
                + cases + " END WHERE \(ident: "id") IN (\(binds: ids)) AND \(ident: "closed_at") IS NULL RETURNING \(ident: "id")"
            closed = try await sql.raw(query).all().count
        }
        if !changes.states.isEmpty {
            var states: SQLQueryString = ""
            var latest: SQLQueryString = ""
            var anyLatest = false
            for (deviceID, state) in changes.states {
                states += " WHEN \(bind: deviceID) THEN \(bind: try JSONText.encode(state))"
                if let time = state.latestPing {
                    latest += " WHEN \(bind: deviceID) THEN \(bind: time)"
                    anyLatest = true
                }
            }
            let ids = changes.states.keys.map { $0 as any Encodable & Sendable }
            var query: SQLQueryString = "UPDATE \(ident: MonitoringDeviceModel.schema) SET \(ident: "state") = CASE \(ident: "device_id")" + states + " END"
            if anyLatest {
                query += ", \(ident: "latest_ping_at") = CASE \(ident: "device_id")" + latest + " ELSE \(ident: "latest_ping_at") END"
            }
            query += " WHERE \(ident: "device_id") IN (\(binds: ids))"
            try await sql.raw(query).run()
        }
        return (opened, closed)
    }

    static func device(_ m: MonitoringDeviceModel) throws -> MonitoringDevice {
        MonitoringDevice(deviceID: m.deviceID, measureID: m.measureID, personID: m.personID, assignedAt: m.assignedAt, active: m.active,
                         state: try JSONText.decode(MonitoringState.self, m.state))
    }

    static func alert(_ m: MonitoringAlertModel) -> StoredAlert? {
        guard let id = m.id, let alert = MonitoringAlert(code: m.code, zoneID: m.zoneID, curfewDay: m.curfewDay.flatMap(CalendarDate.init)) else { return nil }
        let ack = m.acknowledgedAt.map { StoredAlert.Acknowledgement(byName: m.acknowledgedByName ?? "", at: $0, note: m.note ?? "") }
        return StoredAlert(id: id, deviceID: m.deviceID, measureID: m.measureID, personID: m.personID, alert: alert, openedAt: m.openedAt,
                           closedAt: m.closedAt, acknowledgement: ack)
    }
}

/// The monitoring store needs an SQL database for its bulk statements.
public enum MonitoringStoreError: Error {
    case notSQL
}
