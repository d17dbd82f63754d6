@_exported import DICOMBinary
