import HTTPTypes
import Hummingbird

/// Cross-origin access for browser viewers (OHIF and the like), on every route (Fetch standard, CORS
/// protocol): answers preflights itself, and puts `Access-Control-Allow-Origin` and
/// `Access-Control-Expose-Headers` on every actual response, so scripts can read `Warning`, `ETag`,
/// `Content-Location` and the rest. (Hummingbird's CORS middleware exposes headers on preflights only.)
struct CORSHeaders<Context: RequestContext>: RouterMiddleware {
    static var allowMethods: String { "GET, HEAD, POST, PUT, DELETE, OPTIONS" }
    static var allowHeaders: String {
        "Accept, Authorization, Content-Type, Origin, If-None-Match, If-Modified-Since, Range, Expect"
    }
    static var exposeHeaders: String {
        "Content-Type, Content-Length, Content-Location, Content-Range, Accept-Ranges, ETag, Last-Modified, Location, Warning, WWW-Authenticate"
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    )
        async throws -> Response
    {
        guard request.headers[.origin] != nil else { return try await next(request, context) }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            return Response(
                status: .noContent,
                headers: [
                    .accessControlAllowOrigin: "*", .accessControlAllowMethods: Self.allowMethods,
                    .accessControlAllowHeaders: request.headers[.accessControlRequestHeaders] ?? Self.allowHeaders,
                    .accessControlMaxAge: "3600", .vary: "Origin",
                ])
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.accessControlAllowOrigin] = "*"
        response.headers[.accessControlExposeHeaders] = Self.exposeHeaders
        return response
    }
}
