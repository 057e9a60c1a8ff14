import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Leaf
import LeafKit
import NIOPosix
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

    let memoryIdentifier = UUID().uuidString
    try DatabaseSetup.register(
        config.database, on: app.databases, sqlLogLevel: config.sqlLogLevel,
        connectionsPerEventLoop: config.connectionsPerEventLoop, memoryIdentifier: memoryIdentifier
    )
    app.migrations.add(DatabaseSetup.migrations)
    // A failed first connection is reported once, as the one-line error below, not also as a pool log.
    let level = app.logger.logLevel
    app.logger.logLevel = .critical
    defer { app.logger.logLevel = level }
    try await DatabaseSetup.prepare(app.db, location: config.database)

    app.passwords.use(.bcrypt(cost: config.bcryptCost))
    app.routes.defaultMaxBodySize = ByteCount(stringLiteral: config.maxBodySize)
    app.http.server.configuration.requestDecompression = .disabled
    // Pages, stylesheets and scripts go gzip-compressed to browsers that ask: a page stays small on a slow connection.
    app.http.server.configuration.responseCompression = .enabled(initialByteBufferCapacity: 8 * 1024, disallowedTypes: .incompressible)

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
        auditTrail: try auditTrail(app, config, memoryIdentifier: memoryIdentifier),
        accounts: AccountStore(),
        people: PersonStore(),
        throttle: LoginThrottle(),
        localizer: try Localizer(directory: resources.appendingPathComponent("Locales")),
        wording: try InstrumentWording(directory: resources.appendingPathComponent("Instruments"), override: config.instrumentWording),
        fieldMessages: try FieldMessageTranslator(
            directory: resources.appendingPathComponent("Locales/validation"), reasons: resources.appendingPathComponent("Locales/reasons")),
        now: now
    )
    app.drugTesting = try DrugTestingServices(config)
    app.participants = ParticipantServices(config, vault: app.drugTesting.vault)
    _ = MetricsRegistry.shared

    // The error middleware sits inside the security headers, so problem answers carry them too.
    app.middleware = Middlewares()
    app.middleware.use(AccessLogMiddleware())
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(ProblemMiddleware())
    app.middleware.use(StaticAssetCacheMiddleware())
    app.middleware.use(FileMiddleware(publicDirectory: app.directory.publicDirectory, defaultFile: nil))

    try routes(app, resources: resources)
    // Tests sweep by hand with their own clock; a served app sweeps for silent devices every minute.
    if app.environment != .testing { app.lifecycle.use(MonitoringSweeper()) }
}

/// Every route of the server, grouped by how callers sign in.
func routes(_ app: Application, resources: URL) throws {
    OperationsController(resources: resources).register(app.routes)

    let api = app.routes.grouped("api", "v1").grouped(BearerAuthenticator())
    AuthController().register(api)
    PersonController().register(api)
    ScreeningController().register(api)
    PolicyController().register(api)
    IndicatorController().register(api)
    ExportController().register(api)
    EligibilityController().register(api)
    ContactController().register(api)
    ServiceController().register(api)
    ServiceInterchangeController().register(api)
    ReferralController().register(api)
    CaseController().register(api)
    SealedCaseController().register(api)
    MeasureController().register(api)
    BreachController().register(api)
    ConsentController().register(api)
    ProgressReportController().register(api)
    MonitoringController().register(api)
    ComplianceController().register(api)
    ResponseController().register(api)
    PromotionController().register(api)
    DrugTestController().register(api)
    FHIRController().register(api)
    CaptureController().register(api: api)

    let web = app.routes.grouped(SessionAuthenticator()).grouped(CSRFMiddleware(exempt: ["/login"]))
    WebController().register(web)
    PeoplePages().register(web)
    OfflinePages().register(web)
    ContactPages().register(web)
    CaptureController().register(web: web)
    ScreeningPages().register(web)
    ReferralPages().register(web)
    CourtPages().register(web)
    MeasurePages().register(web)
    TimelinePages().register(web)
    ConsentPages().register(web)
    ServicePages().register(web)
    PolicyPages().register(web)
    MonitoringPages().register(web)
    CompliancePages().register(web)
    ResponsePages().register(web)
    DrugTestPages().register(web)
    EvidencePages().register(web)
    ExportPages().register(web)
    SimulationPages().register(web)
    // The call-in page is public and keeps no session, so it sits outside the signed-in pages' CSRF check.
    CallInPage().register(app.routes)
    // The participant's own pages keep their own signed session, apart from staff sessions and their CSRF check.
    ParticipantPages().register(app.routes)
    ParticipantPages().registerStaff(web)
}

/// The audit trail writes through a connection and thread of its own, so that its commits never
/// wait in line behind the reads of the requests that are waiting for those commits.
///
/// When a batch overruns its deadline (a PostgreSQL primary lost in a failover can leave a connection that never
/// answers), the trail asks for a new pool of its own and leaves the stuck one behind.
private func auditTrail(_ app: Application, _ config: AppConfiguration, memoryIdentifier: String) throws -> AuditTrail {
    let threads = NIOThreadPool(numberOfThreads: 1)
    threads.start()
    let pools = AuditPools()
    app.lifecycle.use(AuditDatabaseLifecycle(pools: pools, threads: threads))
    let logger = app.logger, group = app.eventLoopGroup
    let open: @Sendable () throws -> any Database = {
        let databases = Databases(threadPool: threads, on: group)
        try DatabaseSetup.register(
            config.database, on: databases, sqlLogLevel: config.sqlLogLevel, connectionsPerEventLoop: 1, memoryIdentifier: memoryIdentifier
        )
        pools.add(databases)
        guard let database = databases.database(logger: logger, on: group.any()) else {
            throw DatabaseUnavailable("the audit trail's database could not be opened")
        }
        return database
    }
    let first = try open()
    // SQLite cannot lose its database mid-transaction; a file that stops answering is not cured by a new connection.
    guard case .postgres = config.database else { return AuditTrail(database: first) }
    // Batches of requests take milliseconds; 15 s means the connection is gone, and the failover (about 15 s
    // with the settings in docs/deployment.md) is over about when the new connection is asked for.
    return AuditTrail(database: first, deadline: .seconds(15), reconnect: {
        logger.warning("the audit trail's database connection did not answer in time; opening a new one")
        return try open()
    })
}

/// Every connection pool the audit trail has opened; the last is the one in use.
private final class AuditPools: @unchecked Sendable {
    private let lock = NSLock()
    private var all: [Databases] = []

    func add(_ databases: Databases) { lock.withLock { all.append(databases) } }
    var pools: [Databases] { lock.withLock { all } }
}

/// Closes the audit trail's own connection and thread when the application stops.
private struct AuditDatabaseLifecycle: LifecycleHandler {
    let pools: AuditPools
    let threads: NIOThreadPool

    func shutdownAsync(_ application: Application) async {
        // Only the pool in use: one given up after a stall may wait forever for its stuck connection, and the
        // process ends anyway.
        if let current = pools.pools.last { await current.shutdownAsync() }
        try? await threads.shutdownGracefully()
    }
}
