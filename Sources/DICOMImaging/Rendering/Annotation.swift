import DICOMBinary
import DICOMCore

/// The annotations a rendered image can carry, burned into its pixels (PS3.18 §8.3.5.1.1).
public enum RenderAnnotation: String, Hashable, Sendable, CaseIterable {
    /// Patient information: name, ID, birth date and sex, top left.
    case patient
    /// Technique: modality, study date and time, series and instance numbers, frame, window, bottom left.
    case technique

    /// The lines of text this annotation draws for an image with `attributes`.
    public func lines(
        _ attributes: DataSet, frame: Int? = nil, frames: Int = 1, window: VOIWindow? = nil
    ) -> [String] {
        func value(_ tag: UInt32) -> String? {
            guard let text = attributes.string(Tag(tag)), !text.isEmpty else { return nil }
            return text
        }
        switch self {
        case .patient:
            let name = value(0x0010_0010).map { $0.split(separator: "=").first.map(String.init) ?? $0 }?
                .replacing("^", with: " ").trimmingSpaces
            return [
                name, value(0x0010_0020).map { "ID " + $0 },
                [value(0x0010_0030).map { "DOB " + $0 }, value(0x0010_0040)].compactMap { $0 }.joined(separator: " "),
            ].compactMap { $0 }.filter { !$0.isEmpty }
        case .technique:
            var lines = [
                [value(0x0008_0060), value(0x0008_0020), value(0x0008_0030)].compactMap { $0 }.joined(separator: " "),
                [value(0x0020_0011).map { "SE " + $0 }, value(0x0020_0013).map { "IM " + $0 }].compactMap { $0 }
                    .joined(separator: " "),
            ]
            if let frame, frames > 1 { lines.append("FRAME \(frame)/\(frames)") }
            if let window {
                lines.append("W \(Self.number(window.width)) C \(Self.number(window.center))")
            } else if let center = RenderAttributes(dataSet: attributes).numbers(0x0028_1050).first,
                let width = RenderAttributes(dataSet: attributes).numbers(0x0028_1051).first
            {
                lines.append("W \(Self.number(width)) C \(Self.number(center))")
            }
            return lines.filter { !$0.isEmpty }
        }
    }

    /// A window value as text: an integer without decimals; one past `Int` (a request's `window` may say
    /// 9223372036854775808) as a decimal, never a trap.
    private static func number(_ value: Double) -> String {
        Int(exactly: value).map(String.init) ?? String(value)
    }
}

/// Draws text into rendered images with a 5 × 7 bitmap font of Lantern's own (capitals, digits and common
/// punctuation; other characters draw as `?`): white glyphs with a black outline, legible on any image,
/// scaled up on larger images.
public enum TextPainter {
    /// `image` with the `top` lines drawn from its top-left corner and the `bottom` lines up from its
    /// bottom-left corner.
    public static func draw(top: [String], bottom: [String], on image: RenderedImage) -> RenderedImage {
        var out = image
        let scale = max(1, min(image.width, image.height) / 256)
        let lineHeight = 9 * scale
        for (i, line) in top.enumerated() {
            draw(line, x: 2 * scale, y: 2 * scale + i * lineHeight, scale: scale, on: &out)
        }
        for (i, line) in bottom.reversed().enumerated() {
            draw(line, x: 2 * scale, y: image.height - (i + 1) * lineHeight, scale: scale, on: &out)
        }
        return out
    }

    static func draw(_ text: String, x: Int, y: Int, scale: Int, on image: inout RenderedImage) {
        // The outline first (every glyph pixel's neighbours in black), then the glyphs in white.
        for pass in 0..<2 {
            var cursor = x
            for character in text.uppercased() {
                let rows = glyph(character)
                for (r, bits) in rows.enumerated() {
                    for c in 0..<5 where bits >> (4 - c) & 1 == 1 {
                        let px = cursor + c * scale
                        let py = y + r * scale
                        if pass == 0 {
                            fill(&image, px - 1, py - 1, scale + 2, 0)
                        } else {
                            fill(&image, px, py, scale, 255)
                        }
                    }
                }
                cursor += 6 * scale
                if cursor >= image.width { break }
            }
        }
    }

    private static func fill(_ image: inout RenderedImage, _ x: Int, _ y: Int, _ size: Int, _ value: UInt8) {
        for dy in 0..<size {
            let py = y + dy
            guard py >= 0, py < image.height else { continue }
            for dx in 0..<size {
                let px = x + dx
                guard px >= 0, px < image.width else { continue }
                let at = (py * image.width + px) * image.channels
                for c in 0..<image.channels { image.pixels[at + c] = value }
            }
        }
    }

    /// Seven rows of five bits, most significant bit leftmost.
    static func glyph(_ character: Character) -> [UInt8] {
        Self.font[character] ?? Self.font["?"]!
    }

    static let font: [Character: [UInt8]] = [
        " ": [0, 0, 0, 0, 0, 0, 0],
        "0": [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E], "1": [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        "2": [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F], "3": [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        "4": [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02], "5": [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        "6": [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E], "7": [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        "8": [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E], "9": [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        "A": [0x0E, 0x11, 0x11, 0x11, 0x1F, 0x11, 0x11], "B": [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        "C": [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E], "D": [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C],
        "E": [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F], "F": [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        "G": [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F], "H": [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        "I": [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E], "J": [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        "K": [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11], "L": [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        "M": [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11], "N": [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        "O": [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], "P": [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        "Q": [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D], "R": [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        "S": [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E], "T": [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        "U": [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], "V": [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        "W": [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A], "X": [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        "Y": [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04], "Z": [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        ".": [0, 0, 0, 0, 0, 0x0C, 0x0C], ",": [0, 0, 0, 0, 0x0C, 0x04, 0x08], ":": [0, 0x0C, 0x0C, 0, 0x0C, 0x0C, 0],
        "-": [0, 0, 0, 0x1F, 0, 0, 0], "/": [0, 0x01, 0x02, 0x04, 0x08, 0x10, 0],
        "(": [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02], ")": [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08],
        "=": [0, 0, 0x1F, 0, 0x1F, 0, 0], "+": [0, 0x04, 0x04, 0x1F, 0x04, 0x04, 0], "_": [0, 0, 0, 0, 0, 0, 0x1F],
        "'": [0x0C, 0x04, 0x08, 0, 0, 0, 0], "#": [0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A],
        "%": [0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03], "?": [0x0E, 0x11, 0x01, 0x02, 0x04, 0, 0x04],
        "*": [0, 0x04, 0x15, 0x0E, 0x15, 0x04, 0], "[": [0x0E, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0E],
        "]": [0x0E, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0E], "&": [0x0C, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0D],
        "^": [0x04, 0x0A, 0x11, 0, 0, 0, 0],
    ]
}
