import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Leaf
import LeafKit
import Vapor

/// Where the app's templates, stylesheets, messages and API description are installed.
public enum AppResources {
    public static var directory: URL {
        Bundle.module.bundleURL.appendingPathComponent("Resources")
    }
}

/// Builds the whole server on `app`: database, services, middleware and routes. Tests call it too.
public func configure(_ app: Application, _ config: AppConfiguration, now: @escaping @Sendable () -> Date = { Date() }) async throws {
    let resources = AppResources.directory

    try DatabaseSetup.register(config.database, on: app.databases, sqlLogLevel: config.sqlLogLevel)
    app.migrations.add(DatabaseSetup.migrations)
    // A failed first connection is reported once, as the one-line error below, not also as a pool log.
    let level = app.logger.logLevel
    app.logger.logLevel = .critical
    defer { app.logger.logLevel = level }
    try await DatabaseSetup.prepare(app.db, location: config.database)

    app.passwords.use(.bcrypt(cost: config.bcryptCost))
    app.routes.defaultMaxBodySize = ByteCount(stringLiteral: config.maxBodySize)
    app.http.server.configuration.requestDecompression = .disabled

    app.directory.viewsDirectory = resources.appendingPathComponent("Views").path + "/"
    app.directory.publicDirectory = resources.appendingPathComponent("Public").path + "/"
    app.views.use(.leaf)
    // Installed resources may sit under a hidden folder (.build), so only the sandbox limit applies.
    app.leaf.sources = LeafSources.singleSource(NIOLeafFiles(
        fileio: app.fileio, limits: [.toSandbox, .requireExtensions],
        sandboxDirectory: app.directory.viewsDirectory, viewDirectory: app.directory.viewsDirectory
    ))
    app.leaf.cache.isEnabled = app.environment.isRelease

    app.diversion = DiversionServices(
        configuration: config,
        policy: AccessPolicy(),
        auditTrail: AuditTrail(database: app.db),
        accounts: AccountStore(),
        people: PersonStore(),
        throttle: LoginThrottle(),
        localizer: try Localizer(directory: resources.appendingPathComponent("Locales")),
        now: now
    )
    _ = MetricsRegistry.shared

    // The error middleware sits inside the security headers, so problem answers carry them too.
    app.middleware = Middlewares()
    app.middleware.use(RouteLoggingMiddleware(logLevel: .info))
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(ProblemMiddleware())
    app.middleware.use(FileMiddleware(publicDirectory: app.directory.publicDirectory, defaultFile: nil))

    try routes(app, resources: resources)
}

/// Every route of the server, grouped by how callers sign in.
func routes(_ app: Application, resources: URL) throws {
    OperationsController(resources: resources).register(app.routes)

    let api = app.routes.grouped("api", "v1").grouped(BearerAuthenticator())
    AuthController().register(api)
    PersonController().register(api)

    let web = app.routes.grouped(SessionAuthenticator()).grouped(CSRFMiddleware(exempt: ["/login"]))
    WebController().register(web)
    PeoplePages().register(web)
}
