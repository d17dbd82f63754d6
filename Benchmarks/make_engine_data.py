"""Deterministic benchmark inputs for the DICOM engine: a 512 KB CT slice and a 50 MB multi-frame.

Usage: python3 make_engine_data.py OUT_DIR
"""

import sys
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

ROOT = "1.2.826.0.1.3680043.10.1234."  # deterministic UIDs below this root


def base(sop_class, modality, n):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = f"{ROOT}{n}.3"
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyDate, ds.StudyTime, ds.AccessionNumber = "20240101", "101010", "ACC0001"
    ds.Modality, ds.Manufacturer, ds.InstitutionName = modality, "Lantern Bench", "Bench Hospital"
    ds.ReferringPhysicianName = "Doctor^Referring"
    ds.StudyDescription, ds.SeriesDescription = "Benchmark study", "Benchmark series"
    ds.PatientName, ds.PatientID, ds.PatientBirthDate, ds.PatientSex = "Bench^Patient", "BENCH01", "19700101", "O"
    ds.SliceThickness, ds.KVP = "1.25", "120"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = f"{ROOT}{n}.1", f"{ROOT}{n}.2"
    ds.StudyID, ds.SeriesNumber, ds.InstanceNumber = "1", "1", "1"
    ds.ImagePositionPatient = ["-125.0", "-125.0", "0.0"]
    ds.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
    ds.FrameOfReferenceUID = f"{ROOT}{n}.4"
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.Rows = ds.Columns = 512
    ds.PixelSpacing = ["0.488", "0.488"]
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.WindowCenter, ds.WindowWidth, ds.RescaleIntercept, ds.RescaleSlope = "40", "400", "-1024", "1"
    return ds


def main(out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(42)
    ct = base("1.2.840.10008.5.1.4.1.1.2", "CT", 1)
    ct.PixelData = rng.integers(0, 4096, size=(512, 512), dtype=np.uint16).tobytes()
    ct.save_as(out / "ct_512k.dcm", enforce_file_format=True)
    mf = base("1.2.840.10008.5.1.4.1.1.7.3", "OT", 2)
    frames = 100
    mf.NumberOfFrames = frames
    mf.PixelData = rng.integers(0, 4096, size=(frames, 512, 512), dtype=np.uint16).tobytes()
    mf.save_as(out / "multiframe_50m.dcm", enforce_file_format=True)


if __name__ == "__main__":
    main(sys.argv[1])
