import AsyncHTTPClient
import DICOMweb

extension DICOMwebClient {
    /// Deletes a study, a series of it or one instance (`DELETE` on the resource: an extension of PS3.18
    /// that Lantern, dcm4chee and Orthanc's plugin serve). Throws ``DICOMwebClientError`` with the server's
    /// status when it refuses (404: nothing stored there).
    public func delete(study: String, series: String? = nil, instance: String? = nil) async throws {
        var path = "studies/" + PercentEncoding.encode(study)
        if let series {
            path += "/series/" + PercentEncoding.encode(series)
            if let instance { path += "/instances/" + PercentEncoding.encode(instance) }
        }
        let response = try await send(request(url(path), method: .DELETE))
        _ = try? await response.body.collect(upTo: 1 << 20)
    }
}
