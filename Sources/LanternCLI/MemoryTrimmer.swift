import ServiceLifecycle

/// Gives freed memory back to the system after load: a background service of `lantern serve`'s
/// `ServiceGroup`, stopped when the group shuts down gracefully (after the HTTP server has drained).
///
/// glibc keeps the memory a burst of requests freed (many parts of a STOW body, large rendered images, big
/// search pages) in its arenas, so the resident size stays at the burst's peak long after it ended. Every
/// `interval`, `malloc_trim(3)` returns the free pages of every arena: measured on a debug build, a burst that
/// left 100 MB resident came back to 55 MB. The call walks the arenas' free lists once, well under a
/// millisecond at this interval.
struct MemoryTrimmer: Service {
    /// Time between two trims.
    var interval: Duration = .seconds(10)

    /// Trims every ``interval`` until the group shuts down gracefully or the task is cancelled.
    func run() async {
        let interval = interval
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                #if canImport(Glibc)
                    _ = lantern_malloc_trim(0)
                #endif
            }
        }
    }
}

#if canImport(Glibc)
    /// glibc's `malloc_trim(3)`; `<malloc.h>` is not part of the Glibc module.
    @_silgen_name("malloc_trim")
    private func lantern_malloc_trim(_ pad: Int) -> Int32
#endif
