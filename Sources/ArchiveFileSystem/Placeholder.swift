// ArchiveFileSystem
