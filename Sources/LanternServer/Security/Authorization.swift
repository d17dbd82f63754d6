import HTTPTypes

/// How the server establishes who calls it (`auth`).
public enum AuthenticationMode: String, Sendable, CaseIterable {
    /// No credentials: every caller is anonymous and may do everything (loopback, or `allow-anonymous`).
    case none
    /// API keys (`lantern keys create`) sent as `Authorization: Bearer <key>`; a WebSocket upgrade from a
    /// browser, which cannot set headers, may send `access_token=<key>` in the query instead.
    case apiKey = "api-key"
}

/// The permission check of every route (issue 18): 401 with `WWW-Authenticate` when the caller is not
/// authenticated (RFC 6750 §3), 403 naming the missing permission when it is and lacks it.
enum Authorization {
    static let realm = "lantern"

    /// Throws unless `identity` holds `permission`.
    static func require(_ permission: Permission, _ identity: Identity) throws {
        if identity.roles.contains(permission.rawValue) { return }
        if identity.method == .invalid { throw invalidToken() }
        if identity.isAnonymous {
            var error = DICOMwebError(.unauthorized, "credentials are required: an API key as a Bearer token")
            error.headers[.wwwAuthenticate] = "Bearer realm=\"\(realm)\""
            throw error
        }
        throw DICOMwebError(
            .forbidden, "\(identity.subject ?? "this caller") lacks the '\(permission.rawValue)' permission")
    }

    /// The answer to credentials that are not valid (an unknown or revoked key).
    static func invalidToken() -> DICOMwebError {
        var error = DICOMwebError(.unauthorized, "the Bearer token is not a valid API key")
        error.headers[.wwwAuthenticate] = "Bearer realm=\"\(realm)\", error=\"invalid_token\""
        return error
    }
}

extension HTTPField.Name {
    static let wwwAuthenticate = HTTPField.Name("WWW-Authenticate")!
}
