/// Local disk space for requests in progress: the bulk data parts of a STOW-RS request and the instances built
/// from them (``BulkStoreSession``). A setting of its own (`scratch`, by default a folder under the data folder),
/// never a blob store's: with an object store the blobs are remote, while scratch files must be local, cheap
/// to write and to read at random offsets, and private to one server process.
///
/// Files are created empty and removed when released, so an error path leaks nothing; a crash leaves files that
/// ``sweep()`` removes at the next start. Their calls block: run them on a thread pool (NIO's blocking pool),
/// never on the cooperative pool (ARCHITECTURE §7).
public protocol ScratchSpace: Sendable {
    /// Creates an empty file open for appending and for reading at any offset.
    func makeFile() throws -> any ScratchFile
    /// Removes the files a crash left; call at start, before serving.
    func sweep() throws
}

/// One scratch file (``ScratchSpace/makeFile()``), removed when the last reference to it goes. One task writes
/// it at a time; reads may follow from any task.
public protocol ScratchFile: AnyObject, Sendable {
    /// A name for messages (never shown to clients).
    var name: String { get }
    /// The file's size in bytes.
    func size() throws -> UInt64
    /// Appends all of `bytes`.
    func append(_ bytes: UnsafeRawBufferPointer) throws
    /// Reads up to `buffer.count` bytes at `offset` into `buffer`; returns how many were read (fewer only at
    /// the end of the file).
    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}
