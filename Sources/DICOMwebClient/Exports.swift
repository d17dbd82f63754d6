@_exported import DICOMweb
