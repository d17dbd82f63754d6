import DICOMBinary
import DICOMCore

extension RetrieveService {
    /// The largest instance ``dataSet(_:)`` reads into memory.
    public static let maximumInMemoryInstance: UInt64 = 16 << 20

    /// Every attribute of a stored instance, bulk data included, read from its bytes: for resources that
    /// return whole data sets as DICOM JSON or XML (the non-patient retrieve, PS3.18 §12.4), whose instances
    /// are small. Throws ``ArchiveError/Code/tooLarge`` beyond ``maximumInMemoryInstance``.
    public func dataSet(_ instance: StoredInstance) async throws -> DataSet {
        guard instance.size <= Self.maximumInMemoryInstance else {
            throw ArchiveError(
                .tooLarge,
                "instance \(instance.sopInstanceUID) has \(instance.size) bytes, more than a DICOM JSON or XML "
                    + "response holds here; ask for application/dicom")
        }
        var builder = DataSetBuilder()
        try await parse(instance) { builder.consume($0) }
        return builder.dataSet.withoutFileMeta
    }
}
