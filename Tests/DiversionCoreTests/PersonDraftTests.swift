import Foundation
import Testing
@testable import DiversionCore

@Suite("Person input checking")
struct PersonDraftTests {
    let today = CalendarDate(year: 2026, month: 11, day: 24)

    func valid() -> PersonInput {
        PersonInput(givenName: "Ana", familyName: "Silva", birthDate: "1990-04-23", sex: "female",
                    nationality: "PRT", preferredLanguage: "pt-PT", flags: ["pregnant", "homeless", "pregnant"])
    }

    @Test func aCompleteInputBecomesADraftWithSortedUniqueFlags() throws {
        let draft = try PersonDraft.validate(valid(), today: today)
        #expect(draft.givenName == "Ana")
        #expect(draft.birthDate == CalendarDate(year: 1990, month: 4, day: 23))
        #expect(draft.sex == .female)
        #expect(draft.flags == [.homeless, .pregnant])
    }

    @Test(arguments: [
        (PersonInput(givenName: "  ", familyName: "Silva", birthDate: "1990-01-01", sex: "male"), "givenName"),
        (PersonInput(givenName: "Ana", familyName: nil, birthDate: "1990-01-01", sex: "male"), "familyName"),
        (PersonInput(givenName: "Ana", familyName: "Silva", birthDate: "2030-01-01", sex: "male"), "birthDate"),
        (PersonInput(givenName: "Ana", familyName: "Silva", birthDate: "2026-11-25", sex: "male"), "birthDate"),
        (PersonInput(givenName: "Ana", familyName: "Silva", birthDate: "1899-12-31", sex: "male"), "birthDate"),
        (PersonInput(givenName: "Ana", familyName: "Silva", birthDate: "1990-02-30", sex: "male"), "birthDate"),
        (PersonInput(givenName: "Ana", familyName: "Silva", birthDate: "23/04/1990", sex: "male"), "birthDate"),
        (PersonInput(givenName: "Ana", familyName: "Silva", birthDate: nil, sex: "male"), "birthDate"),
        (PersonInput(givenName: "Ana", familyName: "Silva", birthDate: "1990-01-01", sex: "F"), "sex"),
        (PersonInput(givenName: "Ana", familyName: "Silva", birthDate: "1990-01-01", sex: nil), "sex"),
        (PersonInput(givenName: "Ana", familyName: "Silva", birthDate: "1990-01-01", sex: "male", nationality: "PT"), "nationality"),
        (PersonInput(givenName: "Ana", familyName: "Silva", birthDate: "1990-01-01", sex: "male", nationality: "prt"), "nationality"),
        (PersonInput(givenName: "Ana", familyName: "Silva", birthDate: "1990-01-01", sex: "male", preferredLanguage: "português"), "preferredLanguage"),
        (PersonInput(givenName: "Ana", familyName: "Silva", birthDate: "1990-01-01", sex: "male", flags: ["homeless", "unhoused"]), "flags[1]"),
        (PersonInput(givenName: String(repeating: "a", count: 101), familyName: "Silva", birthDate: "1990-01-01", sex: "male"), "givenName"),
        (PersonInput(givenName: "Ana\u{0007}", familyName: "Silva", birthDate: "1990-01-01", sex: "male"), "givenName"),
        (PersonInput(givenName: "Ana", familyName: "---", birthDate: "1990-01-01", sex: "male"), "familyName"),
        (PersonInput(givenName: "\u{0301}\u{0301}", familyName: "Silva", birthDate: "1990-01-01", sex: "male"), "givenName"),
    ])
    func aWrongFieldIsNamed(input: PersonInput, field: String) {
        #expect(throws: ValidationFailure.self) { try PersonDraft.validate(input, today: today) }
        do {
            _ = try PersonDraft.validate(input, today: today)
        } catch {
            #expect(error.errors.map(\.field) == [field])
        }
    }

    @Test func everyProblemIsReportedAtOnce() {
        do {
            _ = try PersonDraft.validate(PersonInput(), today: today)
            Issue.record("an empty input was accepted")
        } catch {
            #expect(error.errors.map(\.field) == ["givenName", "familyName", "birthDate", "sex"])
        }
    }

    @Test func statelessPeopleAndRefugeesHaveNationalityCodes() throws {
        for code in ["XXA", "XXB", "XXC", "XXX", "MEX", "CZE"] {
            var input = valid()
            input.nationality = code
            #expect(try PersonDraft.validate(input, today: today).nationality == code)
        }
        #expect(Nationality.countryCodes.count == 249)
    }

    @Test(arguments: [
        ("2008-11-24", false), ("2008-11-25", true), ("2010-01-01", true), ("1990-01-01", false),
    ])
    func minorityIsDerivedFromAgeOnTheDay(birth: String, minor: Bool) throws {
        var input = valid()
        input.birthDate = birth
        #expect(try PersonDraft.validate(input, today: today).isMinor(on: today) == minor)
    }

    @Test func aSearchNeedsANameOrABirthDate() throws {
        #expect(throws: ValidationFailure.self) { try PersonQuery.validate(q: nil, birthDate: nil, limit: nil) }
        #expect(throws: ValidationFailure.self) { try PersonQuery.validate(q: "%_", birthDate: nil, limit: nil) }
        #expect(throws: ValidationFailure.self) { try PersonQuery.validate(q: "ana", birthDate: "1990-13-01", limit: nil) }
        #expect(throws: ValidationFailure.self) { try PersonQuery.validate(q: "ana", birthDate: nil, limit: 0) }
        #expect(throws: ValidationFailure.self) { try PersonQuery.validate(q: "ana", birthDate: nil, limit: 101) }
        let query = try PersonQuery.validate(q: " José  Núñez ", birthDate: "1990-01-02", limit: 5)
        #expect(query.nameWords == ["jose", "nunez"])
        #expect(query.birthDate == CalendarDate(year: 1990, month: 1, day: 2))
        #expect(query.limit == 5)
    }
}

@Suite("Calendar dates, names and language tags")
struct SmallValueTests {
    @Test(arguments: [
        ("2024-02-29", true), ("2023-02-29", false), ("1900-02-29", false), ("2000-02-29", true),
        ("2024-04-31", false), ("2024-12-31", true), ("2024-1-01", false), ("20240101", false),
        ("2024-00-10", false), ("２０２４-01-01", false), ("", false), ("2024/01/01", false), ("2024-01-1a", false),
        ("-024-01-01", false), ("2024-01-01 ", false), ("2024-13-01", false), ("0000-01-01", true),
    ])
    func calendarDatesRejectImpossibleDays(text: String, valid: Bool) {
        #expect((CalendarDate(text) != nil) == valid)
    }

    @Test func calendarDatesReadTheirYearMonthAndDay() {
        #expect(CalendarDate("1987-11-09") == CalendarDate(year: 1987, month: 11, day: 9))
        #expect(CalendarDate("2026-03-02")?.description == "2026-03-02")
    }

    @Test func ageCountsCompletedYears() {
        let birth = CalendarDate(year: 2000, month: 2, day: 29)
        #expect(birth.completedYears(on: CalendarDate(year: 2018, month: 2, day: 28)) == 17)
        #expect(birth.completedYears(on: CalendarDate(year: 2018, month: 3, day: 1)) == 18)
    }

    @Test(arguments: [
        ("José", "jose"), ("NÚÑEZ-GARCÍA", "nunez garcia"), ("O'Brien", "obrien"), ("  Anne   Marie ", "anne marie"),
        ("Dvořák", "dvorak"), ("Иванова", "иванова"), ("ＡＢＣ", "abc"), ("%_", ""),
    ])
    func namesFoldForSearching(name: String, key: String) {
        #expect(NameKey.fold(name) == key)
    }

    @Test(arguments: [
        ("en", true), ("es-419", true), ("zh-Hans-CN", true), ("pt-BR", true), ("sr-Latn-RS", true),
        ("de-CH-1996", true), ("en-US-x-twain", true), ("x-private", false), ("e", false), ("english!", false),
        ("en--US", false), ("", false), ("en-", false), ("toolonglanguage", false), ("en-a", false),
    ])
    func languageTagsFollowBCP47(tag: String, wellFormed: Bool) {
        #expect(LanguageTag.isWellFormed(tag) == wellFormed)
    }
}
