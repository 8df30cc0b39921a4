/**
 * The pool's browsers as Selenium Grid 4 sessions ({@code PoolConfig.Builder.seleniumGrid(URI)}).
 *
 * <p>What it owns: everything that speaks to a Grid. {@link io.github.browserpool.grid.GridKind} (the
 * kind's entry in {@code BrowserKinds}: a pool configured with {@code seleniumGrid}) makes the {@link
 * io.github.browserpool.grid.GridBrowserLauncher}, which checks the Grid and runs the remote startup
 * sweep; {@code NewSession} makes the W3C new-session request and waits on the Grid's queue;
 * {@code OrphanHunter} deletes sessions the Grid created after the pool gave up on their request;
 * {@code GridBrowser} is one session: its keep-alive and liveness probe and its {@code DELETE};
 * {@code GridStatus} reads {@code GET /status}; {@code GridOwner} is the owner label on every session;
 * {@code GridClient} the few HTTP calls; {@code WebSocketPipe} makes the session's {@code se:cdp}
 * websocket look like Chromium's CDP pipe.
 *
 * <p>What it may use: the JDK ({@code java.net.http} for HTTP and the websocket), Jackson and SLF4J; of
 * browserpool, the public API ({@code PoolConfig}, the exceptions, {@code CloseReason}, {@code Ticker}),
 * the browser SPI in {@code spi} ({@code BrowserKind}, {@code BrowserLauncher}, {@code LaunchedBrowser}),
 * the lease contexts every CDP-speaking kind shares in {@code context}, the CDP connection in {@code cdp}
 * and the Chromium flags both kinds share ({@code chrome.ChromeFlags}). Not the engine. It does not use the
 * rest of {@code chrome} (local processes and profile dirs) or {@code endpoint}, and no Selenium jar: the
 * {@code selenium-grid} jars are a test and benchmark dependency only, never shipped with the library.
 */
package io.github.browserpool.grid;
