/// The resources of the Non-Patient Instance Service (PS3.18 §12.1.1) and the storage SOP Classes each holds
/// (PS3.4 Annexes X, HH, U, BB, JJ; PS3.6 Table A-1), shared by the server, which stores them there, and the
/// client, which sends such instances there rather than to `/studies`.
public enum NonPatientResources {
    /// The resource name (`color-palettes`, …) of each storage SOP Class of a non-patient category.
    public static let resourceBySOPClass: [String: String] = [
        "1.2.840.10008.5.1.4.39.1": "color-palettes",
        "1.2.840.10008.5.1.4.1.1.200.1": "defined-procedure-protocols",
        "1.2.840.10008.5.1.4.1.1.200.7": "defined-procedure-protocols",
        "1.2.840.10008.5.1.4.38.1": "hanging-protocols",
        "1.2.840.10008.5.1.4.43.1": "implant-templates",
        "1.2.840.10008.5.1.4.44.1": "implant-templates",
        "1.2.840.10008.5.1.4.45.1": "implant-templates",
        "1.2.840.10008.5.1.4.1.1.201.1": "inventories",
    ]

    /// The storage SOP Classes of the resource `name`.
    public static func sopClasses(of name: String) -> Set<String> {
        Set(resourceBySOPClass.filter { $0.value == name }.keys)
    }
}
