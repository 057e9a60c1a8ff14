import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Vapor

/// A synthetic jurisdiction for trying the system: agencies of every type in regions R1–R3,
/// one user per role (password `demo`) and a few dozen fictitious people. Seeding twice changes nothing.
public enum DemoJurisdiction {
    public static let regions = ["R1", "R2", "R3"]
    public static let password = "demo"

    /// The demo accounts: username, display name, role, and the type of agency in region R1.
    public static let accounts: [(username: String, name: String, role: Role, agency: AgencyType)] = [
        ("officer", "Officer Dana Reyes", .officer, .police),
        ("prosecutor", "Prosecutor Samir Haddad", .prosecutor, .prosecution),
        ("judge", "Judge Irena Novak", .judge, .court),
        ("provider", "Dr. Lucía Fernández", .provider, .healthProvider),
        ("supervisor", "Supervision Officer Tomás Silva", .supervisor, .supervision),
        ("analyst", "Analyst Mei Chen", .analyst, .analysis),
        ("admin", "Administrator Kofi Mensah", .admin, .administration),
    ]

    static func agencyName(_ type: AgencyType, region: String) -> String {
        let kind: String = switch type {
        case .police: "Police Service"
        case .prosecution: "Public Prosecutor's Office"
        case .court: "District Court"
        case .healthProvider: "Community Treatment Centre"
        case .socialService: "Social Support Service"
        case .supervision: "Probation and Supervision Service"
        case .analysis: "Drug Observatory"
        case .administration: "Ministry Systems Office"
        }
        return "\(region) \(kind)"
    }

    /// Creates whatever part of the demo jurisdiction is missing.
    /// With `caseload`, also a few hundred people with contacts, screenings and referrals in every status.
    /// Seeds what is missing; with `caseload`, also the demo caseload and the participant whose month of supervision
    /// is on record, answering her name and a fresh call-in code when she was seeded now.
    /// Synthetic contacts the demo adds to its figures.
    static let demoGeneratedContacts = 20_000

    @discardableResult
    public static func seed(_ app: Application, caseload: Bool = false) async throws -> (participant: String, callInCode: String, accessCode: String)? {
        let db = app.db
        let accounts = AccountStore()
        var agencyIDs: [String: UUID] = [:]
        for region in regions {
            for type in AgencyType.allCases {
                let name = agencyName(type, region: region)
                if let existing = try await accounts.agency(name, on: db) {
                    agencyIDs[name] = existing.id
                } else {
                    agencyIDs[name] = try await accounts.createAgency(name: name, type: type, region: region, on: db).id
                }
            }
        }
        for account in Self.accounts where try await accounts.user(username: account.username, on: db) == nil {
            guard let agencyID = agencyIDs[agencyName(account.agency, region: "R1")] else { continue }
            let hash = try await app.password.async.hash(password)
            _ = try await accounts.createUser(
                username: account.username, displayName: account.name, passwordHash: hash, roles: [account.role], agencyID: agencyID, on: db
            )
        }
        if try await PolicyStore().activeDocument(on: db) == nil {
            let document = try String(contentsOf: AppResources.directory.appendingPathComponent("Policies/demo.yaml"), encoding: .utf8)
            _ = try await PolicyStore().activate(document, by: "demo-seed", at: Date(), on: db)
        }
        try await DemoServices.seed(app, agencyIDs: agencyIDs)
        if try await PersonModel.query(on: db).count() == 0, let police = agencyIDs[agencyName(.police, region: "R1")] {
            try await seedPeople(app, agencyID: police)
        }
        guard caseload else { return nil }
        try await DemoCaseload.seed(app)
        let participant = try await DemoParticipant.seed(app)
        // The analyst's figures start from what was just seeded.
        if let active = try await app.diversion.policies.active(on: db) {
            try await EvidenceRefresh().run(policy: active.policy, at: app.diversion.now(), on: db)
            // A few years of synthetic contacts, labelled as such on every page, so the charts have something to show.
            if try await EvidenceStore().count(source: .generated, on: db).contacts == 0 {
                let (facts, tests) = SyntheticEvidence.generate(
                    contacts: demoGeneratedContacts, seed: 2026, policy: active.policy, endingOn: CalendarDate(app.diversion.now()))
                try await EvidenceStore().replace(source: .generated, facts: facts, tests: tests, at: app.diversion.now(), on: db)
            }
        }
        return participant
    }

    static func seedPeople(_ app: Application, agencyID: UUID) async throws {
        let women = ["Ana", "Maria", "Sofia", "Amina", "Elena", "Inés", "Fatima", "Olga", "Zainab", "Lucía"]
        let men = ["João", "Luis", "Pavel", "Karim", "Tomás", "Jakub", "Diego", "Mateo", "Petr", "Omar"]
        let others = ["Alex", "Sasha", "Kim", "Noor"]
        let family = ["Silva", "Novák", "García", "Costa", "Haddad", "Dvořák", "Hernández", "Pereira", "Mensah", "Kowalski", "Santos", "Ramírez", "Ivanova", "Okafor", "Moreau"]
        let nationalities = ["PRT", "CZE", "MEX", "ESP", "MAR", "UKR", "BRA", "XXA"]
        let languages = ["pt", "cs", "es", "es", "ar", "uk", "pt-BR", "en"]
        let today = CalendarDate(Date())
        let store = PersonStore()
        let now = Date()
        var sequence = DemoCaseload.Sequence(state: 20_261_124)
        func next(_ n: Int) -> Int { sequence.next(n) }
        var drafts: [PersonDraft] = []
        for i in 0..<36 {
            let age = i % 9 == 0 ? 16 + next(2) : 18 + next(45)
            let birth = CalendarDate(year: today.year - age - 1, month: 1 + next(12), day: 1 + next(28))
            let n = next(nationalities.count)
            var flags: [PersonFlag] = []
            if next(10) == 0 { flags.append(.homeless) }
            if next(8) == 0 { flags.append(.caringForChildren) }
            let sex: Sex = i % 3 == 0 ? .female : (i % 17 == 0 ? .other : .male)
            if sex == .female, next(12) == 0 { flags.append(.pregnant) }
            let names = sex == .female ? women : sex == .male ? men : others
            drafts.append(PersonDraft(
                givenName: names[next(names.count)], familyName: family[next(family.count)], birthDate: birth, sex: sex,
                nationality: nationalities[n], preferredLanguage: languages[n], flags: flags.sorted()
            ))
        }
        let finalDrafts = drafts
        _ = try await app.diversion.auditTrail.perform { db in
            var events: [AuditEvent] = []
            for draft in finalDrafts {
                let person = try await store.create(draft, createdByAgency: agencyID, at: now, on: db)
                events.append(AuditEvent(
                    occurredAt: now, userID: nil, username: "demo-seed", agencyID: agencyID, action: .create,
                    resourceType: "person", resourceID: person.id.uuidString, personID: person.id, purpose: "demo data"
                ))
            }
            return (finalDrafts.count, events)
        }
    }
}
