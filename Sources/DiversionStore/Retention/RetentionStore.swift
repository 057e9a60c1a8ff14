import DiversionCore
import FluentKit
import Foundation
import SQLKit

struct UpdatePersonsAddAnonymisedAt: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PersonModel.schema).field("anonymised_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PersonModel.schema).deleteField("anonymised_at").update()
    }
}

/// Applies retention periods: finds what is past its period and removes or anonymises it.
///
/// Rows others point at (contacts, screenings, referrals, cases, measures, people) are anonymised in
/// place, never deleted, so no foreign key is left dangling and statistics still count them. Pings,
/// closed alerts and the results of ended measures are deleted: nothing refers to them. The audit
/// trail is never touched; an anonymised person keeps their id, so audit entries still resolve.
public struct RetentionStore: Sendable {
    public init() {}

    /// Written over free text that retention removed from a field that must stay filled.
    public static let removedText = "removed under the retention policy"

    /// How many records of `kind` are past `cutoff` and still hold something retention would remove.
    public func due(_ kind: RetainedRecord, before cutoff: Date, on db: any Database) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { return 0 }
        if kind == .casesAndMeasures { return try await expiredCases(before: cutoff, on: sql).count }
        let (table, condition) = Self.condition(kind, before: cutoff)
        let row = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table) WHERE \(condition)").first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Removes or anonymises the records of `kind` past `cutoff`; returns how many were changed.
    public func apply(_ kind: RetainedRecord, before cutoff: Date, on db: any Database) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { return 0 }
        let due = try await self.due(kind, before: cutoff, on: db)
        guard due > 0 else { return 0 }
        let (table, condition) = Self.condition(kind, before: cutoff)
        switch kind {
        case .monitoringPings, .monitoringAlerts, .drugTestResults:
            try await sql.raw("DELETE FROM \(ident: table) WHERE \(condition)").run()
        case .contacts:
            try await sql.raw("UPDATE contacts SET latitude = NULL, longitude = NULL, decision_reason = NULL WHERE \(condition)").run()
        case .screenings:
            try await sql.raw("UPDATE screenings SET answers = 'null' WHERE \(condition)").run()
        case .referrals:
            // Events first: their condition reads the referral's reason, which the second statement clears.
            try await sql.raw("""
                UPDATE referral_events SET reason = NULL, note = NULL
                WHERE referral_id IN (SELECT id FROM referrals WHERE \(condition))
                """).run()
            try await sql.raw("UPDATE referrals SET reason = \(bind: Self.removedText) WHERE \(condition)").run()
        case .casesAndMeasures:
            try await anonymiseCases(try await expiredCases(before: cutoff, on: sql), on: db)
        }
        return due
    }

    /// The table and WHERE clause of the expired records of `kind` that still hold something to remove.
    static func condition(_ kind: RetainedRecord, before cutoff: Date) -> (String, SQLQueryString) {
        let day = CalendarDate(cutoff).description
        switch kind {
        case .monitoringPings:
            return ("monitoring_pings", "time < \(bind: cutoff)")
        case .monitoringAlerts:
            return ("monitoring_alerts", "opened_at < \(bind: cutoff) AND closed_at IS NOT NULL")
        case .drugTestResults:
            return ("drug_test_results", """
                test_day < \(bind: day) AND NOT EXISTS (SELECT 1 FROM measures m WHERE m.id = drug_test_results.measure_id AND m.status = 'active')
                """)
        case .contacts:
            return ("contacts", "occurred_at < \(bind: cutoff) AND (latitude IS NOT NULL OR longitude IS NOT NULL OR decision_reason IS NOT NULL)")
        case .screenings:
            return ("screenings", "created_at < \(bind: cutoff) AND answers <> 'null'")
        case .referrals:
            let closed = ReferralStatus.allCases.filter(\.isClosed).map { "'\($0.rawValue)'" }.joined(separator: ", ")
            return ("referrals", "created_at < \(bind: cutoff) AND status IN (\(unsafeRaw: closed)) AND reason <> \(bind: removedText)")
        case .casesAndMeasures:
            return ("justice_cases", "opened_at < \(bind: cutoff)")
        }
    }

    /// Cases opened before `cutoff` with no measure running or started since, no decision since,
    /// and decision reasons not yet removed.
    func expiredCases(before cutoff: Date, on sql: any SQLDatabase) async throws -> [UUID] {
        let day = CalendarDate(cutoff).description
        let rows = try await sql.raw("""
            SELECT c.id AS id FROM justice_cases c
            WHERE c.opened_at < \(bind: cutoff)
              AND NOT EXISTS (SELECT 1 FROM measures m WHERE m.case_id = c.id
                              AND (m.status = 'active' OR m.start_date >= \(bind: day) OR m.planned_end >= \(bind: day)))
              AND NOT EXISTS (SELECT 1 FROM case_decisions d WHERE d.case_id = c.id AND d.decided_at >= \(bind: cutoff))
              AND EXISTS (SELECT 1 FROM case_decisions d WHERE d.case_id = c.id AND d.proportionality <> \(bind: Self.emptyProportionality))
            """).all()
        return try rows.map { try $0.decode(column: "id", as: UUID.self) }
    }

    static let emptyProportionality: String = (try? JSONText.encode(Proportionality(gravity: "", circumstances: "", reasons: ""))) ?? "{}"

    /// Removes the free text of expired cases: decision reasons, outcome notes, breach descriptions and the reasons
    /// given for responses; the compliance entries of their measures (sites, names, notes) are deleted.
    func anonymiseCases(_ ids: [UUID], on db: any Database) async throws {
        for chunk in stride(from: 0, to: ids.count, by: 500) {
            let part = Array(ids[chunk..<min(chunk + 500, ids.count)])
            let measures = try await MeasureModel.query(on: db).filter(\.$caseID ~~ part).all().compactMap(\.id)
            if !measures.isEmpty {
                try await ComplianceEntryModel.query(on: db).filter(\.$measureID ~~ measures).delete()
                try await ResponseModel.query(on: db).filter(\.$measureID ~~ measures).set(\.$why, to: Self.removedText).update()
            }
            try await CaseDecisionModel.query(on: db).filter(\.$justiceCase.$id ~~ part)
                .set(\.$proportionality, to: Self.emptyProportionality).update()
            try await BreachModel.query(on: db).filter(\.$caseID ~~ part).set(\.$description, to: Self.removedText).update()
            for m in try await MeasureModel.query(on: db).filter(\.$caseID ~~ part).filter(\.$outcome != nil).all() {
                guard let text = m.outcome, var outcome = try? JSONText.decode(RecordedOutcome.self, text), outcome.note != Self.removedText else { continue }
                outcome.note = Self.removedText
                m.outcome = try JSONText.encode(outcome)
                try await m.update(on: db)
            }
        }
    }
}

extension RetentionStore {
    /// People with an identity on record and nothing left inside its retention period: every record of
    /// theirs is past its period, no measure of theirs runs, and the person was registered before the
    /// longest period began. A kind kept for good keeps everyone who has one of its records.
    public func expiredPeople(_ retention: JurisdictionPolicy.Retention, now: Date, limit: Int = 10_000, on db: any Database) async throws -> [UUID] {
        guard let sql = db as? any SQLDatabase else { return [] }
        let personKinds: [RetainedRecord] = [.contacts, .screenings, .referrals, .casesAndMeasures]
        guard let longest = personKinds.compactMap({ retention.days[$0] }).max() else { return [] }
        let registered = now.addingTimeInterval(-Double(longest) * 86_400)
        func since(_ kind: RetainedRecord, _ column: String) -> SQLQueryString {
            guard let cutoff = retention.cutoff(kind, now: now) else { return "" }
            return " AND \(ident: column) >= \(bind: cutoff)"
        }
        func sinceDay(_ kind: RetainedRecord, _ column: String) -> SQLQueryString {
            guard let cutoff = retention.cutoff(kind, now: now) else { return "" }
            return " AND \(ident: column) >= \(bind: CalendarDate(cutoff).description)"
        }
        let caseDay: SQLQueryString = retention.cutoff(.casesAndMeasures, now: now).map {
            " OR m.start_date >= \(bind: CalendarDate($0).description) OR m.planned_end >= \(bind: CalendarDate($0).description)"
        } ?? " OR 1 = 1"
        let alertSince: SQLQueryString = retention.cutoff(.monitoringAlerts, now: now).map { " OR x.opened_at >= \(bind: $0)" } ?? " OR 1 = 1"
        let query: SQLQueryString = """
            SELECT p.id AS id FROM persons p JOIN person_identities i ON i.person_id = p.id
            WHERE p.created_at < \(bind: registered)
              AND NOT EXISTS (SELECT 1 FROM contacts x WHERE x.person_id = p.id\(since(.contacts, "occurred_at")))
              AND NOT EXISTS (SELECT 1 FROM screenings x WHERE x.person_id = p.id\(since(.screenings, "created_at")))
              AND NOT EXISTS (SELECT 1 FROM referrals x WHERE x.person_id = p.id\(since(.referrals, "created_at")))
              AND NOT EXISTS (SELECT 1 FROM justice_cases x WHERE x.person_id = p.id\(since(.casesAndMeasures, "opened_at")))
              AND NOT EXISTS (SELECT 1 FROM measures m WHERE m.person_id = p.id AND (m.status = 'active'\(caseDay)))
              AND NOT EXISTS (SELECT 1 FROM drug_test_results x WHERE x.person_id = p.id\(sinceDay(.drugTestResults, "test_day")))
              AND NOT EXISTS (SELECT 1 FROM monitoring_alerts x WHERE x.person_id = p.id AND (x.closed_at IS NULL\(alertSince)))
              AND NOT EXISTS (SELECT 1 FROM monitoring_devices x WHERE x.person_id = p.id AND x.active = \(bind: true))
            LIMIT \(literal: limit)
            """
        return try await sql.raw(query).all().map { try $0.decode(column: "id", as: UUID.self) }
    }

    /// Replaces each person's identity with an anonymous stub under the same id: names deleted, birth
    /// date cut to the year, gender identity, language and flags cleared; sex and nationality stay for statistics.
    public func anonymise(_ people: [UUID], at now: Date, on db: any Database) async throws -> Int {
        guard let sql = db as? any SQLDatabase, !people.isEmpty else { return 0 }
        for chunk in stride(from: 0, to: people.count, by: 500) {
            let part = Array(people[chunk..<min(chunk + 500, people.count)])
            try await PersonIdentityModel.query(on: db).filter(\.$person.$id ~~ part).delete()
            // An anonymous stub has no page of its own: its personal codes stop working.
            try await ParticipantCodeModel.query(on: db).filter(\.$personID ~~ part).delete()
            try await sql.update(PersonModel.schema)
                .set(SQLIdentifier("birth_date"), to: SQLFunction("substr", args: SQLIdentifier("birth_date"), SQLLiteral.numeric("1"), SQLLiteral.numeric("4")))
                .set(SQLIdentifier("gender_identity"), to: SQLLiteral.null)
                .set(SQLIdentifier("preferred_language"), to: SQLLiteral.null)
                .set(SQLIdentifier("flags"), to: SQLBind(""))
                // A change of details like any other: a write prepared before it must not land on the stub.
                .set(SQLIdentifier("revision"), to: SQLRaw("revision + 1"))
                .set(SQLIdentifier("anonymised_at"), to: SQLBind(now))
                .where(SQLIdentifier("id"), .in, SQLBind.group(part))
                .run()
        }
        return people.count
    }
}
