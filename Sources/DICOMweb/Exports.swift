@_exported import DICOMCore
@_exported import DICOMDictionary
