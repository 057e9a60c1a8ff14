import DiversionCore
import FluentKit
import Foundation
import SQLKit

/// A monitoring device, one row per physical device, with its current assignment and the rules' state for its wearer.
public final class MonitoringDeviceModel: Model, @unchecked Sendable {
    public static let schema = "monitoring_devices"

    @ID(key: .id) public var id: UUID?
    @Field(key: "device_id") public var deviceID: String
    @Field(key: "measure_id") public var measureID: UUID
    @Field(key: "person_id") public var personID: UUID
    @Field(key: "assigned_at") public var assignedAt: Date
    @Field(key: "active") public var active: Bool
    @Field(key: "state") public var state: String
    @OptionalField(key: "latest_ping_at") public var latestPingAt: Date?

    public init() {}
}

/// An alert about a device's wearer, open until the condition ends, acknowledged once by a supervision officer.
public final class MonitoringAlertModel: Model, @unchecked Sendable {
    public static let schema = "monitoring_alerts"

    @ID(key: .id) public var id: UUID?
    @Field(key: "device_id") public var deviceID: String
    @Field(key: "measure_id") public var measureID: UUID
    @Field(key: "person_id") public var personID: UUID
    @Field(key: "code") public var code: String
    /// Code, zone and curfew day in one text, so one open alert of each kind per device can be enforced by an index.
    @Field(key: "alert_key") public var alertKey: String
    @OptionalField(key: "zone_id") public var zoneID: String?
    @OptionalField(key: "curfew_day") public var curfewDay: String?
    @Field(key: "opened_at") public var openedAt: Date
    @OptionalField(key: "closed_at") public var closedAt: Date?
    @OptionalField(key: "acknowledged_by_name") public var acknowledgedByName: String?
    @OptionalField(key: "acknowledged_at") public var acknowledgedAt: Date?
    @OptionalField(key: "note") public var note: String?

    public init() {}
}

/// The table of pings has no model: rows are only ever bulk-inserted and never read one by one.
enum MonitoringPingTable {
    static let schema = "monitoring_pings"
}

struct CreateMonitoringDevice: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(MonitoringDeviceModel.schema)
            .id()
            .field("device_id", .string, .required)
            .field("measure_id", .uuid, .required, .references(MeasureModel.schema, .id))
            .field("person_id", .uuid, .required, .references(PersonModel.schema, .id))
            .field("assigned_at", .datetime, .required)
            .field("active", .bool, .required)
            .field("state", .string, .required)
            .field("latest_ping_at", .datetime)
            .unique(on: "device_id")
            .create()
        try await SQLIndex.create("monitoring_devices_measure_id", on: MonitoringDeviceModel.schema, columns: ["measure_id"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(MonitoringDeviceModel.schema).delete()
    }
}

struct CreateMonitoringPing: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(MonitoringPingTable.schema)
            .field("device_id", .string, .required)
            .field("time", .datetime, .required)
            .field("latitude", .double, .required)
            .field("longitude", .double, .required)
            .field("accuracy_meters", .double, .required)
            .field("received_at", .datetime, .required)
            // Makes ingestion idempotent: a ping sent again conflicts and is skipped.
            .unique(on: "device_id", "time")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(MonitoringPingTable.schema).delete()
    }
}

struct CreateMonitoringAlert: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(MonitoringAlertModel.schema)
            .id()
            .field("device_id", .string, .required)
            .field("measure_id", .uuid, .required, .references(MeasureModel.schema, .id))
            .field("person_id", .uuid, .required, .references(PersonModel.schema, .id))
            .field("code", .string, .required)
            .field("alert_key", .string, .required)
            .field("zone_id", .string)
            .field("curfew_day", .string)
            .field("opened_at", .datetime, .required)
            .field("closed_at", .datetime)
            .field("acknowledged_by_name", .string)
            .field("acknowledged_at", .datetime)
            .field("note", .string)
            .create()
        try await SQLIndex.create("monitoring_alerts_measure_id", on: MonitoringAlertModel.schema, columns: ["measure_id"], in: database)
        try await SQLIndex.create("monitoring_alerts_person_id", on: MonitoringAlertModel.schema, columns: ["person_id"], in: database)
        try await SQLIndex.create("monitoring_alerts_opened_at", on: MonitoringAlertModel.schema, columns: ["opened_at"], in: database)
        if let sql = database as? any SQLDatabase {
            // At most one open alert of each kind per device, even with several app instances sweeping at once.
            try await sql.raw("CREATE UNIQUE INDEX monitoring_alerts_one_open ON monitoring_alerts (device_id, alert_key) WHERE closed_at IS NULL").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(MonitoringAlertModel.schema).delete()
    }
}
