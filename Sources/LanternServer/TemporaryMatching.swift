import DICOMCore
import DICOMweb

// TEMPORARY until the QIDO evaluator lands: accepts every candidate the SQL prefilter returns.
extension QIDOQuery {
    func matches(_ dataSet: DataSet) -> Bool { true }
}
