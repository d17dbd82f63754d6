import DICOMweb
import Testing

/// ``QIDOEvaluator``: DA, TM and DT single values and ranges (PS3.4 §C.2.2.2.1, §C.2.2.2.5).
@Suite struct QIDOEvaluatorTemporalTests {
    @Test func dates() throws {
        let stored = Stored.dataSet([("StudyDate", "20240105")])
        #expect(try Stored.matches("StudyDate", "20240105", stored))
        #expect(try !Stored.matches("StudyDate", "20240106", stored))
        #expect(try Stored.matches("StudyDate", "20240101-20240105", stored))
        #expect(try Stored.matches("StudyDate", "20240105-20240131", stored))
        #expect(try !Stored.matches("StudyDate", "20240106-20240131", stored))
        #expect(try Stored.matches("StudyDate", "20240101-", stored))
        #expect(try !Stored.matches("StudyDate", "20240106-", stored))
        #expect(try Stored.matches("StudyDate", "-20240105", stored))
        #expect(try !Stored.matches("StudyDate", "-20240104", stored))
        // A reversed range is empty.
        #expect(try !Stored.matches("StudyDate", "20240131-20240101", stored))
        // The retired YYYY.MM.DD form of stored values is read.
        #expect(try Stored.matches("StudyDate", "20240105", Stored.dataSet([("StudyDate", "2024.01.05")])))
    }

    @Test func timesMatchWithinTheQueryPrecision() throws {
        func stored(_ time: String) -> DataSet { Stored.dataSet([("StudyTime", time)]) }
        #expect(try Stored.matches("StudyTime", "10", stored("100000")))
        #expect(try Stored.matches("StudyTime", "10", stored("105959.999999")))
        #expect(try Stored.matches("StudyTime", "10", stored("1030")))
        #expect(try !Stored.matches("StudyTime", "10", stored("110000")))
        #expect(try !Stored.matches("StudyTime", "10", stored("095959.999999")))
        #expect(try Stored.matches("StudyTime", "1030", stored("103059.5")))
        #expect(try !Stored.matches("StudyTime", "1030", stored("1031")))
        #expect(try Stored.matches("StudyTime", "103015.5", stored("103015.59")))
        #expect(try !Stored.matches("StudyTime", "103015.5", stored("103015.6")))
        // A stored value is the instant it starts: stored `10` is 10:00:00.
        #expect(try !Stored.matches("StudyTime", "1030", stored("10")))
        // The retired HH:MM:SS form of stored values is read.
        #expect(try Stored.matches("StudyTime", "1030", stored("10:30:15")))
    }

    @Test func timeRangesIncludeTheWholeUpperBound() throws {
        func stored(_ time: String) -> DataSet { Stored.dataSet([("StudyTime", time)]) }
        #expect(try Stored.matches("StudyTime", "1000-1100", stored("110059.999999")))
        #expect(try !Stored.matches("StudyTime", "1000-1100", stored("1101")))
        #expect(try !Stored.matches("StudyTime", "1000-1100", stored("095959")))
        #expect(try Stored.matches("StudyTime", "1000-", stored("235959")))
        #expect(try Stored.matches("StudyTime", "-10", stored("105959")))
        #expect(try !Stored.matches("StudyTime", "-10", stored("11")))
    }

    @Test func dateTimesByPrecision() throws {
        let stored = Stored.dataSet([("AcquisitionDateTime", "20240615123000.25")])
        #expect(try Stored.matches("AcquisitionDateTime", "2024", stored))
        #expect(try Stored.matches("AcquisitionDateTime", "202406", stored))
        #expect(try !Stored.matches("AcquisitionDateTime", "202407", stored))
        #expect(try Stored.matches("AcquisitionDateTime", "2024061512", stored))
        #expect(try Stored.matches("AcquisitionDateTime", "20240615123000", stored))
        #expect(try !Stored.matches("AcquisitionDateTime", "20240615123001", stored))
        #expect(try Stored.matches("AcquisitionDateTime", "2023-2024", stored))
        #expect(try Stored.matches("AcquisitionDateTime", "20240615123000.25-", stored))
        #expect(try !Stored.matches("AcquisitionDateTime", "20240615123000.26-", stored))
        #expect(try Stored.matches("AcquisitionDateTime", "-202406", stored))
        #expect(try !Stored.matches("AcquisitionDateTime", "-202405", stored))
    }

    @Test func dateTimesWithOffsetsCompareInUTC() throws {
        let explicit = Stored.dataSet([("AcquisitionDateTime", "20240101110000+0000")])
        #expect(try Stored.matches("AcquisitionDateTime", "20240101120000+0100", explicit))
        #expect(try Stored.matches("AcquisitionDateTime", "20240101060000-0500", explicit))
        #expect(try !Stored.matches("AcquisitionDateTime", "20240101110000+0100", explicit))
        #expect(try Stored.matches("AcquisitionDateTime", "20240101115959+0100-20240101120000+0100", explicit))
        // Without a query offset, values compare as written.
        #expect(try Stored.matches("AcquisitionDateTime", "20240101110000", explicit))
        // A stored value without offset takes the data set's TimezoneOffsetFromUTC.
        let local = Stored.dataSet([("TimezoneOffsetFromUTC", "+0100"), ("AcquisitionDateTime", "20240101120000")])
        #expect(try Stored.matches("AcquisitionDateTime", "20240101110000+0000", local))
        #expect(try !Stored.matches("AcquisitionDateTime", "20240101120000+0000", local))
        #expect(try Stored.matches("AcquisitionDateTime", "20240101120000", local))
        // Without any offset on the stored side, as written.
        let naive = Stored.dataSet([("AcquisitionDateTime", "20240101120000")])
        #expect(try Stored.matches("AcquisitionDateTime", "20240101120000+0500", naive))
    }

    @Test func combinedDateTimeRange() throws {
        let query = [("StudyDate", "20240105-20240107"), ("StudyTime", "1000-1800")]
        func stored(_ date: String, _ time: String?) -> DataSet {
            Stored.dataSet([("StudyDate", date)] + (time.map { [("StudyTime", $0)] } ?? []))
        }
        #expect(try !Stored.matches(query, stored("20240105", "0959")))
        #expect(try Stored.matches(query, stored("20240105", "1000")))
        // Not "10:00 to 18:00 on each day": 03:00 on the middle day is inside.
        #expect(try Stored.matches(query, stored("20240106", "0300")))
        #expect(try Stored.matches(query, stored("20240107", "180059.9")))
        #expect(try !Stored.matches(query, stored("20240107", "1801")))
        #expect(try !Stored.matches(query, stored("20240108", "0000")))
        // No stored time: the date alone decides.
        #expect(try Stored.matches(query, stored("20240105", nil)))
        #expect(try Stored.matches(query, stored("20240107", "")))
        #expect(try !Stored.matches(query, stored("20240104", nil)))
        // No stored date: empty value rules.
        let noDate = Stored.dataSet([("StudyTime", "1200")])
        #expect(try !Stored.matches(query, noDate))
        #expect(try Stored.matches(query + [("emptyvaluematching", "true")], noDate))
        // Open ends.
        #expect(try Stored.matches([("StudyDate", "20240105-"), ("StudyTime", "1000-")], stored("20991231", "0000")))
        #expect(try !Stored.matches([("StudyDate", "20240105-"), ("StudyTime", "1000-")], stored("20240105", "0900")))
        #expect(try Stored.matches([("StudyDate", "-20240105"), ("StudyTime", "-1000")], stored("19990101", "2300")))
        #expect(try !Stored.matches([("StudyDate", "-20240105"), ("StudyTime", "-1000")], stored("20240105", "1100")))
    }
}
