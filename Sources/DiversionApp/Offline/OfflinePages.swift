import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The officer's offline capture page and what makes it an installable web app: the manifest, the
/// service worker, and one JSON bundle of the active policy, instrument wording and the page's messages.
struct OfflinePages {
    /// The page's URL, which the service worker keeps and the manifest starts at.
    static let path = "/contacts/offline"

    struct PersonOnRecord: Encodable {
        var id: String
        var name: String
        var birthDate: String
        /// The birth date as the page's language writes it; `birthDate` stays ISO for the script and `<time>`.
        var birthDateShown: String
        var sex: String
        var revision: Int
        var preferredLanguage: String
        var flags: String
    }

    struct InstrumentForm: Encodable {
        var instrument: String
        var label: String
        var sections: [ScreeningPages.Section]
    }

    struct Page: Encodable {
        var person: PersonOnRecord?
        var occurredAt: String
        var sexOptions: [Option]
        var flagOptions: [Option]
        var regions: [Option]
        var offences: [Option]
        var substances: [Option]
        var units: [Option]
        var circumstances: [Option]
        var instruments: [InstrumentForm]
        var decisions: [Option]
        var adultInstrument: String
        var minorInstrument: String
        var ageOfMajority: Int
        var policyVersion: String
    }

    func register(_ web: any RoutesBuilder) {
        web.endpoint(.GET, "contacts", "offline", access: .allowed(.create, .contact), use: page)
        web.endpoint(.GET, "contacts", "offline", "bundle.json", access: .allowed(.create, .contact), use: bundle)
        web.endpoint(.GET, "contacts", "offline", "session.json", access: .allowed(.create, .contact), use: session)
        web.endpoint(.GET, "contacts", "offline", "services.json", access: .allowed(.search, .service), use: directory)
        web.endpoint(.GET, "manifest.webmanifest", access: .anyone, use: manifest)
        web.endpoint(.GET, "sw.js", access: .anyone, use: serviceWorker)
    }

    @Sendable func page(_ req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        let t = req.messages
        let w = req.diversion.wording.prompts(req.language)
        let policy = try await req.activePolicy().policy
        var person: PersonOnRecord?
        if let id = req.query[String.self, at: "personId"].flatMap(UUID.init(uuidString:)) {
            let (found, revision) = try await CaptureController.read(id, req)
            let d = found.details
            person = PersonOnRecord(
                id: id.uuidString.lowercased(), name: d.fullName, birthDate: d.birthDate.description, birthDateShown: req.format.date(d.birthDate), sex: d.sex.rawValue,
                revision: revision, preferredLanguage: d.preferredLanguage ?? "", flags: d.flags.map(\.rawValue).joined(separator: ",")
            )
        }
        let instruments = [policy.instruments.adults, policy.instruments.minors].reduce(into: [ScreeningInstrument]()) { if !$0.contains($1) { $0.append($1) } }
        let page = Page(
            person: person,
            occurredAt: formTime(req.now),
            sexOptions: [Option(value: "", label: "—", selected: true)] + Sex.allCases.map { Option(value: $0.rawValue, label: t["sex_\($0.rawValue)"] ?? $0.rawValue, selected: false) },
            flagOptions: PersonFlag.allCases.map { Option(value: $0.rawValue, label: t["flag_\($0.rawValue)"] ?? $0.rawValue, selected: false) },
            regions: try await req.regions().map { Option(value: $0, label: $0, selected: $0 == principal.region) },
            offences: [Option(value: "", label: "—", selected: true)] + policy.offenceCategories.map { Option(value: $0.code, label: req.policyWording.offence($0.code, in: policy), selected: false) },
            substances: [Option(value: "", label: "—", selected: true)] + policy.substances.map { Option(value: $0.code, label: req.policyWording.substanceWithUnit($0), selected: false) },
            units: QuantityUnit.allCases.map { Option(value: $0.rawValue, label: req.policyWording.unit($0), selected: $0 == .g) },
            circumstances: [
                Option(value: "violence", label: t["circumstance_violence"] ?? "violence", selected: false),
                Option(value: "weapon", label: t["circumstance_weapon"] ?? "weapon", selected: false),
                Option(value: "supplyToMinors", label: t["circumstance_supply_to_minors"] ?? "supply to minors", selected: false),
                Option(value: "nearSchool", label: t["circumstance_near_school"] ?? "near a school", selected: false),
                Option(value: "organisedCrime", label: t["circumstance_organised_crime"] ?? "organised crime", selected: false),
            ],
            instruments: instruments.map {
                InstrumentForm(instrument: $0.rawValue, label: w["instrument.\($0.rawValue)"] ?? t["instrument_\($0.rawValue)"] ?? $0.rawValue,
                               sections: ScreeningPages.sections($0, w, [:]))
            },
            decisions: [Option(value: "", label: t["offline_decision_later"] ?? "—", selected: true)]
                + OfficerDecision.allCases.map { Option(value: $0.rawValue, label: t["decision_\($0.rawValue)"] ?? $0.rawValue, selected: false) },
            adultInstrument: policy.instruments.adults.rawValue, minorInstrument: policy.instruments.minors.rawValue,
            ageOfMajority: policy.ageOfMajority, policyVersion: "\(policy.jurisdiction) \(policy.version)"
        )
        return try await req.page("contact_offline", title: "offline_title", content: page)
    }

    /// What the page needs offline, in one document the service worker keeps: the active policy exactly as
    /// `GET /api/v1/policy` answers it, the instrument prompts and the page's messages in the officer's language.
    @Sendable func bundle(_ req: Request) async throws -> Response {
        let active = try await req.activePolicy()
        let policy = try JSONSerialization.jsonObject(with: JSONEncoder().encode(
            PolicyController.ActivePolicyResponse(id: active.id, activatedAt: active.activatedAt, policy: active.policy)
        ))
        let messages = req.messages.filter { $0.key.hasPrefix("offline_") || $0.key.hasPrefix("decision_") || $0.key.hasPrefix("route_") || $0.key.hasPrefix("modality_") || $0.key.hasPrefix("screening_level_") }
        let document: [String: Any] = [
            "language": req.language, "policy": policy, "wording": req.diversion.wording.prompts(req.language), "messages": messages,
            "reasons": Self.reasons(req, active.policy),
        ]
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(data: try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])))
    }

    /// English patterns the page translates itself: the rules' reasons and the field messages a capture may get back.
    static let reasonKeys: Set<String> = {
        let folder = AppResources.directory.appendingPathComponent("Locales/reasons")
        let reasons = (try? Data(contentsOf: folder.appendingPathComponent("en.json")))
            .flatMap { try? JSONDecoder().decode([String: String].self, from: $0) } ?? [:]
        let fields = (try? Data(contentsOf: folder.appendingPathComponent("offline-fields.json")))
            .flatMap { try? JSONDecoder().decode([String].self, from: $0) } ?? []
        return Set(reasons.keys).union(fields)
    }()

    /// The page's share of the reasons catalogue in its language (empty in English, where the key is the sentence):
    /// sentences, the words and fragments a value may be, and the policy's names; offline.js matches them as the server does.
    static func reasons(_ req: Request, _ policy: JurisdictionPolicy) -> [String: Any] {
        let translator = req.diversion.fieldMessages
        return [
            "sentences": translator.sentences(req.language, among: reasonKeys),
            "words": translator.reasonWords(req.language),
            "names": req.reasonNames(policy),
        ]
    }

    /// The services of the signed-in user's region, as `GET /api/v1/services?region=` lists them: what the
    /// device suggests from while offline (also `GET /api/v1/captures/directory` for other clients). The server
    /// checks the chosen service again when the capture arrives.
    @Sendable func directory(_ req: Request) async throws -> ServiceController.ServiceList {
        let region = try req.requirePrincipal().region
        let services = try await ServiceStore().list(region: region.isEmpty ? nil : region, agencyID: nil, on: req.db)
        return ServiceController.ServiceList(items: services.map(ServiceResponse.init))
    }

    struct SessionState: Content {
        var csrf: String
        var username: String
    }

    /// The current form token, read just before a sync: a page kept offline may carry an expired one.
    @Sendable func session(_ req: Request) async throws -> SessionState {
        guard let session = req.session else { throw APIError.unauthenticated("Sign in again to send the captures kept on this device.") }
        return SessionState(csrf: session.token.csrfToken.map(MaskedToken.mask) ?? "", username: session.principal.username)
    }

    @Sendable func manifest(_ req: Request) async throws -> Response {
        let t = req.messages
        let document: [String: Any] = [
            "name": t["app_name"] ?? "Diversion",
            "short_name": t["app_name"] ?? "Diversion",
            "description": t["offline_intro"] ?? "",
            "lang": req.language,
            "dir": req.language == "ar" ? "rtl" : "ltr",
            "id": Self.path,
            "start_url": Self.path,
            "scope": "/",
            "display": "standalone",
            "theme_color": "#0b5563",
            "background_color": "#f3f5f7",
            "icons": [
                ["src": "/icons/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"],
                ["src": "/icons/icon-maskable.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "maskable"],
            ],
        ]
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "application", subType: "manifest+json", parameters: ["charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(data: try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])))
    }

    /// The service worker, served from the root so its scope covers the pages; browsers check it for updates on each visit.
    @Sendable func serviceWorker(_ req: Request) async throws -> Response {
        let url = AppResources.directory.appendingPathComponent("Offline/sw.js")
        let data = try Data(contentsOf: url)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "javascript", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: "Service-Worker-Allowed", value: "/")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }
}
