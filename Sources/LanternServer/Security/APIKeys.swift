import Crypto
import Foundation

/// API keys: 256 random bits, shown once at creation (`lantern_` and 43 base64url characters), kept only as
/// their SHA-256 in the ``Archive/CredentialStore``.
public enum APIKeys {
    /// A new random key.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let text = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "lantern_" + text
    }

    /// The hash the store keeps of `key`.
    public static func hash(_ key: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(key.utf8)))
    }
}
