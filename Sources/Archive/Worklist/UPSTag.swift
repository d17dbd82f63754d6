import DICOMCore
import DICOMweb

/// The UIDs the worklist names (PS3.4 Annex CC); its tags are the dictionary's named tags (`Tag.transactionUID`, …).
public enum UPSTag {

    /// The UPS Push SOP Class (PS3.4 §CC.3.1), the SOP Class UID of every workitem and of its event reports.
    public static let pushSOPClass = "1.2.840.10008.5.1.4.34.6.1"
    /// The Worklist (global subscription) well-known UID (PS3.4 §CC.2.3.1).
    public static let globalSubscriptionUID = WorklistResources.globalSubscriptionUID
    /// The Filtered Worklist (filtered global subscription) well-known UID.
    public static let filteredSubscriptionUID = WorklistResources.filteredSubscriptionUID
}
