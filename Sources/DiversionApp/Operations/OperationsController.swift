import DiversionStore
import Foundation
import Metrics
import Prometheus
import SQLKit
import Vapor

/// Health, metrics and the API description: what operators and client builders read.
struct OperationsController {
    let resources: URL

    struct Health: Content {
        var status: String
        var database: String
    }

    func register(_ routes: any RoutesBuilder) {
        routes.endpoint(.GET, "healthz", access: .anyone, use: health)
        routes.endpoint(.GET, "metrics", access: .anyone, use: metrics)
        routes.endpoint(.GET, "openapi.yaml", access: .anyone, use: openAPI)
    }

    @Sendable func health(_ req: Request) async throws -> Response {
        let engine = req.diversion.configuration.database.engineName
        var healthy = true
        do {
            try await req.diversion.databaseProbe(req.db)
        } catch {
            req.logger.warning("database health check failed", metadata: ["error": "\(error)"])
            healthy = false
        }
        let body = Health(status: healthy ? "ok" : "unavailable", database: engine)
        return try await body.encodeResponse(status: healthy ? .ok : .serviceUnavailable, for: req)
    }

    @Sendable func metrics(_ req: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(string: MetricsRegistry.shared.emitToString()))
    }

    @Sendable func openAPI(_ req: Request) async throws -> Response {
        let data = try Data(contentsOf: resources.appendingPathComponent("openapi.yaml"))
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "application", subType: "yaml", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }
}

/// The process-wide Prometheus registry; the metrics system can be bootstrapped only once per process.
enum MetricsRegistry {
    static let shared: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}
