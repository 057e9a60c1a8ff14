import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Vapor

/// The demo service directory: ten services in each region, run by the region's treatment centre
/// and social support service, including women-only, youth-only, opioid agonist, faith-based and harm-reduction services.
enum DemoServices {
    /// One service template; `health` says whether the treatment centre (true) or the social service runs it.
    struct Template: Sendable {
        let name: String
        let health: Bool
        let profile: @Sendable (String) -> ServiceProfile
    }

    static let templates: [Template] = [
        Template(name: "Outpatient Clinic", health: true) { region in
            ServiceProfile(name: "\(region) Outpatient Clinic", organisationType: .health, modalities: [.briefIntervention, .outpatient, .mentalHealth],
                           minAge: 18, maxAge: 120, languages: ["en", "es", "pt"], region: region, capacity: 60, load: 41, waitlistDays: 3,
                           phone: "+000 100 2000", email: "intake.\(region.lowercased())@clinic.example")
        },
        Template(name: "Intensive Day Programme", health: true) { region in
            ServiceProfile(name: "\(region) Intensive Day Programme", organisationType: .health, modalities: [.intensiveOutpatient, .outpatient, .mentalHealth],
                           languages: ["en", "es"], region: region, capacity: 25, load: region == "R1" ? 25 : 18, waitlistDays: region == "R1" ? 21 : 6)
        },
        Template(name: "Residential Recovery House", health: true) { region in
            ServiceProfile(name: "\(region) Residential Recovery House", organisationType: .health, modalities: [.residential, .withdrawalManagement],
                           languages: ["en", "pt", "cs"], servesPeopleWithChildren: false, region: region, capacity: 16, load: 15, waitlistDays: 14)
        },
        Template(name: "Opioid Agonist Treatment Unit", health: true) { region in
            ServiceProfile(name: "\(region) Opioid Agonist Treatment Unit", organisationType: .health,
                           modalities: [.opioidAgonistTreatment, .withdrawalManagement, .hivHepatitis, .outpatient],
                           languages: ["en", "es", "uk", "ru"], region: region, capacity: 120, load: 97, waitlistDays: 2)
        },
        Template(name: "Women's Recovery Service", health: true) { region in
            ServiceProfile(name: "\(region) Women's Recovery Service", organisationType: .health,
                           modalities: [.outpatient, .intensiveOutpatient, .residential, .familySupport, .mentalHealth],
                           sexes: [.female], languages: ["en", "es", "ar", "pt"], region: region, capacity: 20, load: 12, waitlistDays: 5)
        },
        Template(name: "Youth Counselling Service", health: true) { region in
            ServiceProfile(name: "\(region) Youth Counselling Service", organisationType: .health,
                           modalities: [.briefIntervention, .outpatient, .familySupport, .education],
                           minAge: 12, maxAge: 21, languages: ["en", "es", "pt", "cs", "ar"], region: region, capacity: 40, load: 22, waitlistDays: 2)
        },
        Template(name: "Harm Reduction Drop-in", health: false) { region in
            ServiceProfile(name: "\(region) Harm Reduction Drop-in", organisationType: .harmReduction,
                           modalities: [.harmReduction, .hivHepatitis, .briefIntervention],
                           minAge: 16, maxAge: 120, languages: ["en", "es", "pt", "uk", "ar"], region: region, capacity: 200, load: 80)
        },
        Template(name: "Faith Community Recovery Circle", health: false) { region in
            ServiceProfile(name: "\(region) Faith Community Recovery Circle", organisationType: .faithBased,
                           modalities: [.outpatient, .familySupport, .housing], languages: ["en", "es", "pt-BR"], region: region,
                           capacity: 30, load: 9, waitlistDays: 0)
        },
        Template(name: "Housing First Team", health: false) { region in
            ServiceProfile(name: "\(region) Housing First Team", organisationType: .housing, modalities: [.housing, .harmReduction, .mentalHealth],
                           languages: ["en", "es", "cs"], region: region, capacity: 35, load: 35, waitlistDays: 45)
        },
        Template(name: "Work and Learning Centre", health: false) { region in
            ServiceProfile(name: "\(region) Work and Learning Centre", organisationType: .employment, modalities: [.employment, .education],
                           minAge: 16, maxAge: 65, languages: ["en", "es", "pt", "ar", "uk"], region: region, capacity: 50, load: 20)
        },
    ]

    /// Adds the demo services that are missing, by name.
    static func seed(_ app: Application, agencyIDs: [String: UUID]) async throws {
        let db = app.db
        let store = ServiceStore()
        let existing = Set(try await store.list(on: db).map(\.profile.name))
        let coordinates: [String: (Double, Double)] = ["R1": (38.72, -9.14), "R2": (41.15, -8.61), "R3": (37.02, -7.93)]
        var created: [(ServiceProfile, UUID)] = []
        for region in DemoJurisdiction.regions {
            for (i, template) in templates.enumerated() {
                var profile = template.profile(region)
                guard !existing.contains(profile.name),
                      let agencyID = agencyIDs[DemoJurisdiction.agencyName(template.health ? .healthProvider : .socialService, region: region)]
                else { continue }
                if let (lat, lon) = coordinates[region] {
                    profile.latitude = lat + Double(i) * 0.004
                    profile.longitude = lon - Double(i) * 0.003
                }
                created.append((profile, agencyID))
            }
        }
        guard !created.isEmpty else { return }
        let now = Date()
        let toCreate = created
        _ = try await app.diversion.auditTrail.perform { db in
            var events: [AuditEvent] = []
            for (profile, agencyID) in toCreate {
                let service = try await store.create(profile, agencyID: agencyID, at: now, on: db)
                events.append(AuditEvent(
                    occurredAt: now, userID: nil, username: "demo-seed", agencyID: agencyID, action: .create,
                    resourceType: "service", resourceID: service.id.uuidString.lowercased(), personID: nil, purpose: "demo data"
                ))
            }
            return (toCreate.count, events)
        }
    }
}
