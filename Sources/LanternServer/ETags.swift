import Archive
import Foundation
import HTTPTypes
import Hummingbird

/// Validators for retrieve responses (RFC 9110 §8.8): the ETag is derived from the blob keys of the
/// instances served (a key changes whenever an instance is replaced) and the representation; Last-Modified
/// is the newest storage time.
enum Validators {
    static func etag(_ instances: [StoredInstance], variant: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in variant.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        for instance in instances {
            for byte in instance.blobKey.rawValue.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        }
        return "\"" + String(hash, radix: 16) + "-\(instances.count)\""
    }

    static func lastModified(_ instances: [StoredInstance]) -> String {
        let newest = instances.map(\.storedAt).max() ?? 0
        return HTTPDate.format(seconds: newest)
    }

    /// Whether the request's If-None-Match names `etag` (or `*`).
    static func notModified(_ request: Request, etag: String) -> Bool {
        guard let header = request.headers[.ifNoneMatch] else { return false }
        return header.split(separator: ",").contains { tag in
            let t = tag.trimmingCharacters(in: .whitespaces)
            return t == "*" || t == etag || t == "W/" + etag
        }
    }
}

/// IMF-fixdate formatting (RFC 9110 §5.6.7).
enum HTTPDate {
    static func format(seconds: Int64) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
