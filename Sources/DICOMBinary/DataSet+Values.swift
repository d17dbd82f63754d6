extension DataSet {
    /// The data set's own Specific Character Set (0008,0005), or `inherited` when it declares none
    /// (items of a sequence inherit their parent's, PS3.5 §6.1.2.5.3).
    public func characterSet(inheriting inherited: SpecificCharacterSet = .default) -> SpecificCharacterSet {
        guard let bytes = self[.specificCharacterSet]?.value.bytes else { return inherited }
        return SpecificCharacterSet(encodedValue: bytes)
    }

    /// The decoded values of a primitive element (PS3.5 §6.2 rules: padding removed, values split),
    /// or `nil` when the element is absent or not primitive.
    public func modelValues(
        _ tag: Tag, characterSet: SpecificCharacterSet? = nil
    ) throws(CharacterSetError)
        -> ModelValues?
    {
        guard let element = self[tag], case .bytes(let bytes) = element.value else { return nil }
        return try ModelValueCodec.decode(bytes, vr: element.vr, characterSet: characterSet ?? self.characterSet())
    }

    /// The text values of an element (person names in their encoded `A=I=P` form, numbers as written);
    /// empty when absent or zero-length. Throws when the text cannot be decoded in its character set.
    public func strings(_ tag: Tag, characterSet: SpecificCharacterSet? = nil) throws(CharacterSetError) -> [String] {
        switch try modelValues(tag, characterSet: characterSet) {
        case .strings(let v)?: v.map { $0 ?? "" }
        case .numbers(let v)?: v.map { $0 ?? "" }
        case .personNames(let v)?: v.map { $0?.dicomValue ?? "" }
        case .tags(let v)?: v
        case .binary?, nil: []
        }
    }

    /// The first text value of an element, or `nil` when absent, empty or undecodable.
    public func string(_ tag: Tag, characterSet: SpecificCharacterSet? = nil) -> String? {
        guard let first = try? strings(tag, characterSet: characterSet).first, !first.isEmpty else { return nil }
        return first
    }

    /// The first value of an integer element (US, SS, UL, SL, UV, SV or IS), or `nil`.
    public func int(_ tag: Tag) -> Int? {
        guard case .numbers(let v)? = try? modelValues(tag), let first = v.first, let text = first else {
            return nil
        }
        return Int(text)
    }
}
