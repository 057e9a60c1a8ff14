extension ResponseMatrix {
    /// A four-phase treatment-court default: attendance is held to from the start, use is treated first and sanctioned once stable.
    public static let standard = ResponseMatrix(
        phases: [
            Phase(number: 1, name: "Stabilisation", promotion: .init(minDaysInPhase: 30, minConsecutiveNegativeTests: 4, minAttendanceRate: 0.8)),
            Phase(number: 2, name: "Intensive treatment", promotion: .init(minDaysInPhase: 60, minConsecutiveNegativeTests: 8, minAttendanceRate: 0.85)),
            Phase(number: 3, name: "Active recovery", promotion: .init(minDaysInPhase: 90, minConsecutiveNegativeTests: 12, minAttendanceRate: 0.9)),
            Phase(number: 4, name: "Continuing care", promotion: .init(minDaysInPhase: 90, minConsecutiveNegativeTests: 16, minAttendanceRate: 0.9)),
        ],
        rules: standardRules,
        lookBackDays: 30,
        earlyTreatment: EarlyTreatment(days: 90, steps: [["reassessment"], ["increase_treatment_intensity"], ["mat_review", "change_modality"]])
    )

    private static let standardRules: [Rule] = [
        // Attendance and honesty are within reach from day one, so they are sanctioned, lightly at first.
        Rule(behaviour: .missedTest, steps: [["verbal_warning"], ["increased_testing"], ["community_service", "reassessment"]]),
        Rule(behaviour: .missedTest, phase: 3, steps: [["increased_testing"], ["community_service"], ["curfew_tightened", "reassessment"]]),
        Rule(behaviour: .missedTest, phase: 4, steps: [["increased_testing"], ["community_service"], ["curfew_tightened", "reassessment"]]),
        // Phase 1: use is a symptom still being treated, so only the treatment changes.
        Rule(behaviour: .positiveTest, phase: 1, steps: [["reassessment"], ["increase_treatment_intensity"], ["mat_review", "change_modality"]]),
        Rule(behaviour: .positiveTest, phase: 2, steps: [
            ["reassessment", "verbal_warning"], ["increase_treatment_intensity", "increased_testing"], ["change_modality", "community_service"],
        ]),
        // Later phases expect abstinence that has been achieved, so a sanction comes first and the treatment is still reviewed.
        Rule(behaviour: .positiveTest, steps: [
            ["increased_testing", "reassessment"], ["community_service", "increase_treatment_intensity"], ["curfew_tightened", "change_modality"],
        ]),
        Rule(behaviour: .diluteOrAdulteratedTest, phase: 1, steps: [
            ["reassessment", "verbal_warning"], ["increase_treatment_intensity", "increased_testing"], ["mat_review", "community_service"],
        ]),
        Rule(behaviour: .diluteOrAdulteratedTest, phase: 2, steps: [
            ["reassessment", "verbal_warning"], ["increase_treatment_intensity", "increased_testing"], ["mat_review", "community_service"],
        ]),
        Rule(behaviour: .diluteOrAdulteratedTest, steps: [["increased_testing"], ["community_service", "reassessment"], ["curfew_tightened", "increase_treatment_intensity"]]),
        Rule(behaviour: .missedAppointment, steps: [["verbal_warning"], ["more_court_reviews"], ["community_service", "reassessment"]]),
        Rule(behaviour: .missedAppointment, phase: 3, steps: [["reflection_task"], ["community_service"], ["curfew_tightened", "reassessment"]]),
        Rule(behaviour: .missedAppointment, phase: 4, steps: [["reflection_task"], ["community_service"], ["curfew_tightened", "reassessment"]]),
        Rule(behaviour: .lateAppointment, steps: [["verbal_warning"], ["reflection_task"], ["more_court_reviews"]]),
        // A new arrest stays relevant for months; custody is listed only after monitoring, as the last resort.
        Rule(behaviour: .newArrest, lookBackDays: 180, steps: [
            ["more_court_reviews", "reassessment"], ["curfew_tightened", "reassessment"], ["electronic_monitoring", "short_jail_stay"],
        ]),
        Rule(behaviour: .curfewViolation, steps: [["verbal_warning"], ["curfew_tightened"], ["electronic_monitoring"]]),
        // Zones often protect a victim, so repeated breaches escalate furthest.
        Rule(behaviour: .zoneViolation, steps: [["verbal_warning"], ["curfew_tightened"], ["electronic_monitoring", "short_jail_stay"]]),
        // Missed payments often mean no money: court review before hours.
        Rule(behaviour: .paymentMissed, steps: [["verbal_warning"], ["more_court_reviews"], ["community_service"]]),
        // Progress is rewarded each time, and repeated progress earns more.
        Rule(behaviour: .negativeTestRun, lookBackDays: 90, steps: [["verbal_praise"], ["gift_voucher"], ["reduced_testing", "certificate"]]),
        Rule(behaviour: .negativeTestRun, phase: 3, lookBackDays: 90, steps: [["verbal_praise", "reduced_testing"], ["gift_voucher"], ["reduced_testing", "curfew_relaxed"]]),
        Rule(behaviour: .negativeTestRun, phase: 4, lookBackDays: 90, steps: [["verbal_praise", "reduced_testing"], ["gift_voucher"], ["reduced_testing", "curfew_relaxed"]]),
        Rule(behaviour: .completedHours, lookBackDays: 90, steps: [["verbal_praise"], ["certificate"], ["gift_voucher"]]),
        Rule(behaviour: .attendedAllSessions, steps: [["verbal_praise"], ["recognition_in_court", "certificate"], ["fewer_court_appearances", "curfew_relaxed"]]),
        Rule(behaviour: .paymentMade, steps: [["verbal_praise"], ["verbal_praise"], ["recognition_in_court"]]),
        Rule(behaviour: .phaseCriteriaMet, steps: [["phase_promotion", "certificate"]]),
        Rule(behaviour: .phaseCriteriaMet, phase: 4, steps: [["graduation", "certificate"]]),
    ]
}
