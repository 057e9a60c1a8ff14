import Crypto
import DiversionCore
import FluentKit
import Foundation
import SQLKit

/// A plan as stored, with the measure and person it belongs to.
public struct StoredDrugTestPlan: Sendable, Equatable {
    public let plan: DrugTestPlan
    public let measureID: UUID
    public let personID: UUID
    public let createdAt: Date

    public init(plan: DrugTestPlan, measureID: UUID, personID: UUID, createdAt: Date) {
        self.plan = plan
        self.measureID = measureID
        self.personID = personID
        self.createdAt = createdAt
    }
}

/// A result as stored: the checked result, whether it was collected outside the window, and who recorded it.
public struct StoredDrugTestResult: Sendable, Equatable {
    public let id: UUID
    public let planID: UUID
    public let measureID: UUID
    public let personID: UUID
    public let result: DrugTestResult
    public let outsideWindow: Bool
    public let recordedByName: String
    /// The agency that recorded it (nil for days the system recorded as missed).
    public let recordedByAgencyID: UUID?
    public let recordedByAgencyType: AgencyType?
    public let recordedAt: Date

    public init(id: UUID, planID: UUID, measureID: UUID, personID: UUID, result: DrugTestResult, outsideWindow: Bool, recordedByName: String,
                recordedByAgencyID: UUID? = nil, recordedByAgencyType: AgencyType? = nil, recordedAt: Date) {
        self.id = id
        self.planID = planID
        self.measureID = measureID
        self.personID = personID
        self.result = result
        self.outsideWindow = outsideWindow
        self.recordedByName = recordedByName
        self.recordedByAgencyID = recordedByAgencyID
        self.recordedByAgencyType = recordedByAgencyType
        self.recordedAt = recordedAt
    }
}

/// Stores drug-testing plans, their sealed seeds, results and call-in codes.
public struct DrugTestStore: Sendable {
    /// The audit resource type under which a plan's commitment is recorded when it is drawn.
    public static let planAuditType = "drug_test_plan"

    public init() {}

    // MARK: Plans

    /// Stores a newly drawn plan and its seed, sealed, in the caller's transaction.
    public func insert(_ stored: StoredDrugTestPlan, seed: PlanSeed, vault: SeedVault, on db: any Database) async throws {
        try await Self.model(stored).create(on: db)
        let sealed = DrugTestPlanSeedModel()
        sealed.id = stored.plan.id
        sealed.sealed = try vault.seal(seed, planID: stored.plan.id)
        sealed.keyID = vault.keyID
        try await sealed.create(on: db)
    }

    /// The row of a plan, for a single write or a batch; its sealed seed is a row of its own.
    static func model(_ stored: StoredDrugTestPlan) throws -> DrugTestPlanModel {
        let row = DrugTestPlanModel()
        row.id = stored.plan.id
        row.measureID = stored.measureID
        row.personID = stored.personID
        row.condition = try JSONText.encode(stored.plan.condition)
        row.algorithm = stored.plan.algorithm
        row.commitment = stored.plan.commitmentHex
        row.testDays = try JSONText.encode(stored.plan.testDays)
        row.createdAt = stored.createdAt
        return row
    }

    public func plan(forMeasure measureID: UUID, on db: any Database) async throws -> StoredDrugTestPlan? {
        try await DrugTestPlanModel.query(on: db).filter(\.$measureID == measureID).first().map(Self.record)
    }

    /// The plans of these measures, read in chunks so a long list stays within the databases' bind limits.
    public func plans(forMeasures ids: [UUID], on db: any Database) async throws -> [StoredDrugTestPlan] {
        var plans: [StoredDrugTestPlan] = []
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            plans += try await DrugTestPlanModel.query(on: db).filter(\.$measureID ~~ chunk).all().map(Self.record)
        }
        return plans
    }

    public func plans(forPerson personID: UUID, on db: any Database) async throws -> [StoredDrugTestPlan] {
        try await DrugTestPlanModel.query(on: db).filter(\.$personID == personID).sort(\.$createdAt).all().map(Self.record)
    }

    /// The plan's seed, opened; throws `SeedKeyError` when it is missing or does not open with this key.
    public func seed(of planID: UUID, vault: SeedVault, on db: any Database) async throws -> PlanSeed {
        guard let row = try await DrugTestPlanSeedModel.find(planID, on: db) else {
            throw SeedKeyError("the plan's seed is not on record")
        }
        return try vault.open(row.sealed, keyID: row.keyID, planID: planID)
    }

    /// The commitment recorded in the audit trail when the plan was drawn, from the first such entry.
    public func recordedCommitment(planID: UUID, personID: UUID, on db: any Database) async throws -> Data? {
        let prefix = "\(planID.uuidString.lowercased())/sha256:"
        let entries = try await AuditEntryModel.query(on: db)
            .filter(\.$resourceType == Self.planAuditType).filter(\.$personID == personID).filter(\.$action == AuditAction.create.rawValue)
            .sort(\.$id).all()
        guard let id = entries.compactMap(\.resourceID).first(where: { $0.hasPrefix(prefix) }) else { return nil }
        return Self.bytes(hex: String(id.dropFirst(prefix.count)))
    }

    static func record(_ m: DrugTestPlanModel) throws -> StoredDrugTestPlan {
        StoredDrugTestPlan(
            plan: DrugTestPlan(
                id: m.id ?? UUID(), condition: try JSONText.decode(DrugTestingCondition.self, m.condition), algorithm: m.algorithm,
                commitment: Self.bytes(hex: m.commitment) ?? Data(), testDays: try JSONText.decode([CalendarDate].self, m.testDays)
            ),
            measureID: m.measureID, personID: m.personID, createdAt: m.createdAt
        )
    }

    static func bytes(hex: String) -> Data? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var data = Data(capacity: digits.count / 2)
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            data.append(byte)
        }
        return data
    }

    // MARK: Results

    /// The plan's results in day order.
    public func results(of planID: UUID, on db: any Database) async throws -> [StoredDrugTestResult] {
        try await DrugTestResultModel.query(on: db).filter(\.$planID == planID).sort(\.$testDay).all().map(Self.record)
    }

    /// The results of these plans from `from` on, for worklists.
    public func results(ofPlans ids: [UUID], from: CalendarDate, on db: any Database) async throws -> [StoredDrugTestResult] {
        var results: [StoredDrugTestResult] = []
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            results += try await DrugTestResultModel.query(on: db).filter(\.$planID ~~ chunk).filter(\.$testDay >= from.description)
                .sort(\.$testDay).all().map(Self.record)
        }
        return results
    }

    /// Stores results whose day has none yet; answers the ones stored. A day that already has a result keeps it,
    /// so recording a day twice, or sweeping missed tests again, changes nothing.
    public func insert(_ results: [StoredDrugTestResult], on db: any Database) async throws -> [StoredDrugTestResult] {
        guard let sql = db as? any SQLDatabase, !results.isEmpty else { return [] }
        var stored: [StoredDrugTestResult] = []
        for start in stride(from: 0, to: results.count, by: 200) {
            let chunk = results[start..<min(start + 200, results.count)]
            var insert = sql.insert(into: DrugTestResultModel.schema).columns(
                "id", "plan_id", "measure_id", "person_id", "test_day", "specimen", "collected_at", "outcome", "substances",
                "excuse_reason", "lab_confirmed", "chain_of_custody", "outside_window", "recorded_by_name", "recorded_by_agency_id",
                "recorded_by_agency_type", "recorded_at"
            )
            for r in chunk {
                let m = try Self.model(r)
                insert = insert.values(
                    SQLBind(r.id), SQLBind(m.planID), SQLBind(m.measureID), SQLBind(m.personID), SQLBind(m.testDay),
                    SQLBind(m.specimen), SQLBind(m.collectedAt), SQLBind(m.outcome), SQLBind(m.substances),
                    SQLBind(m.excuseReason), SQLBind(m.labConfirmed), SQLBind(m.chainOfCustody), SQLBind(m.outsideWindow),
                    SQLBind(m.recordedByName), SQLBind(m.recordedByAgencyID), SQLBind(m.recordedByAgencyType), SQLBind(m.recordedAt)
                )
            }
            let rows = try await insert.ignoringConflicts(with: ["plan_id", "test_day"]).returning(SQLColumn("id")).all()
            let ids = Set(try rows.map { try $0.decode(column: "id", as: UUID.self) })
            stored += chunk.filter { ids.contains($0.id) }
        }
        return stored
    }

    /// The row of a result, for a single write or a batch.
    static func model(_ r: StoredDrugTestResult) throws -> DrugTestResultModel {
        let m = DrugTestResultModel()
        m.id = r.id
        m.planID = r.planID
        m.measureID = r.measureID
        m.personID = r.personID
        m.testDay = r.result.testDay.description
        m.specimen = r.result.specimen.rawValue
        m.collectedAt = r.result.collectedAt
        m.outcome = r.result.outcome.code
        switch r.result.outcome {
        case .positive(let found): m.substances = try JSONText.encode(found)
        case .excused(let why): m.excuseReason = why
        default: break
        }
        m.labConfirmed = r.result.labConfirmed
        m.chainOfCustody = r.result.chainOfCustody
        m.outsideWindow = r.outsideWindow
        m.recordedByName = r.recordedByName
        m.recordedByAgencyID = r.recordedByAgencyID
        m.recordedByAgencyType = r.recordedByAgencyType?.rawValue
        m.recordedAt = r.recordedAt
        return m
    }

    static func record(_ m: DrugTestResultModel) throws -> StoredDrugTestResult {
        let outcome: DrugTestOutcome
        switch m.outcome {
        case "negative": outcome = .negative
        case "positive": outcome = .positive(substances: try m.substances.map { try JSONText.decode([String].self, $0) } ?? [])
        case "dilute": outcome = .dilute
        case "adulterated": outcome = .adulterated
        case "excused": outcome = .excused(reason: m.excuseReason ?? "")
        default: outcome = .missed
        }
        let day = CalendarDate(m.testDay) ?? CalendarDate(year: 1970, month: 1, day: 1)
        let specimen = DrugTestSpecimen(rawValue: m.specimen) ?? .urine
        let result: DrugTestResult = outcome == .missed
            ? .missed(on: day, specimen: specimen)
            : try DrugTestResult(testDay: day, specimen: specimen, collectedAt: m.collectedAt, outcome: outcome,
                                 labConfirmed: m.labConfirmed, chainOfCustody: m.chainOfCustody)
        return StoredDrugTestResult(
            id: m.id ?? UUID(), planID: m.planID, measureID: m.measureID, personID: m.personID, result: result,
            outsideWindow: m.outsideWindow, recordedByName: m.recordedByName, recordedByAgencyID: m.recordedByAgencyID,
            recordedByAgencyType: m.recordedByAgencyType.flatMap(AgencyType.init(rawValue:)), recordedAt: m.recordedAt
        )
    }

    // MARK: Call-in codes

    /// The hash a call-in code is stored and looked up by.
    public static func hash(callInCode code: String) -> String {
        HexDigest.sha256(Data(code.utf8))
    }

    /// Gives the person a new code; the old one, if any, stops working in the same transaction.
    public func replaceCallInCode(personID: UUID, code: String, issuedByName: String, at issuedAt: Date, on db: any Database) async throws {
        try await CallInCodeModel.query(on: db).filter(\.$personID == personID).delete()
        let row = CallInCodeModel()
        row.id = UUID()
        row.personID = personID
        row.codeHash = Self.hash(callInCode: code)
        row.issuedByName = issuedByName
        row.issuedAt = issuedAt
        try await row.create(on: db)
    }

    /// The person whose code this is, if any.
    public func person(callInCode code: String, on db: any Database) async throws -> UUID? {
        try await CallInCodeModel.query(on: db).filter(\.$codeHash == Self.hash(callInCode: code)).first()?.personID
    }
}
