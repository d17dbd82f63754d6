#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A VOI window (PS3.3 §C.11.2.1.2): Window Center and Width with the VOI LUT Function that maps modality
/// values to display values.
public struct VOIWindow: Hashable, Sendable {
    /// The VOI LUT Function (0028,1056).
    public enum Function: String, Hashable, Sendable {
        /// LINEAR (§C.11.2.1.2.1).
        case linear = "LINEAR"
        /// LINEAR_EXACT (§C.11.2.1.3.2).
        case linearExact = "LINEAR_EXACT"
        /// SIGMOID (§C.11.2.1.3.1).
        case sigmoid = "SIGMOID"
    }

    /// Window Center.
    public var center: Double
    /// Window Width (≥ 1 for LINEAR, > 0 otherwise).
    public var width: Double
    /// The function.
    public var function: Function

    /// Creates a window.
    public init(center: Double, width: Double, function: Function = .linear) {
        self.center = center
        self.width = width
        self.function = function
    }

    /// The display value in 0…`top` of modality value `x`.
    public func apply(_ x: Double, top: Double = 255) -> Double {
        switch function {
        case .linear:
            // y = ((x − (c − 0.5)) / (w − 1) + 0.5) × (ymax − ymin) + ymin, clamped below and above.
            let w = max(width, 1)
            if x <= center - 0.5 - (w - 1) / 2 { return 0 }
            if x > center - 0.5 + (w - 1) / 2 { return top }
            if w == 1 { return top }
            return ((x - (center - 0.5)) / (w - 1) + 0.5) * top
        case .linearExact:
            let w = max(width, Double.leastNonzeroMagnitude)
            if x <= center - w / 2 { return 0 }
            if x > center + w / 2 { return top }
            return ((x - center) / w + 0.5) * top
        case .sigmoid:
            let w = max(width, Double.leastNonzeroMagnitude)
            return top / (1 + exp(-4 * (x - center) / w))
        }
    }
}
