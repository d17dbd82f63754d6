import DICOMweb
import Testing

/// PS3.4 §C.2.2.2.1 and §C.2.2.2.5: single dates and times, ranges with open ends, strict formats, and the
/// combination of date and time ranges.
@Suite struct QIDODateTimeTests {
    private func date(_ text: String) -> QIDODate { QIDODate(Substring(text))! }
    private func time(_ text: String) -> QIDOTime { QIDOTime(Substring(text))! }
    private func dateTime(_ text: String) -> QIDODateTime { QIDODateTime(Substring(text))! }

    @Test func dates() throws {
        #expect(try QIDO.matching("StudyDate", "20240229") == .date(date("20240229")))
        #expect(
            try QIDO.matching("StudyDate", "20240101-20240131")
                == .dateRange(QIDORange(lower: date("20240101"), upper: date("20240131"))!))
        #expect(
            try QIDO.matching("StudyDate", "20240101-") == .dateRange(QIDORange(lower: date("20240101"), upper: nil)!))
        #expect(
            try QIDO.matching("StudyDate", "-20240131") == .dateRange(QIDORange(lower: nil, upper: date("20240131"))!))
        let parsed = date("19991231")
        #expect((parsed.year, parsed.month, parsed.day) == (1999, 12, 31))
        #expect(parsed.description == "19991231")
        #expect(date("20240101") < date("20240102"))
    }

    @Test(arguments: [
        "-", "2024", "202401011", "2024-01-01", "2024.01.01", "20240230", "20230229", "20241301", "20240100",
        "20240101--20240102", "20240101-20240102-", "2024010a", " 20240101", "20240101-2024",
    ])
    func malformedDates(value: String) {
        #expect(QIDO.failure([("StudyDate", value)])?.code == .invalidValue)
    }

    @Test func times() throws {
        #expect(try QIDO.matching("StudyTime", "10") == .time(time("10")))
        #expect(try QIDO.matching("StudyTime", "103000.123456") == .time(time("103000.123456")))
        #expect(
            try QIDO.matching("StudyTime", "0930-1200")
                == .timeRange(QIDORange(lower: time("0930"), upper: time("1200"))!))
        #expect(try QIDO.matching("StudyTime", "-1230") == .timeRange(QIDORange(lower: nil, upper: time("1230"))!))
        #expect(try QIDO.matching("StudyTime", "2359-") == .timeRange(QIDORange(lower: time("2359"), upper: nil)!))
        let parsed = time("235960.5")
        #expect(parsed.hour == 23 && parsed.minute == 59 && parsed.second == 60 && parsed.fraction == "5")
        #expect(parsed.description == "235960.5")
    }

    @Test(arguments: [
        "1", "103", "24", "1060", "106061", "10:30", "103000.", "103000.1234567", "1030.5", "10.5", "-", "10-11-12",
        "ab",
    ])
    func malformedTimes(value: String) {
        #expect(QIDO.failure([("StudyTime", value)])?.code == .invalidValue)
    }

    @Test func dateTimes() throws {
        #expect(try QIDO.matching("AcquisitionDateTime", "2024", scope: .allInstances) == .dateTime(dateTime("2024")))
        let full = dateTime("20240101120000.5+0100")
        #expect(full.year == 2024 && full.month == 1 && full.day == 1 && full.time == time("120000.5"))
        #expect(full.utcOffsetMinutes == 60)
        #expect(full.description == "20240101120000.5+0100")
        // A negative offset is a single value, not a range up to year 0500.
        #expect(
            try QIDO.matching("AcquisitionDateTime", "20240101120000-0500")
                == .dateTime(dateTime("20240101120000-0500")))
        #expect(dateTime("20240101120000-0500").utcOffsetMinutes == -300)
        #expect(
            try QIDO.matching("AcquisitionDateTime", "20240101-20240102")
                == .dateTimeRange(QIDORange(lower: dateTime("20240101"), upper: dateTime("20240102"))!))
        #expect(
            try QIDO.matching("AcquisitionDateTime", "20240101120000-0500-20240102120000-0500")
                == .dateTimeRange(
                    QIDORange(lower: dateTime("20240101120000-0500"), upper: dateTime("20240102120000-0500"))!))
        #expect(
            try QIDO.matching("AcquisitionDateTime", "2024-")
                == .dateTimeRange(QIDORange(lower: dateTime("2024"), upper: nil)!))
        #expect(
            try QIDO.matching("AcquisitionDateTime", "-202406")
                == .dateTimeRange(QIDORange(lower: nil, upper: dateTime("202406"))!))
    }

    @Test(arguments: [
        "202", "20241301", "20240101+1500", "20240101-1300-", "20240101+01", "202401011", "2024+0060",
        "20240101120000.1234567", "2020-0100-0100", "-", "2024--2025", "20240101T1200",
    ])
    func malformedOrAmbiguousDateTimes(value: String) {
        #expect(QIDO.failure([("AcquisitionDateTime", value)])?.code == .invalidValue)
    }

    @Test func combinedDateAndTimeRanges() throws {
        let query = try QIDO.parse([("StudyDate", "20240105-20240107"), ("StudyTime", "1000-1800"), ("PatientID", "P")])
        #expect(query.keys.map(\.path.tags) == [QIDO.path("PatientID")])
        try #require(query.combinedDateTimeRanges.count == 1)
        let range = query.combinedDateTimeRanges[0]
        #expect(range.datePath.tags == QIDO.path("StudyDate"))
        #expect(range.timePath.tags == QIDO.path("StudyTime"))
        #expect(range.lower == .init(date: date("20240105"), time: time("1000")))
        #expect(range.upper == .init(date: date("20240107"), time: time("1800")))
        // Both attributes are still returned.
        #expect(query.returnAttributes.contains { $0.tags == QIDO.path("StudyTime") })
    }

    @Test func combinedRangesWithOpenEnds() throws {
        let query = try QIDO.parse([("SeriesTime", "-1200"), ("SeriesDate", "20240105-")], scope: .allSeries)
        try #require(query.combinedDateTimeRanges.count == 1)
        let range = query.combinedDateTimeRanges[0]
        #expect(range.lower == .init(date: date("20240105"), time: nil))
        #expect(range.upper == nil)
        #expect(query.keys.isEmpty)
    }

    @Test func dateRangeWithSingleTimeStaysSeparate() throws {
        let query = try QIDO.parse([("StudyDate", "20240105-20240107"), ("StudyTime", "1000")])
        #expect(query.combinedDateTimeRanges.isEmpty)
        #expect(query.keys.count == 2)
        let alone = try QIDO.parse([("StudyDate", "20240105-20240107")])
        #expect(alone.combinedDateTimeRanges.isEmpty)
    }
}
