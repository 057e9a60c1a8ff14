import Foundation
import Testing
@testable import DiversionCore

/// The fields a decision is refused on, or none when it is accepted.
func decisionProblems(_ decision: String?, reason: String?, eligible: Bool) -> [String] {
    do {
        _ = try OfficerDecision.check(decision, reason: reason, eligible: eligible)
        return []
    } catch {
        return error.errors.map(\.field)
    }
}

@Suite("The officer's decision")
struct OfficerDecisionTests {
    @Test(arguments: [true, false])
    func theRecommendationDivertsEligibleCasesAndPassesTheRestToTheProsecutor(eligible: Bool) throws {
        let recommended = OfficerDecision.recommended(eligible: eligible)
        #expect(recommended == (eligible ? .divert : .referToProsecutor))
        let (decision, reason) = try OfficerDecision.check(recommended.rawValue, reason: nil, eligible: eligible)
        #expect(decision == recommended)
        #expect(reason == nil)
    }

    @Test(arguments: [
        // Following the recommendation needs no reason.
        ("divert", nil, true, OfficerDecision.divert),
        ("refer_to_prosecutor", nil, false, .referToProsecutor),
        // Departing from it does, and is then accepted.
        ("refer_to_prosecutor", "Second contact this month; the prosecutor should look at it.", true, .referToProsecutor),
        ("no_further_action", "Tiny amount, first contact, already in treatment.", true, .noFurtherAction),
        ("no_further_action", "Evidence was lost.", false, .noFurtherAction),
        ("charge", "Refused every alternative offered.", false, .charge),
        ("charge", "Refused every alternative offered.", true, .charge),
    ] as [(String, String?, Bool, OfficerDecision)])
    func acceptedDecisions(text: String, reason: String?, eligible: Bool, expected: OfficerDecision) throws {
        let (decision, kept) = try OfficerDecision.check(text, reason: reason, eligible: eligible)
        #expect(decision == expected)
        #expect(kept == reason)
    }

    @Test(arguments: [
        // A departure without a reason, or with only blanks, names the reason.
        ("refer_to_prosecutor", nil, true, ["reason"]),
        ("no_further_action", nil, true, ["reason"]),
        ("no_further_action", "   \n\t ", false, ["reason"]),
        ("charge", nil, false, ["reason"]),
        ("charge", "", true, ["reason"]),
        // The police may not divert a case the policy does not let them divert, whatever the reason.
        ("divert", nil, false, ["decision"]),
        ("divert", "The person asked for treatment.", false, ["decision"]),
        // Unknown or missing decisions.
        ("release", nil, true, ["decision"]),
        ("Divert", nil, true, ["decision"]),
        ("", nil, true, ["decision"]),
        (nil, nil, true, ["decision"]),
        (nil, "because", false, ["decision"]),
        // Every problem is named at once.
        ("release", String(repeating: "r", count: 1001), true, ["decision", "reason"]),
    ] as [(String?, String?, Bool, [String])])
    func refusedDecisionsNameTheField(text: String?, reason: String?, eligible: Bool, fields: [String]) {
        #expect(decisionProblems(text, reason: reason, eligible: eligible) == fields)
    }

    @Test func aReasonLongerThanTheLimitIsRefusedEvenWhenNoneIsNeeded() throws {
        #expect(OfficerDecision.maxReasonLength == 1000)
        let tooLong = String(repeating: "a", count: OfficerDecision.maxReasonLength + 1)
        #expect(decisionProblems("divert", reason: tooLong, eligible: true) == ["reason"])
        #expect(decisionProblems("charge", reason: tooLong, eligible: false) == ["reason"])
        let longest = String(repeating: "a", count: OfficerDecision.maxReasonLength)
        #expect(try OfficerDecision.check("charge", reason: longest, eligible: false).1 == longest)
    }

    @Test func theReasonIsKeptTrimmedAndABlankOneIsDropped() throws {
        #expect(try OfficerDecision.check("charge", reason: "  Refused treatment.\n", eligible: false).1 == "Refused treatment.")
        #expect(try OfficerDecision.check("divert", reason: "   ", eligible: true).1 == nil)
    }

    @Test func theRefusalsSayWhatToDoInstead() {
        do {
            _ = try OfficerDecision.check("divert", reason: nil, eligible: false)
            Issue.record("diverting an ineligible case was accepted")
        } catch {
            #expect(error.errors.first?.reason.contains("refer it to the prosecutor") == true)
        }
        do {
            _ = try OfficerDecision.check("charge", reason: nil, eligible: true)
            Issue.record("a departure without a reason was accepted")
        } catch {
            #expect(error.errors.first?.reason.contains("departs from the recommendation (divert to treatment)") == true)
        }
        do {
            _ = try OfficerDecision.check("release", reason: nil, eligible: true)
            Issue.record("an unknown decision was accepted")
        } catch {
            #expect(error.errors.first?.reason == "Use one of divert, refer_to_prosecutor, no_further_action, charge.")
        }
    }
}
