import DiversionCore
import Foundation
import Vapor

/// The decision form as posted: one measure with the conditions ticked, the proportionality record and consent.
/// Turned into the same request the API takes, so both are checked by the same rules.
struct DecisionForm: Content {
    var stage: String?
    var type: String?
    var start: String?
    var plannedEnd: String?
    var gravity: String?
    var circumstances: String?
    var reasons: String?
    var lastResortReason: String?
    var guardianContact: String?
    var consentGiven: String?
    var consentMethod: String?

    var withTesting: String?
    var testMinimumPerWeek: String?
    var testWindowStart: String?
    var testWindowHours: String?
    var testSpecimen: String?

    var withTreatment: String?
    var treatmentSessionsPerWeek: String?
    var treatmentServiceId: String?

    var withHours: String?
    var hours: String?
    var hoursDeadline: String?

    var withPayment: String?
    var paymentAmount: String?
    var paymentCurrency: String?
    var paymentInstalments: String?

    var withCurfew: String?
    var curfewPlace: String?
    var curfewLatitude: String?
    var curfewLongitude: String?
    var curfewRadius: String?
    var curfewStart: String?
    var curfewEnd: String?
    var curfewDays: [String]?
    var curfewTimeZone: String?

    var withZone: String?
    var zoneKind: String?
    var zoneName: String?
    var zoneGeometry: String?

    var withReporting: String?
    var reportsPerMonth: String?

    var withEducation: String?
    var educationProgramme: String?

    var withNoContact: String?
    var noContactWith: String?

    /// A form number as a JSON number; text that is not a number is passed on as text so the core names the field.
    private static func number(_ text: String?) -> AnswerValue? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let n = Double(text.replacingOccurrences(of: ",", with: ".")) { return .number(n) }
        return .string(text)
    }

    private static func text(_ text: String?) -> AnswerValue? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return .string(text)
    }

    private static func parameters(_ pairs: [(String, AnswerValue?)]) -> [String: AnswerValue] {
        var result: [String: AnswerValue] = [:]
        for (key, value) in pairs { if let value { result[key] = value } }
        return result
    }

    /// The API request this form stands for.
    var request: CaseController.DecisionRequest {
        var conditions: [CaseController.ConditionInput] = []
        func add(_ type: ConditionType, _ pairs: [(String, AnswerValue?)]) {
            conditions.append(.init(type: type.rawValue, parameters: Self.parameters(pairs)))
        }
        if withTesting != nil {
            add(.drugTesting, [("minimumPerWeek", Self.number(testMinimumPerWeek)), ("windowStart", Self.text(testWindowStart)),
                               ("windowHours", Self.number(testWindowHours)), ("specimen", Self.text(testSpecimen))])
        }
        if withTreatment != nil {
            add(.attendTreatment, [("sessionsPerWeek", Self.number(treatmentSessionsPerWeek)), ("serviceId", Self.text(treatmentServiceId))])
        }
        if withHours != nil { add(.communityService, [("hours", Self.number(hours)), ("deadline", Self.text(hoursDeadline))]) }
        if withPayment != nil {
            add(.payment, [("amount", Self.number(paymentAmount)), ("currency", Self.text(paymentCurrency?.uppercased())),
                           ("instalments", Self.number(paymentInstalments))])
        }
        if withCurfew != nil {
            add(.curfew, [("place", Self.text(curfewPlace)), ("latitude", Self.number(curfewLatitude)), ("longitude", Self.number(curfewLongitude)),
                          ("radiusMeters", Self.number(curfewRadius)), ("start", Self.text(curfewStart)), ("end", Self.text(curfewEnd)),
                          ("days", .array((curfewDays ?? []).map(AnswerValue.string))), ("timeZone", Self.text(curfewTimeZone))])
        }
        if withZone != nil {
            let geometry: AnswerValue? = zoneGeometry.flatMap { text in
                text.data(using: .utf8).flatMap { try? JSONDecoder().decode(AnswerValue.self, from: $0) }
            } ?? Self.text(zoneGeometry)
            add(zoneKind == "inclusion" ? .inclusionZone : .exclusionZone, [("name", Self.text(zoneName)), ("geometry", geometry)])
        }
        if withReporting != nil { add(.reportToOfficer, [("timesPerMonth", Self.number(reportsPerMonth))]) }
        if withEducation != nil { add(.educationProgramme, [("programme", Self.text(educationProgramme))]) }
        if withNoContact != nil { add(.noContact, [("with", Self.text(noContactWith))]) }
        let measure = CaseController.MeasureInput(type: type, conditions: conditions, start: start,
                                                  plannedEnd: (plannedEnd ?? "").isEmpty ? nil : plannedEnd)
        let consent = consentGiven == nil ? nil : CaseController.ConsentInput(given: true, method: consentMethod)
        return CaseController.DecisionRequest(
            stage: stage, measures: [measure],
            proportionality: .init(gravity: gravity, circumstances: circumstances, reasons: reasons,
                                   lastResortReason: (lastResortReason ?? "").isEmpty ? nil : lastResortReason,
                                   guardianContact: (guardianContact ?? "").isEmpty ? nil : guardianContact),
            consent: consent
        )
    }
}
