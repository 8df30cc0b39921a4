/**
 * The local kind of browser: Chromium processes on this host, each driven over its CDP pipe. Internal
 * (not exported by the module).
 *
 * <p>What it owns: {@link io.github.browserpool.local.LocalKind} (the kind's entry in {@code
 * BrowserKinds}: every pool not configured for another kind), {@link
 * io.github.browserpool.local.LocalBrowserLauncher} (checks Linux, the executable and tempRoot at start,
 * runs the startup sweep of stale profile dirs, spawns each browser and waits for its first CDP reply)
 * and {@code LocalBrowser} (one process and its pipe: its liveness, its close with escalation).
 *
 * <p>What it may use: the public root package (config, exceptions, close reasons), the SPI in {@code
 * spi} (which it implements), the shared lease contexts in {@code context}, the CDP transport in {@code
 * cdp} and the processes and profile dirs in {@code chrome}. Not the engine: the engine sees a local
 * browser only through the SPI.
 */
package io.github.browserpool.local;
