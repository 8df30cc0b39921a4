/**
 * Local Chromium processes: launching one on a CDP pipe with its own profile dir, knowing its process
 * tree through /proc, closing that tree within one budget with a verified kill, and sweeping the dirs of
 * owners that died. It knows nothing of pools, leases or CDP messages: {@code pool} drives it, and the
 * CDP spoken over the pipe belongs to {@code cdp}.
 *
 * <p>The jobs, one class each: {@link io.github.browserpool.chrome.ChromeProcess} owns one launched
 * browser (its process, pipes, dir and owner marker) and is the face {@code pool} uses; {@code
 * ChromeSpawner} launches it (command line, environment, {@code tini -s} when this JVM is PID 1);
 * {@code ProcessTree} reads, signals and waits for its processes, each known by PID and start time;
 * {@code CloseSequence} runs one close (graceful, SIGTERM, SIGKILL, the dir's deletion, a background
 * finisher); {@code CloseBudget} holds the close's timing rules as pure functions of the time; {@code
 * ProfileDirs} reads the dir's log and deletes it; {@link io.github.browserpool.chrome.ProfileSweeper}
 * and {@code OwnerMarker} tell a dead owner's dir from a live one; {@link
 * io.github.browserpool.chrome.ProcFs} parses /proc; {@link io.github.browserpool.chrome.LaunchSpec} and
 * {@link io.github.browserpool.chrome.ChromeExecutable} are the launch's settings and binary.
 *
 * <p>It may use the JDK, slf4j, and from the public root package exactly three types: {@link
 * io.github.browserpool.BrowserLaunchException}, {@link io.github.browserpool.CloseReason}, and {@link
 * io.github.browserpool.Ticker} for {@code Ticker.nanos}, the one saturating Duration-to-nanoseconds rule
 * that every deadline of the pool uses (the close budget's too). That is on purpose. A launch failure thrown here is already the public type, under the one exception root
 * ({@link io.github.browserpool.BrowserPoolException}), with the message that says what to fix: the
 * engine passes it on as it is (or as the cause of its own), and no layer maps a chrome-only exception
 * to a public one. Every close carries the one reason enum that stats,
 * listeners and log lines also use, so a {@link io.github.browserpool.chrome.CloseOutcome} needs no
 * mapping either. The cost is a package cycle (the root uses {@code pool}, which uses this package,
 * which uses the root), but only through these leaf types, which depend on nothing else; moving them
 * here would take them out of the public API's package. Nothing else here may import the root package,
 * {@code pool}, {@code cdp}, {@code grid} or {@code endpoint}.
 */
package io.github.browserpool.chrome;
