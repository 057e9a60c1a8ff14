import FluentKit

/// A revision number on each person, raised by every change of their details, so a change prepared
/// offline against an older revision is refused instead of overwriting what others changed since.
struct UpdatePersonsAddRevision: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PersonModel.schema).field("revision", .int, .required, .sql(.default(1))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PersonModel.schema).deleteField("revision").update()
    }
}
