/// What a request wants to do.
public enum Action: String, Sendable, CaseIterable {
    case create, read, search, update, delete
    /// Compute a result without storing anything (scoring a screening, evaluating eligibility).
    case evaluate
}

/// The kinds of thing an action is done to.
public enum Resource: String, Sendable, CaseIterable {
    /// The signed-in user's own account and session.
    case ownAccount = "own_account"
    /// A person on record: identity and demographic data (personal data).
    case person
    case agency
    case user
    /// The audit trail (verification only; never its personal content).
    case auditTrail = "audit_trail"
    /// Screening with a validated instrument.
    case screening
    /// The jurisdiction policy and its versions.
    case policy
    /// Eligibility for diversion, evaluated against the policy.
    case eligibility
    /// A recorded contact between an officer and a person (justice data).
    case contact
    /// The service directory (no personal data).
    case service
    /// A service's places, load and waiting time, which its own staff keep current.
    case serviceCapacity = "service_capacity"
    /// A referral of a person to a service and its closed loop.
    case referral
    /// A justice case and the decisions on measures taken in it.
    case justiceCase = "case"
    /// A measure being supervised: its conditions, phase, progress and outcome.
    case measure
    /// Random drug-testing plans and test results (health-originated).
    case drugTest = "drug_test"
    /// Community-service hours, payments, appointments and reports to an officer.
    case compliance
    /// Graduated responses to behaviour: suggested and recorded.
    case response
    /// Electronic monitoring: devices, pings and alerts.
    case monitoring
    /// A breach of conditions filed by supervision and decided by the court.
    case breach
    /// A sealed case and its contacts, as administrators read them with a written reason.
    case sealedRecord = "sealed_record"
    /// A person's consent to disclose health data to justice agencies.
    case consent
    /// A court order authorising disclosure of health data.
    case courtOrder = "court_order"
    /// The accounting of disclosures of a person's health data.
    case disclosure
    /// An administrator's time-limited emergency access to one person's records.
    case breakGlass = "break_glass"
    /// Aggregated, suppressed indicators and exports: never a row about a person.
    case indicator
    /// Replaying the evidence's contacts under a candidate policy; only suppressed counts come out.
    case simulation
    /// A person's own access code to their participant pages.
    case participantCode = "participant_code"
}

/// The answer of the access policy, with the rule that produced it.
public enum AccessDecision: Sendable, Equatable {
    case allow(rule: String)
    case deny(reason: String)

    public var isAllowed: Bool {
        if case .allow = self { return true }
        return false
    }
}

/// The single place that says who may do what; anything not granted here is denied.
public struct AccessPolicy: Sendable {
    /// One grant: these roles may do these actions on this resource.
    struct Grant: Sendable {
        let rule: String
        let roles: Set<Role>
        let actions: Set<Action>
        let resource: Resource
    }

    /// Roles that work with named people in the course of a case.
    static let caseworkRoles: Set<Role> = [.officer, .prosecutor, .judge, .provider, .supervisor]

    let grants: [Grant]

    public init() {
        grants = [
            Grant(rule: "every signed-in user manages their own session",
                  roles: Set(Role.allCases), actions: [.read, .delete], resource: .ownAccount),
            Grant(rule: "casework roles record and look up the people they work with",
                  roles: Self.caseworkRoles, actions: [.create, .read, .search], resource: .person),
            Grant(rule: "police officers correct the language and needs of people they meet, against the revision they read",
                  roles: [.officer], actions: [.update], resource: .person),
            Grant(rule: "police officers and providers screen people with validated instruments",
                  roles: [.officer, .provider], actions: [.evaluate, .create, .read], resource: .screening),
            Grant(rule: "police, prosecutors and judges evaluate eligibility for diversion",
                  roles: [.officer, .prosecutor, .judge], actions: [.evaluate], resource: .eligibility),
            Grant(rule: "police officers record contacts and their decisions",
                  roles: [.officer], actions: [.create, .read, .search, .update], resource: .contact),
            Grant(rule: "prosecutors, judges and supervision officers read contacts for their cases",
                  roles: [.prosecutor, .judge, .supervisor], actions: [.read, .search], resource: .contact),
            Grant(rule: "every signed-in user reads the service directory",
                  roles: Set(Role.allCases), actions: [.read, .search], resource: .service),
            Grant(rule: "administrators manage the service directory",
                  roles: [.admin], actions: [.create, .update], resource: .service),
            Grant(rule: "providers keep their own services' capacity current; administrators may correct it",
                  roles: [.provider, .admin], actions: [.update], resource: .serviceCapacity),
            Grant(rule: "police, prosecutors and judges refer people to services and ask for suggestions",
                  roles: [.officer, .prosecutor, .judge], actions: [.create, .evaluate], resource: .referral),
            Grant(rule: "both sides of a referral follow it and record their events",
                  roles: [.officer, .prosecutor, .judge, .provider], actions: [.read, .search, .update], resource: .referral),
            Grant(rule: "prosecutors and judges open cases and record decisions on measures",
                  roles: [.prosecutor, .judge], actions: [.create, .read, .search, .update], resource: .justiceCase),
            Grant(rule: "supervision officers read the cases whose measures they supervise",
                  roles: [.supervisor], actions: [.read, .search], resource: .justiceCase),
            Grant(rule: "prosecutors, judges, supervision officers and providers follow the measures they order or make work",
                  roles: [.prosecutor, .judge, .supervisor, .provider], actions: [.read, .search], resource: .measure),
            Grant(rule: "judges, prosecutors and supervision officers record a measure's outcome and a treatment-court phase",
                  roles: [.prosecutor, .judge, .supervisor], actions: [.update], resource: .measure),
            Grant(rule: "supervision officers and providers run drug testing and record results",
                  roles: [.supervisor, .provider], actions: [.create, .read, .search], resource: .drugTest),
            Grant(rule: "judges and prosecutors read the test results of the measures they ordered",
                  roles: [.prosecutor, .judge], actions: [.read, .search], resource: .drugTest),
            Grant(rule: "supervision officers and providers record hours, payments, appointments and reports",
                  roles: [.supervisor, .provider], actions: [.create, .read, .search], resource: .compliance),
            Grant(rule: "judges and prosecutors read compliance with the measures they ordered",
                  roles: [.prosecutor, .judge], actions: [.read, .search], resource: .compliance),
            Grant(rule: "supervision officers and judges choose graduated responses",
                  roles: [.supervisor, .judge], actions: [.evaluate, .create, .read, .search], resource: .response),
            Grant(rule: "prosecutors and providers read the responses given",
                  roles: [.prosecutor, .provider], actions: [.read, .search], resource: .response),
            Grant(rule: "supervision officers run electronic monitoring: devices, pings and alerts",
                  roles: [.supervisor], actions: [.create, .read, .search, .update], resource: .monitoring),
            Grant(rule: "judges and prosecutors read monitoring alerts",
                  roles: [.prosecutor, .judge], actions: [.read, .search], resource: .monitoring),
            Grant(rule: "supervision officers file breaches",
                  roles: [.supervisor], actions: [.create, .read, .search], resource: .breach),
            Grant(rule: "judges and prosecutors decide on breaches",
                  roles: [.prosecutor, .judge], actions: [.read, .search, .update], resource: .breach),
            Grant(rule: "providers record and revoke the consents of the people whose records their agency holds",
                  roles: [.provider], actions: [.create, .read, .search, .update], resource: .consent),
            Grant(rule: "judges, prosecutors and supervision officers see which consents are on file",
                  roles: [.prosecutor, .judge, .supervisor], actions: [.read, .search], resource: .consent),
            Grant(rule: "judges record court orders that authorise disclosure",
                  roles: [.judge], actions: [.create, .read, .search], resource: .courtOrder),
            Grant(rule: "prosecutors, supervision officers and providers see the court orders on file",
                  roles: [.prosecutor, .supervisor, .provider], actions: [.read, .search], resource: .courtOrder),
            Grant(rule: "the holders and recipients of health data, and administrators in review, read the accounting of disclosures",
                  roles: [.provider, .judge, .prosecutor, .supervisor, .admin], actions: [.read], resource: .disclosure),
            Grant(rule: "providers are told of disclosures of their records made under a court order or emergency access",
                  roles: [.provider], actions: [.search], resource: .disclosure),
            Grant(rule: "administrators open time-limited emergency access with a written reason, and review it",
                  roles: [.admin], actions: [.create, .read, .search], resource: .breakGlass),
            Grant(rule: "analysts read suppressed indicators and exports, and refresh the figures",
                  roles: [.analyst], actions: [.read, .search, .update], resource: .indicator),
            Grant(rule: "administrators read the suppressed indicators",
                  roles: [.admin], actions: [.read, .search], resource: .indicator),
            Grant(rule: "analysts simulate candidate policies on the evidence's contacts",
                  roles: [.analyst], actions: [.evaluate], resource: .simulation),
            Grant(rule: "every signed-in user reads the active jurisdiction policy",
                  roles: Set(Role.allCases), actions: [.read], resource: .policy),
            Grant(rule: "administrators publish and list jurisdiction policy versions",
                  roles: [.admin], actions: [.create, .search], resource: .policy),
            Grant(rule: "supervision officers and providers issue and rotate the access codes of the people they work with",
                  roles: [.supervisor, .provider], actions: [.create], resource: .participantCode),
            Grant(rule: "administrators manage agencies",
                  roles: [.admin], actions: [.create, .read, .search], resource: .agency),
            Grant(rule: "administrators manage user accounts",
                  roles: [.admin], actions: [.create, .read, .search, .update], resource: .user),
            Grant(rule: "administrators verify the integrity of the audit trail",
                  roles: [.admin], actions: [.read], resource: .auditTrail),
            Grant(rule: "administrators read a sealed case only with a written reason, which is audited",
                  roles: [.admin], actions: [.read], resource: .sealedRecord),
        ]
    }

    /// Decides whether `principal` may do `action` on `resource`. Default deny.
    public func decide(_ principal: Principal, _ action: Action, _ resource: Resource) -> AccessDecision {
        for grant in grants where grant.resource == resource && grant.actions.contains(action) {
            if !grant.roles.isDisjoint(with: principal.roles) {
                return .allow(rule: grant.rule)
            }
        }
        let held = principal.roles.sorted().map(\.rawValue).joined(separator: ", ")
        return .deny(reason: "The role \(held) may not \(action.rawValue) \(resource.displayName).")
    }
}

extension Resource {
    var displayName: String {
        switch self {
        case .ownAccount: "this account"
        case .person: "person records"
        case .agency: "agencies"
        case .user: "user accounts"
        case .auditTrail: "the audit trail"
        case .screening: "screenings"
        case .policy: "the jurisdiction policy"
        case .eligibility: "eligibility"
        case .contact: "contacts"
        case .service: "the service directory"
        case .serviceCapacity: "service capacity"
        case .referral: "referrals"
        case .justiceCase: "justice cases"
        case .measure: "measures"
        case .drugTest: "drug tests"
        case .compliance: "compliance records"
        case .response: "graduated responses"
        case .monitoring: "electronic monitoring"
        case .breach: "breaches"
        case .consent: "consents"
        case .courtOrder: "court orders"
        case .disclosure: "the accounting of disclosures"
        case .breakGlass: "emergency access"
        case .indicator: "indicators"
        case .simulation: "policy simulations"
        case .sealedRecord: "sealed records"
        case .participantCode: "participants' access codes"
        }
    }
}
