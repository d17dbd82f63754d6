#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The current time in DICOM's text forms.
public enum DICOMClock {
    /// Now as a DT value in UTC with its offset (PS3.5 Table 6.2-1), e.g. `20261207013000+0000`.
    public static func nowDT() -> String {
        var t = time(nil)
        var parts = tm()
        gmtime_r(&t, &parts)
        func p(_ v: Int32, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        return p(parts.tm_year + 1900, 4) + p(parts.tm_mon + 1, 2) + p(parts.tm_mday, 2) + p(parts.tm_hour, 2)
            + p(parts.tm_min, 2) + p(parts.tm_sec, 2) + "+0000"
    }
}
