import Foundation
import Testing
@testable import DiversionCore

/// An open, general service in R1 offering outpatient care, with the changes a test needs.
private func service(
    _ name: String, modalities: [Modality] = [.outpatient, .briefIntervention], sexes: [Sex] = Sex.allCases, minAge: Int = 18, maxAge: Int = 120,
    languages: [String] = ["en", "es", "pt"], pregnant: Bool = true, children: Bool = true, region: String = "R1",
    capacity: Int = 20, load: Int = 5, waitlistDays: Int = 0, justice: Bool = true
) -> ListedService {
    ListedService(id: UUID(), profile: ServiceProfile(
        name: name, organisationType: .health, modalities: modalities, sexes: sexes, minAge: minAge, maxAge: maxAge, languages: languages,
        servesPregnantWomen: pregnant, servesPeopleWithChildren: children, region: region, capacity: capacity, load: load,
        waitlistDays: waitlistDays, acceptsJusticeReferrals: justice
    ))
}

/// A 40-year-old man who speaks English, in R1.
private let man = MatchSubject(age: 40, sex: .male, language: "en", region: "R1")

private func names(_ suggestions: [ServiceSuggestion], _ services: [ListedService]) -> [String] {
    suggestions.map { s in services.first { $0.id == s.serviceID }?.profile.name ?? "?" }
}

@Suite("Matching people to services")
struct ServiceMatchingTests {
    @Test(arguments: [
        // age
        (service("Youth Service", minAge: 12, maxAge: 21), man, "Youth Service serves ages 12–21; the person is 40."),
        (service("Adult Service"), MatchSubject(age: 17, sex: .male, language: "en"), "Adult Service serves ages 18–120; the person is 17."),
        (service("Older Service", minAge: 50), man, "Older Service serves ages 50–120; the person is 40."),
        // sex
        (service("Women's Service", sexes: [.female]), man, "Women's Service serves female people only."),
        (service("Men's Service", sexes: [.male]), MatchSubject(age: 30, sex: .other), "Men's Service serves male people only."),
        (service("Mixed Service", sexes: [.female, .male]), MatchSubject(age: 30, sex: .unknown), "Mixed Service serves female and male people only."),
        // language
        (service("Czech Service", languages: ["cs"]), man, "Czech Service works in cs, not in en."),
        (service("Spanish Service", languages: ["es", "es-MX"]), MatchSubject(age: 30, sex: .female, language: "pt-BR"), "Spanish Service works in es, es-MX, not in pt-BR."),
        // pregnancy
        (service("No Pregnancy Service", pregnant: false), MatchSubject(age: 28, sex: .female, language: "en", pregnant: true), "No Pregnancy Service does not serve pregnant women."),
        // children
        (service("Adults Only House", children: false), MatchSubject(age: 35, sex: .male, language: "en", caringForChildren: true), "Adults Only House does not serve people with children in their care."),
        // justice referrals
        (service("Voluntary Clinic", justice: false), man, "Voluntary Clinic does not take referrals from the justice system."),
    ])
    func aServiceThatCannotServeThePersonIsNeverSuggested(barred: ListedService, person: MatchSubject, barrier: String) {
        #expect(ServiceMatching.barriers(for: person, at: barred.profile) == [barrier])
        let open = service("Open Clinic", minAge: 0, languages: ["en", "es", "pt", "cs"])
        // The barred service offers the need and is open; only the barrier keeps it out.
        let directory = [barred, open]
        let suggestions = ServiceMatching.suggest(for: person, needs: [.outpatient], among: directory)
        #expect(!suggestions.contains { $0.serviceID == barred.id })
        #expect(suggestions.map(\.serviceID) == [open.id])
    }

    @Test func aServiceWithEveryBarrierNamesEachOfThem() {
        let barred = service("Youth Women's House", sexes: [.female], minAge: 12, maxAge: 21, languages: ["cs"], pregnant: false, children: false, justice: false)
        let person = MatchSubject(age: 40, sex: .male, language: "en", pregnant: true, caringForChildren: true)
        #expect(ServiceMatching.barriers(for: person, at: barred.profile) == [
            "Youth Women's House does not take referrals from the justice system.",
            "Youth Women's House serves ages 12–21; the person is 40.",
            "Youth Women's House serves female people only.",
            "Youth Women's House does not serve pregnant women.",
            "Youth Women's House does not serve people with children in their care.",
            "Youth Women's House works in cs, not in en.",
        ])
    }

    @Test(arguments: [
        (["pt"], "pt-BR", true),
        (["pt-BR"], "pt", true),
        (["pt-BR"], "pt-PT", true),
        (["PT"], "pt", true),
        (["es", "pt-BR"], "PT-br", true),
        (["es"], "pt-BR", false),
        (["en"], "eng", false),
        (["en"], nil, true), // an unknown language rules nothing out
    ] as [([String], String?, Bool)])
    func languagesMatchOnTheirPrimarySubtag(languages: [String], preferred: String?, matches: Bool) {
        let s = service("Clinic", languages: languages)
        let person = MatchSubject(age: 30, sex: .female, language: preferred)
        #expect(ServiceMatching.barriers(for: person, at: s.profile).isEmpty == matches)
        #expect(ServiceMatching.suggest(for: person, needs: [.outpatient], among: [s]).count == (matches ? 1 : 0))
    }

    @Test func theLanguageSpokenIsAFit() throws {
        let s = service("Clinic", languages: ["en", "pt"])
        let suggestion = try #require(ServiceMatching.suggest(for: MatchSubject(age: 30, sex: .female, language: "pt-BR"), needs: [.outpatient], among: [s]).first)
        #expect(suggestion.fits.contains("Staff work in pt."))
    }

    @Test func aServiceOfferingNoneOfTheNeedsIsLeftOut() {
        let housing = service("Housing Team", modalities: [.housing, .employment])
        let clinic = service("Clinic", modalities: [.opioidAgonistTreatment])
        #expect(ServiceMatching.barriers(for: man, at: housing.profile).isEmpty)
        let suggestions = ServiceMatching.suggest(for: man, needs: [.opioidAgonistTreatment, .harmReduction], among: [housing, clinic])
        #expect(suggestions.map(\.serviceID) == [clinic.id])
        #expect(ServiceMatching.suggest(for: man, needs: [.residential], among: [housing, clinic]).isEmpty)
        #expect(ServiceMatching.suggest(for: man, needs: [], among: [housing, clinic]).isEmpty)
    }

    @Test func fullServicesRankBelowOpenOnesAndCarryAWarning() throws {
        // The full one covers the first need, has no waiting list and the most places; it still ranks last.
        let full = service("A Full Programme", modalities: [.intensiveOutpatient, .outpatient], capacity: 25, load: 25, waitlistDays: 21)
        let overfull = service("B Overfull Clinic", modalities: [.intensiveOutpatient], capacity: 10, load: 12)
        let open = service("Z Open Clinic", modalities: [.outpatient], capacity: 5, load: 4, waitlistDays: 30)
        let all = [full, overfull, open]
        let suggestions = ServiceMatching.suggest(for: man, needs: [.intensiveOutpatient, .outpatient], among: all)
        #expect(names(suggestions, all) == ["Z Open Clinic", "A Full Programme", "B Overfull Clinic"])
        let first = try #require(suggestions.first)
        #expect(first.warnings.isEmpty)
        #expect(first.fits.contains("1 of 5 places open, waiting time about 30 days."))
        #expect(suggestions[1].warnings == ["Full: 25 of 25 places taken; waiting list about 21 days."])
        #expect(suggestions[2].warnings == ["Full: 12 of 10 places taken."])
        #expect(!suggestions[1].fits.contains { $0.contains("places open") })
    }

    @Test func servicesInAnotherRegionRankBelowThoseInThePersonsRegionAndCarryAWarning() throws {
        let far = service("A Far Clinic", modalities: [.outpatient, .briefIntervention], region: "R2", capacity: 100, load: 0)
        let near = service("Z Near Clinic", modalities: [.briefIntervention], region: "R1", capacity: 5, load: 4, waitlistDays: 10)
        let all = [far, near]
        let suggestions = ServiceMatching.suggest(for: man, needs: [.outpatient, .briefIntervention], among: all)
        #expect(names(suggestions, all) == ["Z Near Clinic", "A Far Clinic"])
        #expect(suggestions[0].warnings.isEmpty)
        #expect(suggestions[0].fits.contains("In region R1."))
        #expect(suggestions[1].warnings == ["In another region (R2)."])
        #expect(!suggestions[1].fits.contains { $0.hasPrefix("In region") })
    }

    @Test func withoutARegionNoServiceIsWarnedAboutItsRegion() {
        let person = MatchSubject(age: 40, sex: .male, language: "en", region: nil)
        let all = [service("A", region: "R1"), service("B", region: "R2"), service("C", region: "R3")]
        let suggestions = ServiceMatching.suggest(for: person, needs: [.outpatient], among: all)
        #expect(suggestions.count == 3)
        #expect(suggestions.allSatisfy { $0.warnings.isEmpty })
        #expect(suggestions.allSatisfy { !$0.fits.contains { $0.hasPrefix("In region") } })
    }

    @Test func aServiceCoveringTheFirstNeedRanksAboveOneCoveringOnlyLaterNeeds() {
        let brief = service("A Brief Advice Desk", modalities: [.briefIntervention], capacity: 200, load: 0)
        let oat = service("Z Opioid Unit", modalities: [.opioidAgonistTreatment], capacity: 10, load: 9, waitlistDays: 5)
        let all = [brief, oat]
        #expect(names(ServiceMatching.suggest(for: man, needs: [.opioidAgonistTreatment, .briefIntervention], among: all), all) == ["Z Opioid Unit", "A Brief Advice Desk"])
        #expect(names(ServiceMatching.suggest(for: man, needs: [.briefIntervention, .opioidAgonistTreatment], among: all), all) == ["A Brief Advice Desk", "Z Opioid Unit"])
    }

    @Test func amongEqualFitsTheShorterWaitThenMorePlacesThenTheNameDecide() {
        let all = [
            service("D Clinic", capacity: 20, load: 5, waitlistDays: 7),
            service("C Clinic", capacity: 20, load: 5, waitlistDays: 0),
            service("B Clinic", capacity: 20, load: 15, waitlistDays: 0),
            service("A Clinic", capacity: 20, load: 15, waitlistDays: 0),
        ]
        #expect(names(ServiceMatching.suggest(for: man, needs: [.outpatient], among: all), all) == ["C Clinic", "A Clinic", "B Clinic", "D Clinic"])
    }

    /// A varied directory: every kind of barrier, fullness, region and offer.
    static let directory: [ListedService] = [
        service("Outpatient Clinic", modalities: [.briefIntervention, .outpatient, .mentalHealth], languages: ["en", "es", "pt"], capacity: 60, load: 41, waitlistDays: 3),
        service("Intensive Day Programme", modalities: [.intensiveOutpatient, .outpatient], languages: ["en", "es"], capacity: 25, load: 25, waitlistDays: 21),
        service("Residential House", modalities: [.residential, .withdrawalManagement], languages: ["en", "pt", "cs"], children: false, capacity: 16, load: 15, waitlistDays: 14),
        service("Opioid Unit", modalities: [.opioidAgonistTreatment, .withdrawalManagement, .hivHepatitis, .outpatient], languages: ["en", "es", "uk", "ru"], capacity: 120, load: 97, waitlistDays: 2),
        service("Women's Recovery", modalities: [.outpatient, .intensiveOutpatient, .residential, .familySupport], sexes: [.female], languages: ["en", "es", "ar", "pt"]),
        service("Youth Counselling", modalities: [.briefIntervention, .outpatient, .familySupport], minAge: 12, maxAge: 21, languages: ["en", "es", "pt", "cs", "ar"]),
        service("Harm Reduction Drop-in", modalities: [.harmReduction, .hivHepatitis, .briefIntervention], minAge: 16, languages: ["en", "es", "pt", "uk", "ar"], capacity: 200, load: 80),
        service("Faith Circle", modalities: [.outpatient, .familySupport, .housing], languages: ["en", "es", "pt-BR"], region: "R2", capacity: 30, load: 9),
        service("Housing First", modalities: [.housing, .harmReduction, .mentalHealth], languages: ["en", "es", "cs"], region: "R3", capacity: 35, load: 35, waitlistDays: 45),
        service("Voluntary Clinic", modalities: [.outpatient, .briefIntervention], justice: false),
        service("Far Outpatient", modalities: [.outpatient], region: "R3", capacity: 10, load: 10),
    ]

    static let people: [MatchSubject] = [
        man,
        MatchSubject(age: 17, sex: .female, language: "pt-BR", region: "R2"),
        MatchSubject(age: 29, sex: .female, language: "es", pregnant: true, caringForChildren: true, region: "R1"),
        MatchSubject(age: 55, sex: .other, language: "uk", region: "R3"),
        MatchSubject(age: 19, sex: .male, language: nil, region: nil),
        MatchSubject(age: 70, sex: .unknown, language: "ar", caringForChildren: true, region: "R1"),
    ]

    static let needSets: [[Modality]] = [
        [.briefIntervention, .outpatient],
        [.opioidAgonistTreatment, .intensiveOutpatient, .residential, .withdrawalManagement, .outpatient, .harmReduction, .hivHepatitis],
        [.housing, .familySupport],
        Modality.allCases,
    ]

    @Test(arguments: people, needSets)
    func everySuggestionCanServeThePersonFitsAndIsRankedOneToN(person: MatchSubject, needs: [Modality]) throws {
        let suggestions = ServiceMatching.suggest(for: person, needs: needs, among: Self.directory)
        #expect(suggestions.map(\.rank) == Array(stride(from: 1, through: suggestions.count, by: 1)))
        #expect(Set(suggestions.map(\.serviceID)).count == suggestions.count)
        var seenFull = false, seenFar = false
        for s in suggestions {
            let profile = try #require(Self.directory.first { $0.id == s.serviceID }?.profile)
            #expect(ServiceMatching.barriers(for: person, at: profile).isEmpty, "\(profile.name) was suggested despite a barrier")
            #expect(!s.fits.isEmpty)
            #expect(s.fits.first?.hasPrefix("Offers ") == true)
            #expect(needs.contains { profile.modalities.contains($0) })
            #expect(profile.isFull == s.warnings.contains { $0.hasPrefix("Full:") })
            let far = person.region.map { $0 != profile.region } ?? false
            #expect(far == s.warnings.contains("In another region (\(profile.region))."))
            // Open before full; within each, the person's region before others.
            if profile.isFull { seenFull = true } else { #expect(!seenFull, "\(profile.name) is open but ranked below a full service") }
            if !profile.isFull && far { seenFar = true } else if !profile.isFull { #expect(!seenFar, "\(profile.name) is near but ranked below a far one") }
        }
        // Nothing that could serve and fits was left out (the limit is above the directory's size).
        let possible = Self.directory.filter { ServiceMatching.barriers(for: person, at: $0.profile).isEmpty && needs.contains(where: $0.profile.modalities.contains) }
        #expect(suggestions.count == possible.count)
    }

    @Test func theLimitCutsTheListButKeepsRanksFromOne() {
        let all = (1...8).map { service("Clinic \($0)", waitlistDays: $0) }
        let suggestions = ServiceMatching.suggest(for: man, needs: [.outpatient], among: all, limit: 3)
        #expect(suggestions.map(\.rank) == [1, 2, 3])
        #expect(names(suggestions, all) == ["Clinic 1", "Clinic 2", "Clinic 3"])
        #expect(ServiceMatching.suggest(for: man, needs: [.outpatient], among: all).count == 8)
    }

    @Test func theFitsExplainWhatIsOfferedAndWhomItServes() throws {
        let s = service("Family Clinic", modalities: [.outpatient, .familySupport, .briefIntervention], sexes: [.female], languages: ["es"], capacity: 10, load: 3, waitlistDays: 4)
        let person = MatchSubject(age: 31, sex: .female, language: "es-MX", pregnant: true, caringForChildren: true, region: "R1")
        let suggestion = try #require(ServiceMatching.suggest(for: person, needs: [.familySupport, .outpatient, .residential], among: [s]).first)
        #expect(suggestion.fits == [
            "Offers family support, outpatient.",
            "Staff work in es.",
            "Serves ages 18–120, female only.",
            "Serves pregnant women.",
            "Serves people with children.",
            "7 of 10 places open, waiting time about 4 days.",
            "In region R1.",
        ])
        #expect(suggestion.warnings.isEmpty)
    }
}

@Suite("What a screening says the person needs")
struct TreatmentNeedsTests {
    static let high: [Modality] = [.intensiveOutpatient, .residential, .withdrawalManagement, .outpatient]
    static let moderate: [Modality] = [.outpatient, .briefIntervention, .intensiveOutpatient]
    static let low: [Modality] = [.briefIntervention, .outpatient]
    static let minimal: [Modality] = [.briefIntervention]

    @Test(arguments: [
        (ScreeningInstrument.assist, "high", high), (.assist, "moderate", moderate), (.assist, "lower", minimal),
        (.dast10, "severe", high), (.dast10, "substantial", high), (.dast10, "moderate", moderate), (.dast10, "low", low), (.dast10, "none", minimal),
        (.audit, "IV", high), (.audit, "III", moderate), (.audit, "II", low), (.audit, "I", minimal),
        (.auditc, "positive", low), (.auditc, "negative", minimal),
        (.crafft, "positive", moderate), (.crafft, "negative", minimal),
    ])
    func eachInstrumentLevelCallsForItsModalities(instrument: ScreeningInstrument, level: String, needs: [Modality]) {
        let result = ScreeningResult(instrument: instrument, score: 0, level: level, recommendation: "Advice.", substances: nil)
        #expect(TreatmentNeeds.from(result) == needs)
    }

    @Test(arguments: [
        ("high", [Modality.opioidAgonistTreatment] + high),
        ("moderate", [Modality.opioidAgonistTreatment] + high),
        ("lower", high),
    ])
    func opioidUseAtModerateOrHighRiskPutsAgonistTreatmentFirst(opioidLevel: String, expected: [Modality]) {
        let result = ScreeningResult(
            instrument: .assist, score: 30, level: "high", recommendation: "Brief intervention and referral to specialist assessment and treatment.",
            substances: [.init(substance: "cannabis", score: 30, level: "high"), .init(substance: "opioids", score: 10, level: opioidLevel)]
        )
        #expect(TreatmentNeeds.from(result) == expected)
    }

    @Test func aModerateOpioidResultAloneCallsForAgonistTreatmentThenModerateCare() {
        let result = ScreeningResult(instrument: .assist, score: 10, level: "moderate", recommendation: "Brief intervention.",
                                     substances: [.init(substance: "opioids", score: 10, level: "moderate")])
        #expect(TreatmentNeeds.from(result) == [.opioidAgonistTreatment, .outpatient, .briefIntervention, .intensiveOutpatient])
    }

    @Test func injectingAddsHarmReductionAndHIVAndHepatitisCare() throws {
        // A real ASSIST: opioids daily, with injecting in the past three months.
        let opioids = AnswerValue.object(["q1": .bool(true), "q2": .number(4), "q3": .number(4), "q4": .number(4), "q5": .number(4),
                                          "q6": .number(1), "q7": .number(1), "q8": .number(1)])
        let result = try Screening.score(.assist, answers: .object(["opioids": opioids]), sex: nil)
        #expect(result.level == "high")
        #expect(result.recommendation.contains("Injecting"))
        #expect(TreatmentNeeds.from(result) == [
            .opioidAgonistTreatment, .intensiveOutpatient, .residential, .withdrawalManagement, .outpatient, .harmReduction, .hivHepatitis,
        ])
    }

    @Test func withoutInjectingThereIsNoHarmReductionNeed() throws {
        let opioids = AnswerValue.object(["q1": .bool(true), "q2": .number(4), "q3": .number(4), "q4": .number(4), "q5": .number(4),
                                          "q6": .number(1), "q7": .number(1), "q8": .number(0)])
        let result = try Screening.score(.assist, answers: .object(["opioids": opioids]), sex: nil)
        let needs = TreatmentNeeds.from(result)
        #expect(needs.first == .opioidAgonistTreatment)
        #expect(!needs.contains(.harmReduction))
    }
}

/// The fields a service input is refused on, or none when it is accepted.
private func serviceProblems(_ change: (inout ServiceInput) -> Void) -> [String] {
    var input = validService()
    change(&input)
    do {
        _ = try ServiceProfile.validate(input)
        return []
    } catch {
        return error.errors.map(\.field)
    }
}

private func validService() -> ServiceInput {
    var input = ServiceInput()
    input.name = "R1 Outpatient Clinic"
    input.organisationType = "health"
    input.modalities = ["outpatient", "brief_intervention"]
    input.languages = ["en", "pt-BR"]
    input.region = "R1"
    input.capacity = 40
    return input
}

/// One wrong field of a service, for the table below.
struct ServiceChange: Sendable, CustomTestStringConvertible {
    let label: String
    let field: String
    let apply: @Sendable (inout ServiceInput) -> Void

    init(_ label: String, _ field: String, _ apply: @escaping @Sendable (inout ServiceInput) -> Void) {
        self.label = label
        self.field = field
        self.apply = apply
    }

    var testDescription: String { label }
}

@Suite("Checking services and their capacity")
struct ServiceProfileValidationTests {
    @Test func aValidServiceGetsTheDefaults() throws {
        var input = validService()
        input.modalities = ["outpatient", "outpatient", "brief_intervention"]
        input.languages = [" en ", "en", "pt-BR"]
        input.name = "  R1 Outpatient Clinic "
        let profile = try ServiceProfile.validate(input)
        #expect(profile.name == "R1 Outpatient Clinic")
        #expect(profile.organisationType == .health)
        #expect(profile.modalities == [.outpatient, .briefIntervention])
        #expect(profile.languages == ["en", "pt-BR"])
        #expect(profile.sexes == Sex.allCases)
        #expect(profile.minAge == 18 && profile.maxAge == 120)
        #expect(profile.servesPregnantWomen && profile.servesPeopleWithChildren && profile.acceptsJusticeReferrals)
        #expect(profile.capacity == 40 && profile.load == 0 && profile.waitlistDays == 0)
        #expect(!profile.isFull)
        #expect(profile.openPlaces == 40)
    }

    @Test(arguments: [
        ServiceChange("no name", "name") { $0.name = nil },
        ServiceChange("blank name", "name") { $0.name = "   " },
        ServiceChange("long name", "name") { $0.name = String(repeating: "n", count: 201) },
        ServiceChange("name on two lines", "name") { $0.name = "Clinic\nTwo" },
        ServiceChange("unknown organisation type", "organisationType") { $0.organisationType = "hospital" },
        ServiceChange("no organisation type", "organisationType") { $0.organisationType = nil },
        ServiceChange("no modalities", "modalities") { $0.modalities = nil },
        ServiceChange("empty modalities", "modalities") { $0.modalities = [] },
        ServiceChange("unknown modality", "modalities[1]") { $0.modalities = ["outpatient", "yoga"] },
        ServiceChange("empty sexes", "sexes") { $0.sexes = [] },
        ServiceChange("unknown sex", "sexes[0]") { $0.sexes = ["woman"] },
        ServiceChange("negative minimum age", "minAge") { $0.minAge = -1 },
        ServiceChange("maximum age above 120", "maxAge") { $0.maxAge = 130 },
        ServiceChange("maximum below minimum", "maxAge") { $0.minAge = 30; $0.maxAge = 20 },
        ServiceChange("no languages", "languages") { $0.languages = nil },
        ServiceChange("empty languages", "languages") { $0.languages = [] },
        ServiceChange("malformed language", "languages[1]") { $0.languages = ["en", "??"] },
        ServiceChange("no region", "region") { $0.region = nil },
        ServiceChange("blank region", "region") { $0.region = "" },
        ServiceChange("latitude above 90", "latitude") { $0.latitude = 91; $0.longitude = 0 },
        ServiceChange("longitude below -180", "longitude") { $0.latitude = 0; $0.longitude = -181 },
        ServiceChange("latitude without longitude", "longitude") { $0.latitude = 38.7 },
        ServiceChange("no capacity", "capacity") { $0.capacity = nil },
        ServiceChange("negative capacity", "capacity") { $0.capacity = -1 },
        ServiceChange("capacity too large", "capacity") { $0.capacity = 100_001 },
        ServiceChange("negative load", "load") { $0.load = -1 },
        ServiceChange("waiting list over two years", "waitlistDays") { $0.waitlistDays = 731 },
        ServiceChange("negative waiting list", "waitlistDays") { $0.waitlistDays = -1 },
        ServiceChange("email without @", "email") { $0.email = "intake.example.org" },
        ServiceChange("long phone", "phone") { $0.phone = String(repeating: "1", count: 201) },
        ServiceChange("address with a control character", "address") { $0.address = "Main St\u{7} 1" },
    ])
    func badServicesNameTheField(change: ServiceChange) {
        #expect(serviceProblems(change.apply) == [change.field])
    }

    @Test func everyProblemIsNamedAtOnce() {
        #expect(serviceProblems { $0 = ServiceInput() } == ["name", "organisationType", "modalities", "languages", "region", "capacity"])
    }

    @Test(arguments: [
        (0, 0, 0, nil), (100_000, 100_000, 730, nil), (10, 12, 0, nil), // more people than places is possible: the service is full
        (-1, nil, nil, "capacity"), (100_001, nil, nil, "capacity"), (nil, -1, nil, "load"), (nil, 100_001, nil, "load"),
        (nil, nil, -1, "waitlistDays"), (nil, nil, 731, "waitlistDays"),
    ] as [(Int?, Int?, Int?, String?)])
    func capacityUpdatesNameTheWrongFigure(capacity: Int?, load: Int?, waitlistDays: Int?, field: String?) {
        let current = ServiceProfile(name: "Clinic", organisationType: .health, modalities: [.outpatient], languages: ["en"], region: "R1", capacity: 20, load: 5, waitlistDays: 3)
        do {
            let update = try CapacityUpdate.validate(capacity: capacity, load: load, waitlistDays: waitlistDays, current: current)
            #expect(field == nil)
            #expect(update == CapacityUpdate(capacity: capacity ?? 20, load: load ?? 5, waitlistDays: waitlistDays ?? 3))
        } catch {
            #expect(error.errors.map(\.field) == (field.map { [$0] } ?? []))
        }
    }

    @Test func aCapacityUpdateKeepsWhatIsNotGiven() throws {
        let current = ServiceProfile(name: "Clinic", organisationType: .health, modalities: [.outpatient], languages: ["en"], region: "R1", capacity: 20, load: 5, waitlistDays: 3)
        #expect(try CapacityUpdate.validate(capacity: nil, load: 20, waitlistDays: nil, current: current) == CapacityUpdate(capacity: 20, load: 20, waitlistDays: 3))
        #expect(try CapacityUpdate.validate(capacity: nil, load: nil, waitlistDays: nil, current: current) == CapacityUpdate(capacity: 20, load: 5, waitlistDays: 3))
    }
}
