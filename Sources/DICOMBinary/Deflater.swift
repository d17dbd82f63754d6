/// Raw-deflate compression of a whole data set for Deflated Explicit VR Little Endian (PS3.5 §A.5).
enum Deflater {
    static func compress(_ bytes: [UInt8], level: Int32 = 6) throws(DICOMWriteError) -> [UInt8] {
        try StreamingDeflater(level: level).compress(bytes, finish: true)
    }
}
