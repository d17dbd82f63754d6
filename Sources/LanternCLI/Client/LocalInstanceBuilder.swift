import Archive
import ArchiveFileSystem
import DICOMCore
import DICOMwebClient
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Builds wrapped files into Part 10 instances on the client, with the same builder Lantern's STOW-RS uses
/// for metadata and bulk data (``BulkInstanceBuilder``), for servers that take only `application/dicom`
/// (Orthanc's DICOMweb plugin answers 415 to metadata and bulk data). The instances go to a private
/// temporary folder and are removed once sent.
struct LocalInstanceBuilder: Sendable {
    /// The folder the built instances are written to.
    let folder: String

    /// Creates a private folder under `$TMPDIR` (or `/tmp`).
    static func make() throws -> LocalInstanceBuilder {
        var template = Array(((environment("TMPDIR") ?? "/tmp") + "/lantern-build-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw DICOMwebClientError("cannot create a temporary folder: \(String(cString: strerror(errno)))")
        }
        return LocalInstanceBuilder(folder: String(cString: made))
    }

    /// Builds each wrapped file of a prepared batch; returns the batch as Part 10 parts, and a failure for
    /// each file that could not be built. Runs on the blocking-I/O pool.
    func build(_ batch: Uploader.PreparedBatch) async -> Uploader.PreparedBatch {
        let folder = folder
        let built = try? await NIOThreadPool.singleton.runIfActive { () -> Uploader.PreparedBatch in
            var out = Uploader.PreparedBatch(results: batch.results)
            for (index, (file, sop)) in batch.sent.enumerated() {
                let bulk = batch.parts[index]
                guard case .file(let path, let length) = bulk.content else { continue }
                let output = "\(folder)/\(sop)-\(UInt64.random(in: 0...UInt64.max)).dcm"
                do {
                    let input = try FolderScratchFile(reading: path)
                    let instance: BuiltInstance
                    do {
                        instance = try BulkInstanceBuilder.build(
                            metadata: batch.metadata[index],
                            parts: [
                                BulkDataPart(
                                    mediaType: bulk.contentType, contentLocation: bulk.contentLocation, file: input,
                                    length: UInt64(length))
                            ], output: try FolderScratchFile(creating: output))
                    } catch {
                        unlink(output)
                        throw error
                    }
                    out.parts.append(
                        StowPart(contentType: .dicom, content: .file(path: output, length: Int64(instance.fileSize))))
                    out.sent.append((file, sop))
                    out.built.append(output)
                } catch {
                    out.results.append(
                        (file, .failed(sopInstanceUID: sop, reason: "cannot build the instance: \(error)")))
                }
            }
            return out
        }
        return built ?? batch
    }

    /// Removes the instances built for a batch.
    func remove(_ batch: Uploader.PreparedBatch) {
        for path in batch.built { unlink(path) }
    }

    /// Removes the folder.
    func finish() { rmdir(folder) }
}
