/// The check after a restore: the manifest's promise against what the restored database holds.
public struct BackupComparison: Sendable, Equatable {
    /// One line of the check: a table's rows, the audit chain or the schema version.
    public struct Line: Sendable, Equatable {
        public var item: String
        public var inBackup: String
        public var restored: String
        public var ok: Bool
    }

    public var lines: [Line]

    /// Whether every line agrees.
    public var matches: Bool { lines.allSatisfy(\.ok) }
    public var mismatches: [Line] { lines.filter { !$0.ok } }

    /// Compares table by table (a table on one side only is a mismatch), then the audit chain,
    /// which must also verify, then the migrations.
    public init(expected: DatabaseInventory, restored: DatabaseInventory) {
        var lines: [Line] = []
        let before = Dictionary(expected.tables.map { ($0.table, $0.rows) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(restored.tables.map { ($0.table, $0.rows) }, uniquingKeysWith: { first, _ in first })
        for table in Set(before.keys).union(after.keys).sorted() {
            let b = before[table], a = after[table]
            lines.append(Line(item: table, inBackup: b.map(String.init) ?? "absent", restored: a.map(String.init) ?? "absent", ok: a != nil && a == b))
        }
        let expectedAudit = expected.audit, restoredAudit = restored.audit
        func show(_ state: DatabaseInventory.AuditState?, _ text: (DatabaseInventory.AuditState) -> String) -> String {
            state.map(text) ?? "absent"
        }
        lines.append(Line(
            item: "audit chain length",
            inBackup: show(expectedAudit) { String($0.entries) }, restored: show(restoredAudit) { String($0.entries) },
            ok: expectedAudit?.entries == restoredAudit?.entries
        ))
        lines.append(Line(
            item: "audit chain head",
            inBackup: show(expectedAudit) { "\($0.headSequence) \($0.headHash.prefix(16))" },
            restored: show(restoredAudit) { "\($0.headSequence) \($0.headHash.prefix(16))" },
            ok: expectedAudit?.headSequence == restoredAudit?.headSequence && expectedAudit?.headHash == restoredAudit?.headHash
        ))
        lines.append(Line(
            item: "audit chain verifies",
            inBackup: show(expectedAudit) { $0.intact ? "yes" : "no: \($0.problem ?? "")" },
            restored: show(restoredAudit) { $0.intact ? "yes" : "no: \($0.problem ?? "")" },
            ok: restoredAudit?.intact == true && expectedAudit?.intact == true
        ))
        lines.append(Line(
            item: "migrations applied",
            inBackup: Self.schemaVersion(expected.migrations), restored: Self.schemaVersion(restored.migrations),
            ok: expected.migrations == restored.migrations
        ))
        self.lines = lines
    }

    /// How many migrations ran and the last one, without the module's name.
    static func schemaVersion(_ migrations: [String]) -> String {
        guard let last = migrations.last else { return "none" }
        return "\(migrations.count), last \(last.split(separator: ".").last.map(String.init) ?? last)"
    }
}
