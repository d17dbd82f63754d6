@_exported import DICOMCore
