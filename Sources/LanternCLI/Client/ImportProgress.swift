/// Progress of an import: a bar redrawn in place four times a second on a terminal, and a plain line at
/// every tenth of the work (or every 10 seconds) otherwise.
actor ImportProgress {
    let totalFiles: Int
    let totalBytes: Int64
    let terminal: Bool
    let started = Clock.now
    private(set) var files = 0
    private(set) var bytes: Int64 = 0
    private var lastStep = 0
    private var lastLine = Clock.now
    private var drawn = false

    init(totalFiles: Int, totalBytes: Int64, terminal: Bool) {
        self.totalFiles = totalFiles
        self.totalBytes = totalBytes
        self.terminal = terminal
    }

    /// Counts files done (stored, failed or skipped).
    func add(files: Int, bytes: Int64) {
        self.files += files
        self.bytes += bytes
        guard !terminal else { return }
        let step = totalFiles == 0 ? 10 : self.files * 10 / totalFiles
        if step > lastStep || Clock.now - lastLine >= 10 {
            lastStep = step
            lastLine = Clock.now
            Console.err("import: " + line() + "\n")
        }
    }

    /// Prints `text` above the bar.
    func print(_ text: String) {
        if terminal && drawn { Console.err("\r\u{1B}[K") }
        Console.err(text)
        if terminal && drawn { draw() }
    }

    /// Redraws the bar (terminal only).
    func draw() {
        guard terminal else { return }
        drawn = true
        let width = 24
        let fraction = totalBytes > 0 ? Double(bytes) / Double(totalBytes) : 1
        let filled = min(width, Int(fraction * Double(width)))
        let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
        Console.err("\r\u{1B}[K[\(bar)] " + line())
    }

    /// Clears the bar.
    func finish() {
        if terminal && drawn { Console.err("\r\u{1B}[K") }
        drawn = false
    }

    func line() -> String {
        let elapsed = max(Clock.now - started, 0.001)
        let rate = Double(bytes) / 1_048_576 / elapsed
        let remaining = rate > 0 ? Double(totalBytes - bytes) / 1_048_576 / rate : 0
        let percent = totalFiles > 0 ? Double(files) * 100 / Double(totalFiles) : 100
        return "\(files)/\(totalFiles) files (\(format(percent, 1))%)  "
            + "\(format(Double(bytes) / 1_048_576, 1))/\(format(Double(totalBytes) / 1_048_576, 1)) MB  "
            + "\(format(rate, 1)) MB/s  \(format(Double(files) / elapsed, 0)) files/s  ETA \(clock(remaining))"
    }

    func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        let two = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
        return s >= 3600 ? "\(s / 3600):\(two(s / 60 % 60)):\(two(s % 60))" : "\(s / 60):\(two(s % 60))"
    }
}
